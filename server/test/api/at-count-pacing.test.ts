/**
 * The background drain of the expected at count takes a bounded share of the event loop (issue
 * #13's read budget while phones sync; docs/design.md §10 "Reads while phones sync"): after each
 * item it pauses for (1 / duty − 1) times the item's time, at most 100 ms. An explicit `drain()`
 * (tests, the rebuild tool) is not paced.
 */
import net from 'node:net';
import type { LiveEvent } from '@stockverify/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createAtCountUpkeep,
  type AtCountUpkeepDeps,
} from '../../src/modules/movements/at-count-upkeep';
import { claimOk, countRecord, createSession } from '../support/counting-fixture';
import {
  mirrorAt1000,
  slowPhone,
  startMovementsApp,
  syncFromPhone,
} from '../support/movements-fixture';
import type { TestApp } from '../support/test-app';
import { requestsInFlight } from '../../src/lib/in-flight';

let t: TestApp;
let sup: { token: string };
let alice: { token: string; id: string };
const quiet = { warn: () => {} };

beforeEach(async () => {
  ({ t, sup, alice } = await startMovementsApp());
  await mirrorAt1000(t);
});
afterEach(async () => {
  await t.close();
});

/** `items` counted in a new session with a watermark, each marked for the drain: its id. */
async function markedItems(items: string[]): Promise<string> {
  const before = (await t.store.readModel.dirtyAtCount(100)).length;
  const session = await createSession(t, sup.token);
  const held = await claimOk(t, alice.token, session.id, 'A-01');
  await syncFromPhone(t, alice.token, {
    client_sent_at: slowPhone(t.clock()),
    records: items.map((item) =>
      countRecord(session.id, 'A-01', item, held.fencing_token, { counted_qty: 3 }),
    ),
  });
  expect(await t.store.readModel.dirtyAtCount(100)).toHaveLength(before + items.length);
  return session.id;
}

/** ITM-A and ITM-B counted in a session with a watermark: both marked for the drain. */
const twoMarkedItems = () => markedItems(['ITM-A', 'ITM-B']);

async function until(test: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Runs the drain in the background until no item is marked; the pauses it took. */
async function pausesInBackground(
  deps: Omit<AtCountUpkeepDeps, 'store' | 'log' | 'pause'>,
): Promise<number[]> {
  const pauses: number[] = [];
  const upkeep = createAtCountUpkeep({
    store: t.store,
    log: quiet,
    intervalMs: 5,
    ...deps,
    pause: async (ms) => {
      pauses.push(ms);
    },
  });
  upkeep.start();
  const until = Date.now() + 10_000;
  while ((await t.store.readModel.dirtyAtCount(10)).length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 10));
  }
  await upkeep.stop();
  return pauses;
}

