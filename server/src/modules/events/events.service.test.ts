/**
 * The live-event watch: `accept` drops events before the warehouse check that a bound viewer's
 * events otherwise each wait for (a counter's task notices want a few of a session's events, not
 * each of its scans run through that check).
 */
import type { LiveEvent } from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import { createMemoryCoordination } from '../../adapters/coordination/memory';
import { EVENTS_CHANNEL } from './event-bus';
import { createEventsService } from './events.service';

const actor = { id: 'u1', username: 'ravi', role: 'staff' as const };

const event = (type: LiveEvent['type'], n: number): LiveEvent => ({
  type,
  action: type === 'scan' ? 'line' : 'opened',
  session_id: 's1',
  at: new Date(0).toISOString(),
  data: { n },
});

async function watched(accept?: (event: LiveEvent) => boolean) {
  const coordination = createMemoryCoordination();
  let checks = 0;
  const events = createEventsService(coordination, {
    access: {
      sessionFilter: async () => async () => {
        checks++;
        return true;
      },
    },
  });
  const seen: LiveEvent[] = [];
  const watch = await events.watch(
    actor,
    's1',
    { event: (e) => seen.push(e), revoked: () => {} },
    { permission: 'sessions.read', ...(accept ? { accept } : {}) },
  );
  for (let n = 0; n < 50; n++) await coordination.publish(EVENTS_CHANNEL, event('scan', n));
  await coordination.publish(EVENTS_CHANNEL, event('recount_task', 50));
  await new Promise((resolve) => setTimeout(resolve, 20));
  watch.close();
  return { seen, checks: () => checks };
}

describe('a live-event watch', () => {
  it('with accept, asks the warehouse check only of the events it accepts', async () => {
    const { seen, checks } = await watched((e) => e.type === 'recount_task');
    expect(seen.map((e) => e.type)).toEqual(['recount_task']);
    expect(checks()).toBe(1);
  });

  it('without accept, checks and passes on every event of the session', async () => {
    const { seen, checks } = await watched();
    expect(seen).toHaveLength(51);
    expect(checks()).toBe(51);
  });
});
