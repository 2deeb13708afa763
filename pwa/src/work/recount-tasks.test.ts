import type { RecountTask } from '@stockverify/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { freshDeviceDb } from '../../test/support/fake-db';
import { countRecord, resultFor } from '../../test/support/records';
import type { DeviceDb, RecountTaskEntry } from '../db/device-db';
import { Outbox } from '../outbox/outbox';
import { notifyNewTasks, RecountTaskSync } from './recount-task-sync';
import { rackLinesShown, RecountTaskStore, taskListView } from './recount-tasks';

function task(overrides: Partial<RecountTask> = {}): RecountTask {
  return {
    task_id: 'T1',
    session_id: 'S1',
    rack: 'A-01',
    item_code: 'ITEM-1',
    item_name: 'Hammer',
    phase: 1,
    state: 'open',
    assigned_to_me: false,
    created_at: '2026-12-01T08:00:00.000Z',
    note: null,
    ...overrides,
  };
}

let db: DeviceDb;
let clock: Date;
let store: RecountTaskStore;
let outbox: Outbox;

beforeEach(async () => {
  db = freshDeviceDb();
  await db.open();
  clock = new Date('2026-12-01T09:00:00.000Z');
  store = new RecountTaskStore(db, () => clock);
  outbox = new Outbox(db, () => clock);
});

afterEach(() => db.close());

async function view(userId = 'u1', sessionId = 'S1', rack?: string) {
  return taskListView(
    await store.list(userId, sessionId),
    await outbox.sessionTaskAnswers(sessionId),
    rack,
  );
}

/** A count answering task `taskId`, saved on the phone. */
async function answer(taskId: string, rack = 'A-01') {
  const { fencing_token: _token, ...plain } = countRecord({ rack });
  const record = { ...plain, recount_task_id: taskId };
  await outbox.enqueue({ userId: 'u1', record, summary: 'Hammer · 4 pcs' });
  return record;
}

