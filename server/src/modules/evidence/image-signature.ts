/** Magic-byte checks for evidence photos: the declared type must match what the bytes are. */
import type { PhotoContentType } from '../../ports/evidence';

const SIGNATURES: Record<PhotoContentType, (bytes: Buffer) => boolean> = {
  // SOI marker followed by the start of the next marker.
  'image/jpeg': (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/png': (b) =>
    b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10])),
  // A RIFF container whose form type is WEBP.
  'image/webp': (b) =>
    b.length >= 12 &&
    b.toString('latin1', 0, 4) === 'RIFF' &&
    b.toString('latin1', 8, 12) === 'WEBP',
};

/** True when `bytes` start with the signature of `contentType`. */
export function matchesSignature(contentType: PhotoContentType, bytes: Buffer): boolean {
  return SIGNATURES[contentType](bytes);
}
