/**
 * With HTTPS on, a phone that types the address without `https://` lands on plain HTTP. An
 * optional listener (HTTP_REDIRECT_PORT) answers every request there with a redirect to the
 * same host on the HTTPS port, so people need not remember the scheme.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The request listener: 308 to `https://<requested host>:<httpsPort><path>`. */
export function httpsRedirect(httpsPort: number) {
  return (req: IncomingMessage, res: ServerResponse) => {
    let host: string;
    try {
      // The Host header names the machine as the phone reached it; parse it, never splice it.
      host = new URL(`http://${req.headers.host ?? ''}`).hostname;
    } catch {
      host = '';
    }
    if (host === '') {
      res
        .writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end('Host header required\n');
      return;
    }
    const port = httpsPort === 443 ? '' : `:${httpsPort}`;
    const location = `https://${host}${port}${req.url?.startsWith('/') ? req.url : '/'}`;
    // 308 keeps the method and body, so a POST is not silently turned into a GET.
    res.writeHead(308, { Location: location, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`Use ${location}\n`);
  };
}
