import { describe, expect, it } from 'vitest';
import { batchSerialCount, JSON_LIMITS, jsonBeyondLimits, jsonTextDepth } from './sync';

const bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('jsonTextDepth (raw bytes, before parsing)', () => {
  it('counts brackets and braces, not those inside strings', () => {
    expect(jsonTextDepth(bytes('{"a":[1,{"b":[]}]}'), 10)).toBe(4);
    expect(jsonTextDepth(bytes('{"a":"[[[[[[[[[[[[\\"[[[["}'), 10)).toBe(1);
    expect(jsonTextDepth(bytes('"just a string"'), 10)).toBe(0);
  });
  it('stops at the first level past the limit, whatever the depth', () => {
    const deep = '['.repeat(50_000) + ']'.repeat(50_000);
    expect(jsonTextDepth(bytes(deep), 8)).toBe(9);
  });
});

describe('jsonBeyondLimits (parsed values)', () => {
  it('passes a full-size legitimate batch', () => {
    const record = {
      op_id: 'x',
      serials: Array.from({ length: 10 }, (_, i) => `S${i}`),
      photo_ids: ['p1'],
      remark: 'r'.repeat(1000),
    };
    expect(jsonBeyondLimits({ device_id: 'd', records: Array(500).fill(record) })).toBeNull();
  });
  it('names the limit and the path at fault', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 50_000; i++) deep = [deep];
    expect(jsonBeyondLimits({ records: [{ junk: deep }] })).toMatchObject({
      limit: 'maxDepth',
      path: expect.stringMatching(/^records\.0\.junk(\.0)*$/),
    });
    expect(jsonBeyondLimits({ records: [{ junk: 'x'.repeat(5000) }] })).toMatchObject({
      limit: 'maxStringLength',
      path: 'records.0.junk',
    });
    expect(jsonBeyondLimits({ records: [{ ['k'.repeat(65)]: 1 }] })).toMatchObject({
      limit: 'maxKeyLength',
      path: 'records.0',
    });
    expect(jsonBeyondLimits({ records: Array(JSON_LIMITS.maxNodes).fill(0) })).toMatchObject({
      limit: 'maxNodes',
      path: 'records',
    });
  });
});

describe('batchSerialCount', () => {
  it('adds up the serial arrays and ignores anything else', () => {
    expect(
      batchSerialCount([{ serials: ['a', 'b'] }, { serials: 'x' }, null, 3, { serials: [1] }]),
    ).toBe(3);
  });
});
