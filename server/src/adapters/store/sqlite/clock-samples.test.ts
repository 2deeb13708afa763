/**
 * The clock_samples table (issue #17, design §13): the newest CLOCK_SAMPLES_PER_DEVICE samples are
 * kept per device (another device's are untouched), a sample recorded twice is stored once, and a
 * round trip completes only the sample it matches.
 */
import { describe, expect, it } from 'vitest';
import { CLOCK_SAMPLES_PER_DEVICE } from '../../../ports/clock-samples';
import { createSqliteStore } from '.';

const at = (i: number) => new Date(Date.UTC(2026, 11, 6, 8) + i * 1000).toISOString();

describe('SQLite clock samples', () => {
  it('keeps the newest samples per device, each once; a round trip completes only its match', async () => {
    const store = createSqliteStore({ file: ':memory:' });
    await store.init();
    try {
      const sample = (device: string, i: number) => ({
        user_id: 'u1',
        device_id: device,
        client_sent_at: at(i - 300),
        server_received_at: at(i),
        server_sent_at: at(i),
      });
      await store.clockSamples.record(sample('other', 0));
      for (let i = 0; i <= CLOCK_SAMPLES_PER_DEVICE; i++)
        await store.clockSamples.record(sample('p', i));
      await store.clockSamples.record(sample('p', CLOCK_SAMPLES_PER_DEVICE));
      const kept = await store.clockSamples.list([{ user_id: 'u1', device_id: 'p' }]);
      expect(kept).toHaveLength(CLOCK_SAMPLES_PER_DEVICE);
      expect(kept[0]!.server_received_at).toBe(at(1));
      expect(kept.at(-1)!.server_received_at).toBe(at(CLOCK_SAMPLES_PER_DEVICE));
      expect(await store.clockSamples.list([{ user_id: 'u1', device_id: 'other' }])).toHaveLength(
        1,
      );

      const trip = { ...sample('p', 5), client_received_at: at(-294) };
      expect(await store.clockSamples.completeRoundTrip({ ...trip, server_sent_at: at(6) })).toBe(
        false,
      );
      expect(await store.clockSamples.completeRoundTrip(trip)).toBe(true);
      expect(await store.clockSamples.completeRoundTrip(trip)).toBe(false);
      const two = (await store.clockSamples.list([{ user_id: 'u1', device_id: 'p' }])).filter(
        (s) => s.client_received_at !== null,
      );
      expect(two).toEqual([trip]);
    } finally {
      await store.close();
    }
  });
});
