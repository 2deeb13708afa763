import { describe, expect, it } from 'vitest';
import { chooseDecoder } from './frame-decoders';
import type { FrameDecoder } from './frame-decoders';

const decoder = (name: FrameDecoder['name']): FrameDecoder => ({ name, decode: async () => null });

describe('chooseDecoder', () => {
  it('takes zxing-wasm when it loads', async () => {
    const chosen = await chooseDecoder([
      async () => decoder('zxing-wasm'),
      async () => decoder('@zxing/browser'),
    ]);
    expect(chosen.name).toBe('zxing-wasm');
  });

  it('falls back to @zxing/browser when WebAssembly cannot load', async () => {
    const chosen = await chooseDecoder([
      async () => {
        throw new Error('CompileError: WebAssembly.instantiate(): expected magic word');
      },
      async () => decoder('@zxing/browser'),
    ]);
    expect(chosen.name).toBe('@zxing/browser');
  });

  it('reports the last failure when nothing loads', async () => {
    await expect(
      chooseDecoder([
        async () => {
          throw new Error('no wasm');
        },
        async () => {
          throw new Error('no js');
        },
      ]),
    ).rejects.toThrow('no js');
  });
});
