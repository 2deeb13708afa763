import { writeFile } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import bwipjs from 'bwip-js/node';

/** An 8-bit RGBA image. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Decodes the PNGs bwip-js writes: 8-bit RGBA, non-interlaced, every row with filter 0. That is
 * all this needs; anything else is refused rather than misread.
 */
export function decodeBwipPng(png: Buffer): RgbaImage {
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[9] !== 6 || data[12] !== 0) {
        throw new Error('only 8-bit RGBA non-interlaced PNGs are supported');
      }
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4 + 1;
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    if (raw[y * stride] !== 0) throw new Error(`PNG row ${y} uses filter ${raw[y * stride]}`);
    out.set(raw.subarray(y * stride + 1, (y + 1) * stride), y * width * 4);
  }
  return { width, height, data: out };
}

/** Renders a barcode with bwip-js (black on white, quiet zone included). */
export async function renderBarcode(bcid: string, text: string, scale = 3): Promise<RgbaImage> {
  const png = await bwipjs.toBuffer({
    bcid,
    text,
    scale,
    height: 18,
    includetext: false,
    backgroundcolor: 'FFFFFF',
    paddingwidth: 12,
    paddingheight: 12,
  });
  return decodeBwipPng(png);
}

/**
 * Writes a Y4M video (4:2:0) of `image` centred on a white `width`×`height` frame, `frames` long
 * at `fps`: what Chromium's `--use-file-for-fake-video-capture` plays to `getUserMedia`
 * (design §8). Blank frames before the code (`blankFrames`) let a benchmark see the moment the
 * code appears.
 */
export async function writeBarcodeY4m(
  path: string,
  image: RgbaImage,
  options: {
    width?: number;
    height?: number;
    frames?: number;
    fps?: number;
    blankFrames?: number;
  } = {},
): Promise<void> {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const frames = options.frames ?? 10;
  const fps = options.fps ?? 10;
  const scale = Math.min(1, (width * 0.9) / image.width, (height * 0.9) / image.height);
  const w = Math.floor(image.width * scale);
  const h = Math.floor(image.height * scale);
  const left = Math.floor((width - w) / 2);
  const top = Math.floor((height - h) / 2);
  const luma = new Uint8Array(width * height).fill(235);
  for (let y = 0; y < h; y += 1) {
    const sy = Math.min(image.height - 1, Math.floor(y / scale));
    for (let x = 0; x < w; x += 1) {
      const sx = Math.min(image.width - 1, Math.floor(x / scale));
      const i = (sy * image.width + sx) * 4;
      const value =
        0.299 * image.data[i]! + 0.587 * image.data[i + 1]! + 0.114 * image.data[i + 2]!;
      // Studio range (16–235), as YUV video expects.
      luma[(top + y) * width + left + x] = Math.round(16 + (value * 219) / 255);
    }
  }
  const blank = new Uint8Array(width * height).fill(235);
  const chroma = new Uint8Array((width / 2) * (height / 2) * 2).fill(128);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
  const parts: Uint8Array[] = [header];
  const marker = Buffer.from('FRAME\n');
  for (let f = 0; f < frames; f += 1) {
    parts.push(marker, f < (options.blankFrames ?? 0) ? blank : luma, chroma);
  }
  await writeFile(path, Buffer.concat(parts));
}
