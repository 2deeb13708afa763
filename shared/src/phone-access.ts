import { z } from 'zod';

/**
 * `GET /api/admin/phone-access` (supervisor+, issue #11): the addresses phones on the LAN can open
 * the staff app at, as the server sees its own network interfaces, so the console's QR code never
 * points phones at a loopback address they cannot reach.
 */
export const phoneAccessSchema = z.strictObject({
  /** `https` when the server itself serves TLS (the camera works); `http` otherwise. */
  scheme: z.enum(['http', 'https']),
  /** The staff app's address for each LAN address, best first; empty when phones cannot connect. */
  urls: z.array(z.url()),
  /** The camera needs a secure context: true only with `https`. */
  camera_ready: z.boolean(),
  /** With the self-signed certificate: where phones download and trust its CA, and its fingerprint. */
  trust: z
    .strictObject({
      /** The plain-HTTP trust page (`/trust`), or null when HTTP_REDIRECT_PORT is not set. */
      url: z.url().nullable(),
      fingerprint256: z.string(),
    })
    .nullable(),
  /** Why phones cannot connect or use the camera, in plain words; null when all is well. */
  warning: z.string().nullable(),
});
export type PhoneAccess = z.infer<typeof phoneAccessSchema>;