describe('recount tasks on the phone', () => {
  it('keeps the server list per user and session, reports only tasks never had before', async () => {
    const changes = vi.fn();
    store.onChange(changes);
    const first = await store.replace('u1', 'S1', [task(), task({ task_id: 'T2', rack: 'A-02' })]);
    expect(first.map((t) => t.task_id)).toEqual(['T1', 'T2']);
    expect(changes).toHaveBeenCalledTimes(1);

    clock = new Date('2026-12-01T09:05:00.000Z');
    const again = await store.replace('u1', 'S1', [
      task({ assigned_to_me: true }),
      task({ task_id: 'T2', rack: 'A-02' }),
      task({ task_id: 'T3', created_at: '2026-12-01T08:30:00.000Z' }),
    ]);
    expect(again.map((t) => t.task_id)).toEqual(['T3']);
    const held = await store.list('u1', 'S1');
    expect(held.map((t) => t.task_id)).toEqual(['T1', 'T2', 'T3']);
    // A task listed again keeps when this phone first had it.
    expect(held[0]).toMatchObject({
      received_at: '2026-12-01T09:00:00.000Z',
      fetched_at: '2026-12-01T09:05:00.000Z',
      assigned_to_me: true,
    });
    // Another counter on the same phone, and another session, are kept apart.
    await store.replace('u2', 'S1', [task()]);
    await store.replace('u1', 'S2', [task({ task_id: 'T9', session_id: 'S2' })]);
    expect((await store.list('u1', 'S1')).length).toBe(3);
    expect((await store.list('u2', 'S1')).map((t) => t.task_id)).toEqual(['T1']);

    // The server stopped listing T1 (done or given to somebody else): it leaves the phone.
    changes.mockClear();
    await store.replace('u1', 'S1', [task({ task_id: 'T2', rack: 'A-02' })]);
    expect((await store.list('u1', 'S1')).map((t) => t.task_id)).toEqual(['T2']);
    expect(await store.get('u1', 'T1')).toBeNull();
    expect(await store.get('u2', 'T1')).not.toBeNull();
    expect(changes).toHaveBeenCalledTimes(1);
    // The same list again changes nothing.
    await store.replace('u1', 'S1', [task({ task_id: 'T2', rack: 'A-02' })]);
    expect(changes).toHaveBeenCalledTimes(1);
  });

  it('forgets the tasks of sessions no longer open, for that user only', async () => {
    await store.replace('u1', 'S1', [task()]);
    await store.replace('u1', 'S2', [task({ task_id: 'T9', session_id: 'S2' })]);
    await store.replace('u2', 'S2', [task({ task_id: 'T9', session_id: 'S2' })]);
    expect(await store.keepOpenSessions('u1', ['S1', 'S3'])).toBe(1);
    expect((await store.list('u1', 'S1')).map((t) => t.task_id)).toEqual(['T1']);
    expect(await store.list('u1', 'S2')).toEqual([]);
    expect((await store.list('u2', 'S2')).map((t) => t.task_id)).toEqual(['T9']);
    expect(await store.keepOpenSessions('u1', ['S1'])).toBe(0);
  });

  it('ignores tasks of another session in the answer', async () => {
    await store.replace('u1', 'S1', [task(), task({ task_id: 'X', session_id: 'S2' })]);
    expect((await store.list('u1', 'S1')).map((t) => t.task_id)).toEqual(['T1']);
    expect(await store.list('u1', 'S2')).toEqual([]);
  });

  it('takes a task off the list the moment its answer is saved, offline, by rack', async () => {
    await store.replace('u1', 'S1', [task(), task({ task_id: 'T2', rack: 'A-02' })]);
    expect((await view()).todo.map((t) => t.task_id)).toEqual(['T1', 'T2']);
    expect((await view('u1', 'S1', 'A-02')).todo.map((t) => t.task_id)).toEqual(['T2']);
    // An ordinary count of the same item does not answer the task.
    await outbox.enqueue({ userId: 'u1', record: countRecord(), summary: 'Hammer · 7 pcs' });
    expect((await view()).todo.map((t) => t.task_id)).toEqual(['T1', 'T2']);

    const record = await answer('T1');
    expect(await view()).toEqual({
      todo: [expect.objectContaining({ task_id: 'T2' })],
      refused: [],
    });
    // Synced: still off the list, before and after the server stops listing it.
    await outbox.applyResults([resultFor(record)]);
    expect((await view()).todo.map((t) => t.task_id)).toEqual(['T2']);
    await store.replace('u1', 'S1', [task({ task_id: 'T2', rack: 'A-02' })]);
    expect((await view()).todo.map((t) => t.task_id)).toEqual(['T2']);
  });

  it('keeps a refused answer visible with the reason, and lets an open task be counted again', async () => {
    await store.replace('u1', 'S1', [task(), task({ task_id: 'T2', rack: 'A-02' })]);
    const refused = await answer('T1');
    const gone = await answer('T-old', 'A-02');
    await outbox.applyResults([
      resultFor(refused, 'ERROR', 'RECOUNT_NOT_ELIGIBLE'),
      resultFor(gone, 'ERROR', 'RECOUNT_TASK_UNKNOWN'),
    ]);
    let shown = await view();
    expect(shown.todo.map((t) => t.task_id)).toEqual(['T2']);
    expect(
      shown.refused.map((r) => [r.answer.task_id, r.answer.entry.result?.code, r.task?.task_id]),
    ).toEqual(
      expect.arrayContaining([
        ['T1', 'RECOUNT_NOT_ELIGIBLE', 'T1'],
        ['T-old', 'RECOUNT_TASK_UNKNOWN', undefined],
      ]),
    );
    // Per rack: the refusal shows where its count was.
    expect((await view('u1', 'S1', 'A-02')).refused.map((r) => r.answer.task_id)).toEqual([
      'T-old',
    ]);
    // The server no longer lists T1: the refusal stays (nothing dropped silently).
    await store.replace('u1', 'S1', [task({ task_id: 'T2', rack: 'A-02' })]);
    shown = await view();
    expect(shown.refused.map((r) => r.answer.task_id).sort()).toEqual(['T-old', 'T1']);
    expect(shown.refused.find((r) => r.answer.task_id === 'T1')?.task).toBeNull();

    // T2 refused while still open, then counted again: dealt with.
    const first = await answer('T2', 'A-02');
    await outbox.applyResults([resultFor(first, 'ERROR', 'PHOTO_NOT_FOUND')]);
    expect((await view()).refused.some((r) => r.answer.task_id === 'T2')).toBe(true);
    await answer('T2', 'A-02');
    shown = await view();
    expect(shown.refused.some((r) => r.answer.task_id === 'T2')).toBe(false);
    expect(shown.todo).toEqual([]);
  });

  it('shows only open tasks as to do', async () => {
    await store.replace('u1', 'S1', [task(), task({ task_id: 'T2', state: 'done' })]);
    expect((await view()).todo.map((t) => t.task_id)).toEqual(['T1']);
  });
});

