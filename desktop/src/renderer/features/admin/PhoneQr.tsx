import { toSVG } from 'bwip-js/browser';
import { useMemo, useState } from 'react';
import { useConsole } from '../../context';
import { normalizeServerUrl } from '../connection/server-url';

/** The PWA's address for phones: the server's origin (the PWA is served at `/`). */
export function pwaUrlFor(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.origin}/`;
}

/** A QR code of the PWA's URL so phones open the scanner without typing (DESIGN §6). */
export function PhoneQr() {
  const { client } = useConsole();
  const [address, setAddress] = useState(() => pwaUrlFor(client.baseUrl));
  const checked = normalizeServerUrl(address);
  const svg = useMemo(
    () => (checked.ok ? toSVG({ bcid: 'qrcode', text: `${checked.baseUrl}/`, scale: 4 }) : null),
    [checked.ok, checked.ok ? checked.baseUrl : ''],
  );
  const insecure =
    checked.ok &&
    checked.baseUrl.startsWith('http://') &&
    !/\/\/(localhost|127\.)/.test(checked.baseUrl);
  return (
    <section className="panel" aria-labelledby="qr-title">
      <h2 id="qr-title">Phones</h2>
      <label>
        Address phones use
        <input value={address} onChange={(e) => setAddress(e.target.value)} spellCheck={false} />
      </label>
      {!checked.ok && (
        <p role="alert" className="result error">
          {checked.error}
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
      {insecure && (
        <p className="hint">
          Phones need HTTPS for the camera: configure a certificate on the server (or its
          self-signed one) and use the https:// address here.
        </p>
      )}
    </section>
  );
}
