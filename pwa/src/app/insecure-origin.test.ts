import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fillInsecureOriginCrypto, randomUuidV4, sha256, sha256Digest } from './insecure-origin';
import { batchKey } from '../sync/sync-engine';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('plain-HTTP stand-ins for secure-context Web Crypto', () => {
  it('sha256 matches node:crypto on known and random inputs of every padding length', () => {
    expect(hex(sha256(new Uint8Array()))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(hex(sha256(new TextEncoder().encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    for (let length = 0; length < 200; length++) {
      const data = randomBytes(length);
      expect(hex(sha256(data)), `length ${length}`).toBe(
        createHash('sha256').update(data).digest('hex'),
      );
    }
    const big = randomBytes(300_000);
    expect(hex(sha256(big))).toBe(createHash('sha256').update(big).digest('hex'));
  });

  it('randomUuidV4 gives version-4 UUIDs, all different', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => randomUuidV4()));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('fills in randomUUID where the context hides it, and only there', () => {
    // What Chromium exposes on http://<host-name>: getRandomValues, no randomUUID, no subtle.
    const insecure = {
      getRandomValues: crypto.getRandomValues.bind(crypto),
    } as unknown as Crypto;
    fillInsecureOriginCrypto(insecure);
    expect(insecure.randomUUID()).toMatch(/^[0-9a-f-]{36}$/);
    // subtle is left alone: libraries probe it for other algorithms (Dexie: SHA-512).
    expect(insecure.subtle).toBeUndefined();

    const secure = globalThis.crypto;
    const { randomUUID } = secure;
    fillInsecureOriginCrypto(secure);
    expect(secure.randomUUID).toBe(randomUUID);
  });

  it('gives the same batch Idempotency-Key with and without crypto.subtle', async () => {
    const body = JSON.stringify({ device_id: 'phone-1', records: [{ op_id: 'x' }] });
    const expected = createHash('sha256').update(body).digest('hex');
    expect(hex(await sha256Digest(new TextEncoder().encode(body)))).toBe(expected);
    expect(await batchKey(body)).toBe(`batch-${expected.slice(0, 48)}`);
    const subtle = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(crypto), 'subtle');
    Object.defineProperty(crypto, 'subtle', { value: undefined, configurable: true });
    try {
      expect(crypto.subtle).toBeUndefined();
      expect(await batchKey(body)).toBe(`batch-${expected.slice(0, 48)}`);
    } finally {
      delete (crypto as { subtle?: unknown }).subtle;
      if (subtle) expect(crypto.subtle).toBeDefined();
    }
  });
});
