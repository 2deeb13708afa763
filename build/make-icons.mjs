// Generates the app icons (desktop build resources and PWA manifest icons) from one drawing, with
// no dependencies beyond node:zlib. Run `node build/make-icons.mjs` after changing the drawing and
// commit the PNGs it writes; nothing runs it during a normal build.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

const THEME = [15, 118, 110]; // #0f766e, also the manifest theme_color
const BAR = [255, 255, 255];
const SCAN = [245, 158, 11]; // #f59e0b
const SUPERSAMPLE = 4;

// Alternating bar / gap widths (in units) for the barcode motif, starting with a bar.
const BARCODE = [3, 1, 1, 2, 2, 1, 1, 3, 3, 1, 1, 1, 2, 2, 1, 1, 3, 2, 1];

/** Icons to write: path relative to the repo root, pixel size and whether it is full-bleed. */
const OUTPUTS = [
  { path: 'build/icon.png', size: 512, fullBleed: false },
  { path: 'pwa/public/icons/icon-192.png', size: 192, fullBleed: false },
  { path: 'pwa/public/icons/icon-512.png', size: 512, fullBleed: false },
  // Maskable icons are cropped by the launcher: full-bleed background, content in the safe zone.
  { path: 'pwa/public/icons/maskable-512.png', size: 512, fullBleed: true },
  // iOS paints transparency black, so the home-screen icon is opaque as well.
  { path: 'pwa/public/icons/apple-touch-icon-180.png', size: 180, fullBleed: true },
];

function insideRoundedSquare(x, y, radius) {
  const cx = Math.min(Math.max(x, radius), 1 - radius);
  const cy = Math.min(Math.max(y, radius), 1 - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

function insideBar(x, y) {
  if (y < 0.28 || y > 0.72 || x < 0.22 || x > 0.78) return false;
  const total = BARCODE.reduce((sum, w) => sum + w, 0);
  let unit = ((x - 0.22) / 0.56) * total;
  for (let i = 0; i < BARCODE.length; i += 1) {
    if (unit < BARCODE[i]) return i % 2 === 0;
    unit -= BARCODE[i];
  }
  return false;
}

function insideScanLine(x, y) {
  return y >= 0.485 && y <= 0.525 && x >= 0.14 && x <= 0.86;
}

/** Colour (RGBA, 0..1 coverage in alpha) of one sample point in unit coordinates. */
function sample(x, y, fullBleed) {
  if (!fullBleed && !insideRoundedSquare(x, y, 0.2)) return null;
  // Maskable safe zone is the centred circle of radius 0.4: shrink the motif to fit inside it.
  const scale = fullBleed ? 0.8 : 1;
  const mx = (x - 0.5) / scale + 0.5;
  const my = (y - 0.5) / scale + 0.5;
  if (insideScanLine(mx, my)) return SCAN;
  if (insideBar(mx, my)) return BAR;
  return THEME;
}

function renderRgba(size, fullBleed) {
  const rgba = Buffer.alloc(size * size * 4);
  const n = SUPERSAMPLE * SUPERSAMPLE;
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      const acc = [0, 0, 0, 0];
      for (let s = 0; s < n; s += 1) {
        const x = (px + ((s % SUPERSAMPLE) + 0.5) / SUPERSAMPLE) / size;
        const y = (py + (Math.floor(s / SUPERSAMPLE) + 0.5) / SUPERSAMPLE) / size;
        const colour = sample(x, y, fullBleed);
        if (colour === null) continue;
        acc[0] += colour[0];
        acc[1] += colour[1];
        acc[2] += colour[2];
        acc[3] += 1;
      }
      const o = (py * size + px) * 4;
      const covered = acc[3];
      rgba[o] = covered ? Math.round(acc[0] / covered) : 0;
      rgba[o + 1] = covered ? Math.round(acc[1] / covered) : 0;
      rgba[o + 2] = covered ? Math.round(acc[2] / covered) : 0;
      rgba[o + 3] = Math.round((covered / n) * 255);
    }
  }
  return rgba;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Encodes 8-bit RGBA pixels as a PNG (filter type 0 on every row). */
function encodePng(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(6, 9); // colour type RGBA
  const stride = size * 4;
  const raw = Buffer.alloc((stride + 1) * size);
  for (let y = 0; y < size; y += 1) {
    rgba.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

for (const { path, size, fullBleed } of OUTPUTS) {
  const target = join(repoRoot, path);
  mkdirSync(dirname(target), { recursive: true });
  const png = encodePng(size, renderRgba(size, fullBleed));
  writeFileSync(target, png);
  console.log(`${path}  ${size}x${size}  ${png.length} bytes`);
}
