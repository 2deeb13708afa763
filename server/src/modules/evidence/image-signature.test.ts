import { describe, expect, it } from 'vitest';
import { matchesSignature } from './image-signature';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
const WEBP = Buffer.concat([
  Buffer.from('RIFF'),
  Buffer.from([1, 2, 3, 4]),
  Buffer.from('WEBPVP8 '),
]);

describe('matchesSignature', () => {
  it('accepts each type with its own signature only', () => {
    expect(matchesSignature('image/jpeg', JPEG)).toBe(true);
    expect(matchesSignature('image/png', PNG)).toBe(true);
    expect(matchesSignature('image/webp', WEBP)).toBe(true);
    expect(matchesSignature('image/jpeg', PNG)).toBe(false);
    expect(matchesSignature('image/png', WEBP)).toBe(false);
    expect(matchesSignature('image/webp', JPEG)).toBe(false);
  });

  it('refuses short or look-alike bodies', () => {
    expect(matchesSignature('image/jpeg', Buffer.from([0xff, 0xd8]))).toBe(false);
    expect(matchesSignature('image/png', PNG.subarray(0, 7))).toBe(false);
    const wave = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVE')]);
    expect(matchesSignature('image/webp', wave)).toBe(false);
    expect(
      matchesSignature('image/png', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg">')),
    ).toBe(false);
  });
});
