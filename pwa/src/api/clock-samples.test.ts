/**
 * The phone's side of clock samples (issue #17, docs/design.md §13): every batch carries the
 * phone's clock when it was sent, and the next batch reports the previous answer's round trip.
 */
import { describe, expect, it } from 'vitest';
import type { AuthStore } from '../auth/auth-store';
import { createHttpTransport } from './staff-api';

describe('sync transport clock samples', () => {
  it('sends client_sent_at, then the previous round trip as last_round_trip', async () => {
    const bodies: Record<string, unknown>[] = [];
    let t = Date.parse('2026-12-06T08:35:00.000Z');
    const auth = {
      async request(_path: string, _schema: unknown, options: { body: Record<string, unknown> }) {
        bodies.push(options.body);
        t += 80; // the answer takes 80 ms to come back
        const received = new Date(Date.parse('2026-12-06T08:40:00.000Z') + bodies.length * 1000);
        return {
          results: [],
          clock: {
            server_received_at: received.toISOString(),
            server_sent_at: new Date(received.getTime() + 20).toISOString(),
          },
        };
      },
    } as unknown as AuthStore;
    const transport = createHttpTransport(auth, () => new Date(t));
    await transport.postBatch('phone-7', [], 'key-1');
    t += 10_000;
    await transport.postBatch('phone-7', [], 'key-2');
    expect(bodies[0]).toEqual({
      device_id: 'phone-7',
      records: [],
      client_sent_at: '2026-12-06T08:35:00.000Z',
    });
    expect(bodies[1]).toEqual({
      device_id: 'phone-7',
      records: [],
      client_sent_at: '2026-12-06T08:35:10.080Z',
      last_round_trip: {
        client_sent_at: '2026-12-06T08:35:00.000Z',
        server_received_at: '2026-12-06T08:40:01.000Z',
        server_sent_at: '2026-12-06T08:40:01.020Z',
        client_received_at: '2026-12-06T08:35:00.080Z',
      },
    });
  });
});