describe('the expected-at-count drain', () => {
  it('in the background pauses after each item for twice its time (a third of the loop)', async () => {
    await twoMarkedItems();
    const pauses = await pausesInBackground({ duty: 1 / 3 });
    expect(await t.store.readModel.dirtyAtCount(10)).toEqual([]);
    expect(pauses).toHaveLength(2);
    for (const ms of pauses) {
      expect(ms).toBeGreaterThan(0);
      expect(ms).toBeLessThanOrEqual(100);
    }
  });

  it('while sync batches wait for their turn, takes a twentieth: the phones come first', async () => {
    const sessionId = await twoMarkedItems();
    const pausesOf = async (busy: boolean) => {
      await t.store.readModel.markAtCount(sessionId, ['ITM-A', 'ITM-B']);
      // Each item takes 2 ms on this clock.
      let clock = 0;
      return pausesInBackground({ now: () => (clock += 2), busy: () => busy });
    };
    // A third of the loop: twice the item's time; a twentieth: nineteen times.
    expect(await pausesOf(false)).toEqual([4, 4]);
    expect(await pausesOf(true)).toEqual([38, 38]);
  });

  it('while a request is being answered, takes a twentieth too: people waiting come first', async () => {
    const sessionId = await twoMarkedItems();
    // The drain's own test of who waits (no `busy` given), with or without a request in hand.
    const pausesOf = async (inHand: boolean) => {
      await t.store.readModel.markAtCount(sessionId, ['ITM-A', 'ITM-B']);
      let clock = 0;
      const leave = inHand ? requestsInFlight.enter() : () => {};
      try {
        return await pausesInBackground({ now: () => (clock += 2) });
      } finally {
        leave();
      }
    };
    expect(await pausesOf(false)).toEqual([4, 4]);
    expect(await pausesOf(true)).toEqual([38, 38]);
  });

  it('stops after the item in hand, leaving the others marked (a shutdown waits no longer)', async () => {
    await twoMarkedItems();
    let paused!: () => void;
    const inPause = new Promise<void>((resolve) => (paused = resolve));
    const upkeep = createAtCountUpkeep({
      store: t.store,
      log: quiet,
      intervalMs: 5,
      // The first pause holds until the test has asked the drain to stop.
      pause: () => {
        paused();
        return new Promise((resolve) => setTimeout(resolve, 50));
      },
    });
    upkeep.start();
    await inPause;
    await upkeep.stop();
    expect(await t.store.readModel.dirtyAtCount(10)).toHaveLength(1);
  });

  it('drained on demand: no pause', async () => {
    await twoMarkedItems();
    const pauses: number[] = [];
    const upkeep = createAtCountUpkeep({
      store: t.store,
      log: quiet,
      pause: async (ms) => {
        pauses.push(ms);
      },
    });
    expect(await upkeep.drain()).toBe(2);
    expect(pauses).toEqual([]);
  });
});

/**
 * The drain announces what it computed (a live `at_count` event per session and round), so a
 * console showing the session's items `pending` reads them again instead of waiting to be
 * reopened (docs/design.md §10).
 */
describe('requests in hand, as the drain sees them', () => {
  it('are counted by the app from arrival to answer, the live streams never', async () => {
    const before = requestsInFlight.count();
    // A sign-in whose body is still on its way: the app holds it, unanswered.
    const url = new URL(`${t.baseUrl}/api/auth/login`);
    const socket = net.connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user`,
    );
    await until(() => requestsInFlight.count() === before + 1);
    socket.destroy();
    await until(() => requestsInFlight.count() === before);
    // A console's live stream stays open without holding the drain back.
    const abort = new AbortController();
    const stream = await fetch(`${t.baseUrl}/api/events?access_token=${sup.token}`, {
      signal: abort.signal,
    });
    expect(stream.status).toBe(200);
    expect(requestsInFlight.count()).toBe(before);
    // Nor does a counter's stream of task notices.
    const session = await createSession(t, sup.token);
    const tasks = await fetch(
      `${t.baseUrl}/api/sessions/${session.id}/recount-tasks/live?access_token=${alice.token}`,
      { signal: abort.signal },
    );
    expect(tasks.status).toBe(200);
    expect(requestsInFlight.count()).toBe(before);
    abort.abort();
  });
});

describe('the expected-at-count drain’s notice', () => {
  it('is one event per session and round, with how many items it computed', async () => {
    const first = await markedItems(['ITM-A', 'ITM-B']);
    const second = await markedItems(['ITM-C']);
    const published: Array<Omit<LiveEvent, 'at'>> = [];
    const upkeep = createAtCountUpkeep({
      store: t.store,
      log: quiet,
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

  it('reaches the live stream: the app’s own drain publishes to its event bus', async () => {
    const session = await markedItems(['ITM-A']);
    const seen: unknown[] = [];
    const unsubscribe = await t.coordination.subscribe('events', (message) => seen.push(message));
    await t.services.atCount.drain();
    await unsubscribe();
    expect(seen).toContainEqual(
      expect.objectContaining({ type: 'at_count', action: 'computed', session_id: session }),
    );
  });
});
