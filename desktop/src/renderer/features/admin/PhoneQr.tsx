import { phoneAccessSchema, type PhoneAccess } from '@stockverify/shared';
import { toSVG } from 'bwip-js/browser';
import { useMemo, useState } from 'react';
import { useConsole } from '../../context';
import { useLoad } from '../../ui/hooks';
import { normalizeServerUrl } from '../connection/server-url';

/** The PWA's address for phones: the server's origin (the PWA is served at `/`). */
export function pwaUrlFor(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.origin}/`;
}

/** True for an address only this computer can open (localhost, 127.x, ::1). */
export function isLoopback(address: string): boolean {
  try {
    const host = new URL(address).hostname.replace(/^\[|\]$/g, '').toLowerCase();
    return (
      host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1'
    );
  } catch {
    return false;
  }
}

export const LOOPBACK_WARNING =
  'This address works on this computer only: phones cannot reach it. Use the server’s LAN address (https://…).';

/**
 * The address the QR code starts with: the server's own LAN https address when it reported one
 * (GET /admin/phone-access), else the address this console uses; with a warning when phones
 * cannot use it (loopback, plain HTTP, certificate not offered).
 */
export function phoneAddressChoice(
  consoleBaseUrl: string,
  access: PhoneAccess | null,
): { address: string; warning: string | null } {
  const reported = access?.urls[0];
  if (reported) return { address: reported, warning: access.warning };
  const address = pwaUrlFor(consoleBaseUrl);
  if (isLoopback(address)) return { address, warning: access?.warning ?? LOOPBACK_WARNING };
  return { address, warning: access?.warning ?? null };
}

/** A QR code of the PWA's URL so phones open the scanner without typing (design §6). */
export function PhoneQr() {
  const { client } = useConsole();
  const [access] = useLoad(
    async () => phoneAccessSchema.parse(await client.get<unknown>('/admin/phone-access')),
    [client],
  );
  const choice = phoneAddressChoice(client.baseUrl, access.value);
  const [typed, setTyped] = useState<string | null>(null);
  const address = typed ?? choice.address;
  const checked = normalizeServerUrl(address);
  const qrText = checked.ok ? `${checked.baseUrl}/` : null;
  const svg = useMemo(
    () => (qrText === null ? null : toSVG({ bcid: 'qrcode', text: qrText, scale: 4 })),
    [qrText],
  );
  const loopback = checked.ok && isLoopback(checked.baseUrl);
  const insecure = checked.ok && checked.baseUrl.startsWith('http://') && !loopback;
  // The server's own warning describes its address; a typed address gets the checks below.
  const serverWarning = typed === null ? choice.warning : null;
  const trust = access.value?.trust ?? null;
  return (
    <section className="panel" aria-labelledby="qr-title">
      <h2 id="qr-title">Phones</h2>
      <label>
        Address phones use
        <input value={address} onChange={(e) => setTyped(e.target.value)} spellCheck={false} />
      </label>
      {(access.value?.urls.length ?? 0) > 1 && (
        <p className="hint">
          Other addresses of the server: {access.value!.urls.slice(1).join('  ')}
        </p>
      )}
      {!checked.ok && (
        <p role="alert" className="result error">
          {checked.error}
        </p>
      )}
      {serverWarning && (
        <p role="alert" className="result error">
          {serverWarning}
        </p>
      )}
      {!serverWarning && loopback && (
        <p role="alert" className="result error">
          {LOOPBACK_WARNING}
        </p>
      )}
      {svg && checked.ok && (
        <figure>
          <img
            className="qr"
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`}
            alt={`QR code for ${checked.baseUrl}/`}
            width={240}
            height={240}
          />
          <figcaption>
            Scan with the phone's camera to open <strong>{checked.baseUrl}/</strong>
          </figcaption>
        </figure>
      )}
      {trust && (
        <p className="hint">
          Before first use each phone trusts the server's certificate
          {trust.url ? (
            <>
              {' '}
              at <strong>{trust.url}</strong>
            </>
          ) : null}
          ; its SHA-256 fingerprint is <code>{trust.fingerprint256}</code>. See the deployment
          guide, “HTTPS for the phones”.
        </p>
      )}
      {insecure && !serverWarning && (
        <p className="hint">
          Phones need HTTPS for the camera: configure a certificate on the server (or its
          self-signed one) and use the https:// address here.
        </p>
      )}
    </section>
  );
}
