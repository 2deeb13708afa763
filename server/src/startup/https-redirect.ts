/**
 * With HTTPS on, a phone that types the address without `https://` lands on plain HTTP. An
 * optional listener (HTTP_REDIRECT_PORT) answers every request there with a redirect to the
 * same host on the HTTPS port, so people need not remember the scheme.
 *
 * With the self-signed certificate (TLS_SELF_SIGNED) the same listener also offers the local CA
 * that phones must trust first (issue #11): `GET /ca.crt` downloads it and `GET /trust` shows its
 * SHA-256 fingerprint and the steps. Plain HTTP on purpose: before the CA is trusted, the HTTPS
 * address shows a certificate warning, and a page whose warning was clicked through gets no
 * service worker in Chrome (no offline use, no install).
 */
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface TrustOffer {
  /** The CA certificate (PEM). */
  caCert: string;
  fingerprint256: string;
}

const escape = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** The Host header's hostname as the phone reached this machine, or '' when unusable. */
function requestedHost(req: IncomingMessage): string {
  try {
    // Parse it, never splice it.
    return new URL(`http://${req.headers.host ?? ''}`).hostname;
  } catch {
    return '';
  }
}

function trustPage(httpsOrigin: string, fingerprint: string): string {
  const app = escape(`${httpsOrigin}/`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stock Verify: trust this server</title>
<style>body{font-family:system-ui,sans-serif;max-width:40em;margin:1em auto;padding:0 1em;line-height:1.45}
code{word-break:break-all;font-size:.95em}a.button{display:inline-block;padding:.7em 1.2em;background:#0f766e;color:#fff;border-radius:.4em;text-decoration:none;font-weight:600}</style>
</head><body>
<h1>Trust this Stock Verify server</h1>
<p>The staff app needs HTTPS for the camera, and the phone must trust this server's certificate
authority once. Clicking through a certificate warning is not enough: the app would then neither
work offline nor install.</p>
<p><a class="button" href="/ca.crt">Download the certificate</a></p>
<p>Its SHA-256 fingerprint must be exactly the one the server printed at start and the console
shows:<br><code>${escape(fingerprint)}</code></p>
<h2>Android</h2>
<ol>
<li>Tap <em>Download the certificate</em> above (the file is <code>stockverify-ca.crt</code>).</li>
<li>Open <em>Settings → Security and privacy → More security settings → Encryption and credentials
→ Install a certificate → CA certificate</em> (the names vary a little by phone; search Settings
for “CA certificate”), tap <em>Install anyway</em>, and pick the downloaded file.</li>
<li>Check the fingerprint under <em>Trusted credentials → User</em>.</li>
</ol>
<h2>iPhone and iPad (iOS)</h2>
<ol>
<li>Open this page in Safari and tap <em>Download the certificate</em>, then <em>Allow</em>.</li>
<li>Open <em>Settings → General → VPN and Device Management</em>, tap <em>Stock Verify local
CA</em>, then <em>Install</em> (three times).</li>
<li>Open <em>Settings → General → About → Certificate Trust Settings</em> and switch on full trust
for <em>Stock Verify local CA</em>.</li>
</ol>
<h2>Then</h2>
<p>Open <a href="${app}">${app}</a>: no warning should appear. Sign in and install the app.</p>
</body></html>
`;
}

/** The request listener: 308 to `https://<requested host>:<httpsPort><path>`, or the trust pages. */
export function httpsRedirect(httpsPort: number, trust?: TrustOffer) {
  const der = trust ? new X509Certificate(trust.caCert).raw : null;
  return (req: IncomingMessage, res: ServerResponse) => {
    const host = requestedHost(req);
    if (host === '') {
      res
        .writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end('Host header required\n');
      return;
    }
    const port = httpsPort === 443 ? '' : `:${httpsPort}`;
    const shownHost = host.includes(':') ? `[${host.replace(/^\[|\]$/g, '')}]` : host;
    const origin = `https://${shownHost}${port}`;
    const pathname = (req.url ?? '/').split('?')[0];
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (trust && der && read && pathname === '/ca.crt') {
      res.writeHead(200, {
        'Content-Type': 'application/x-x509-ca-cert',
        'Content-Disposition': 'attachment; filename="stockverify-ca.crt"',
        'Content-Length': der.length,
        'Cache-Control': 'no-cache',
      });
      res.end(req.method === 'HEAD' ? undefined : der);
      return;
    }
    if (trust && read && (pathname === '/trust' || pathname === '/trust/')) {
      const html = trustPage(origin, trust.fingerprint256);
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-cache',
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
      });
      res.end(req.method === 'HEAD' ? undefined : html);
      return;
    }
    const location = `${origin}${req.url?.startsWith('/') ? req.url : '/'}`;
    // 308 keeps the method and body, so a POST is not silently turned into a GET.
    res.writeHead(308, { Location: location, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`Use ${location}\n`);
  };
}