describe('the rack screen during a recount', () => {
  it('hides every earlier line of an item this counter is asked to recount there', () => {
    const line = (op_id: string, item_code: string) => ({
      op_id,
      item_code,
      item_name: null,
      counted_qty: 7,
      counted_by_name: 'ravi',
      counted_at: '2026-12-01T08:00:00.000Z',
      status: 'PENDING',
      mine: false,
    });
    const lines = [line('a', 'ITEM-1'), line('b', 'ITEM-2'), line('c', 'ITEM-1'), line('d', 'X')];
    expect(rackLinesShown(lines, [{ op_id: 'd' }], new Map()).map((l) => l.op_id)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(
      rackLinesShown(lines, [{ op_id: 'd' }], new Map([['ITEM-1', 'T1']])).map((l) => l.op_id),
    ).toEqual(['b']);
  });
});

describe('RecountTaskSync (what useRecountTaskSync runs)', () => {
  beforeEach(() => {
    // Only the timers the poller uses: fake-indexeddb schedules its work with setImmediate.
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Moves the clock, then waits for the refresh it started (IndexedDB runs on real time). */
  async function tick(sync: RecountTaskSync, ms: number) {
    await vi.advanceTimersByTimeAsync(ms);
    await sync.settled();
  }

  function harness(fetchTasks: (sessionId: string) => Promise<RecountTask[]>) {
    const fresh: RecountTaskEntry[][] = [];
    const sync = new RecountTaskSync({
      fetchTasks,
      store,
      userId: 'u1',
      sessionId: 'S1',
      onNew: (tasks) => fresh.push(tasks),
      pollMs: 25_000,
      minGapMs: 2_000,
      now: () => Date.now(),
    });
    return { sync, fresh };
  }

  it('fetches at once and every poll, announcing each new task once', async () => {
    let list = [task()];
    const fetchTasks = vi.fn(async () => list);
    const { sync, fresh } = harness(fetchTasks);
    sync.start();
    await tick(sync, 0);
    expect(fetchTasks).toHaveBeenCalledTimes(1);
    expect(fresh.map((batch) => batch.map((t) => t.task_id))).toEqual([['T1']]);

    list = [task(), task({ task_id: 'T2' })];
    await tick(sync, 25_000);
    expect(fetchTasks).toHaveBeenCalledTimes(2);
    expect(fresh.map((batch) => batch.map((t) => t.task_id))).toEqual([['T1'], ['T2']]);
    await tick(sync, 25_000);
    expect(fresh.length).toBe(2);
    expect((await store.list('u1', 'S1')).length).toBe(2);

    sync.stop();
    await tick(sync, 100_000);
    expect(fetchTasks).toHaveBeenCalledTimes(3);
  });

  it('keeps the tasks on the phone when a refresh fails (offline)', async () => {
    await store.replace('u1', 'S1', [task()]);
    const fetchTasks = vi.fn(async () => {
      throw new Error('offline');
    });
    const { sync, fresh } = harness(fetchTasks);
    sync.start();
    await tick(sync, 0);
    expect(sync.lastError).toBeInstanceOf(Error);
    expect((await store.list('u1', 'S1')).map((t) => t.task_id)).toEqual(['T1']);
    expect(fresh).toEqual([]);
    sync.stop();
  });

  it('coalesces nudges: one refresh soon after, none closer than the gap, never two at once', async () => {
    let release: () => void = () => undefined;
    const fetchTasks = vi.fn(
      () =>
        new Promise<RecountTask[]>((resolve) => {
          release = () => resolve([task()]);
        }),
    );
    const { sync } = harness(fetchTasks);
    // A fetch is held until released: the clock moves without waiting for it.
    const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);
    sync.start();
    await advance(0);
    expect(fetchTasks).toHaveBeenCalledTimes(1);
    // While the first is in flight, nudges wait for it.
    sync.nudge();
    sync.nudge();
    await advance(5_000);
    expect(fetchTasks).toHaveBeenCalledTimes(1);
    release();
    await sync.settled();
    // The nudges asked during the flight run once, after it.
    await advance(0);
    expect(fetchTasks).toHaveBeenCalledTimes(2);
    release();
    await sync.settled();
    await advance(10_000);
    expect(fetchTasks).toHaveBeenCalledTimes(2);
    // A nudge right after a refresh waits for the gap.
    await advance(10_000); // the poll at 25 s
    expect(fetchTasks).toHaveBeenCalledTimes(3);
    release();
    await sync.settled();
    sync.nudge();
    sync.nudge();
    await advance(1_000);
    expect(fetchTasks).toHaveBeenCalledTimes(3);
    await advance(1_000);
    expect(fetchTasks).toHaveBeenCalledTimes(4);
    release();
    await sync.settled();
    sync.stop();
  });

  it('does not store an answer that arrives after it was stopped', async () => {
    let release: () => void = () => undefined;
    const fetchTasks = vi.fn(
      () =>
        new Promise<RecountTask[]>((resolve) => {
          release = () => resolve([task()]);
        }),
    );
    const { sync, fresh } = harness(fetchTasks);
    sync.start();
    await vi.advanceTimersByTimeAsync(0);
    sync.stop();
    release();
    await sync.settled();
    expect(await store.list('u1', 'S1')).toEqual([]);
    expect(fresh).toEqual([]);
  });
});

describe('the notice of a new task', () => {
  const entry = { ...task(), user_id: 'u1', received_at: 'x', fetched_at: 'x' };

  function host(permission: string) {
    const shown: Array<{ title: string; body?: string }> = [];
    const requestPermission = vi.fn();
    class FakeNotification {
      static permission = permission;
      static requestPermission = requestPermission;
      constructor(title: string, options?: { body?: string }) {
        shown.push({ title, body: options?.body });
      }
    }
    return { host: { Notification: FakeNotification }, shown, requestPermission };
  }

  it('shows a system notification only when already allowed, and never asks', () => {
    const granted = host('granted');
    expect(notifyNewTasks([entry], granted.host)).toBe(true);
    expect(granted.shown).toEqual([{ title: 'New recount task', body: 'Rack A-01 · Hammer' }]);
    for (const permission of ['default', 'denied']) {
      const other = host(permission);
      expect(notifyNewTasks([entry], other.host)).toBe(false);
      expect(other.shown).toEqual([]);
      expect(other.requestPermission).not.toHaveBeenCalled();
    }
    expect(granted.requestPermission).not.toHaveBeenCalled();
    expect(notifyNewTasks([entry], {})).toBe(false);
    expect(notifyNewTasks([], granted.host)).toBe(false);
  });
});
