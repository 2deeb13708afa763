/**
 * The expected-at-count drain announces what it computed (a live `at_count` event per session and
 * round), so a console showing the session's items `pending` reads them again instead of waiting
 * to be reopened (docs/design.md §10 "Reads while phones sync").
 */
import type { LiveEvent } from '@stockverify/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAtCountUpkeep } from '../../src/modules/movements/at-count-upkeep';
import { claimOk, countRecord, createSession } from '../support/counting-fixture';
import {
  mirrorAt1000,
  slowPhone,
  startMovementsApp,
  syncFromPhone,
} from '../support/movements-fixture';
import type { TestApp } from '../support/test-app';

let t: TestApp;
let sup: { token: string };
let alice: { token: string; id: string };

beforeEach(async () => {
  ({ t, sup, alice } = await startMovementsApp());
  await mirrorAt1000(t);
});
afterEach(async () => {
  await t.close();
});

/** `items` counted in a new session with a watermark (each marked for the drain): its id. */
async function counted(items: string[]): Promise<string> {
  const session = await createSession(t, sup.token);
  const held = await claimOk(t, alice.token, session.id, 'A-01');
  await syncFromPhone(t, alice.token, {
    client_sent_at: slowPhone(t.clock()),
    records: items.map((item) =>
      countRecord(session.id, 'A-01', item, held.fencing_token, { counted_qty: 3 }),
    ),
  });
  return session.id;
}

describe('the expected-at-count drain', () => {
  it('announces once per session and round how many items it computed', async () => {
    const first = await counted(['ITM-A', 'ITM-B']);
    const second = await counted(['ITM-C']);
    const published: Array<Omit<LiveEvent, 'at'>> = [];
    const upkeep = createAtCountUpkeep({
      store: t.store,
      log: { warn: () => {} },
      publish: (event) => published.push(event),
    });
    await upkeep.drain();
    expect(await t.store.readModel.dirtyAtCount(10)).toEqual([]);
    expect(published).toHaveLength(2);
    expect(published).toEqual(
      expect.arrayContaining([
        { type: 'at_count', action: 'computed', session_id: first, data: { items: 2 } },
        { type: 'at_count', action: 'computed', session_id: second, data: { items: 1 } },
      ]),
    );
    // Nothing marked: a round computes nothing and says nothing.
    await upkeep.drain();
    expect(published).toHaveLength(2);
  });

  it('reaches the live stream of the app: its own drain publishes to the event bus', async () => {
    const session = await counted(['ITM-A']);
    const seen: unknown[] = [];
    const unsubscribe = await t.coordination.subscribe('events', (message) => seen.push(message));
    await t.services.atCount.drain();
    await unsubscribe();
    expect(seen).toContainEqual(
      expect.objectContaining({ type: 'at_count', action: 'computed', session_id: session }),
    );
  });
});
