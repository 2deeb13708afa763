import { describe, expect, it } from 'vitest';
import type { RecordResult, SyncRecord } from '@stockverify/shared';
import { ApiClientError } from '../api/client';
import type { PhotoEntry } from '../db/device-db';
import { Outbox } from '../outbox/outbox';
import { countRecord, resultFor } from '../../test/support/records';
import { freshDeviceDb } from '../../test/support/fake-db';
import { backoffDelay } from './backoff';
import { batchKey, SyncEngine } from './sync-engine';
import type { SyncTransport } from './sync-engine';

type Fault =
  | { kind: 'network' }
  | { kind: 'lost-answer' } // stored on the server, answer never arrives
  | { kind: 'status'; status: number; code: string; retryAfter?: number }
  | { kind: 'partial'; answer: number };

/**
 * A server that behaves like ours: one stored line per op_id, replays by idempotency key, and
 * conflicts for records whose rack was force-released. Faults are scripted per call.
 */
class FakeServer implements SyncTransport {
  readonly lines = new Map<string, SyncRecord>();
  readonly byKey = new Map<string, RecordResult[]>();
  readonly released = new Set<string>();
  readonly faults: Fault[] = [];
  readonly batches: Array<{ key: string; size: number }> = [];
  readonly photos = new Map<string, string>();

  async postBatch(_device: string, records: readonly SyncRecord[], key: string) {
    this.batches.push({ key, size: records.length });
    const fault = this.faults.shift();
    if (fault?.kind === 'network') throw new ApiClientError('NETWORK_ERROR', 'offline', 0);
    if (fault?.kind === 'status') {
      throw new ApiClientError(
        fault.code as 'SERVICE_UNAVAILABLE',
        fault.code,
        fault.status,
        [],
        null,
        fault.retryAfter ?? null,
      );
    }
    const replay = this.byKey.get(key);
    const results =
      replay ??
      records.map((record): RecordResult => {
        if ('rack' in record && this.released.has(record.rack)) {
          return resultFor(record, 'CONFLICT', 'LOCK_LOST');
        }
        if (record.type === 'count' && record.counted_qty < 0) {
          return resultFor(record, 'ERROR', 'VALIDATION_FAILED');
        }
        this.lines.set(record.op_id, record);
        return resultFor(record);
      });
    this.byKey.set(key, results);
    if (fault?.kind === 'lost-answer') throw new ApiClientError('NETWORK_ERROR', 'timeout', 0);
    if (fault?.kind === 'partial') return results.slice(0, fault.answer);
    return results;
  }

  async uploadPhoto(photo: PhotoEntry) {
    const id = `srv-${photo.id}`;
    this.photos.set(id, photo.content_type);
    return id;
  }
}

function setup(options: { batchSize?: number } = {}) {
  const db = freshDeviceDb();
  const outbox = new Outbox(db);
  const server = new FakeServer();
  const timers: Array<{ fn: () => void; ms: number }> = [];
  let user: string | null = 'u1';
  const engine = new SyncEngine({
    outbox,
    transport: server,
    currentUserId: () => user,
    deviceId: 'phone-1',
    batchSize: options.batchSize,
    random: () => 0.5,
    setTimer: (fn, ms) => {
      const timer = { fn, ms };
      timers.push(timer);
      return timer;
    },
    clearTimer: (handle) => {
      const index = timers.indexOf(handle as (typeof timers)[number]);
      if (index >= 0) timers.splice(index, 1);
    },
  });
  const add = async (n: number, make = () => countRecord()) => {
    const records = Array.from({ length: n }, make);
    for (const record of records) await outbox.enqueue({ userId: 'u1', record, summary: '' });
    return records;
  };
  return {
    db,
    outbox,
    server,
    engine,
    timers,
    add,
    signOut: () => {
      user = null;
    },
  };
}

describe('SyncEngine', () => {
  it('sends everything in batches of at most the batch size and marks each record synced', async () => {
    const { server, engine, add, outbox } = setup({ batchSize: 4 });
    const records = await add(10);
    const run = await engine.syncNow();
    expect(run).toMatchObject({ sent: 10, ok: 10, failure: null });
    expect(server.batches.map((b) => b.size)).toEqual([4, 4, 2]);
    expect([...server.lines.keys()].sort()).toEqual(records.map((r) => r.op_id).sort());
    expect(await outbox.counts('u1')).toMatchObject({ pending: 0, synced: 10 });
    expect(engine.getStatus()).toMatchObject({ phase: 'idle', consecutiveFailures: 0 });
  });

  it('never sends more than 500 records in one batch', async () => {
    const { server, engine, add } = setup({ batchSize: 10_000 });
    await add(501);
    await engine.syncNow();
    expect(server.batches.map((b) => b.size)).toEqual([500, 1]);
  });

  it('retries a batch whose answer was lost with the same key, and stores each record once', async () => {
    const { server, engine, add, timers, outbox } = setup();
    await add(3);
    server.faults.push({ kind: 'lost-answer' });
    const first = await engine.syncNow();
    expect(first.failure).toBe('timeout');
    expect(server.lines.size).toBe(3);
    expect(await outbox.counts('u1')).toMatchObject({ pending: 3 });
    expect(timers).toHaveLength(1);
    timers.shift()!.fn();
    await engine.syncNow();
    expect(server.batches[0]!.key).toBe(server.batches[1]!.key);
    expect(server.lines.size).toBe(3);
    expect(await outbox.counts('u1')).toMatchObject({ pending: 0, synced: 3 });
  });

  it('backs off exponentially with jitter and respects Retry-After', async () => {
    const { server, engine, add, timers } = setup();
    await add(1);
    server.faults.push({ kind: 'network' }, { kind: 'network' }, { kind: 'network' });
    const delays: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      await engine.syncNow();
      delays.push(timers.at(-1)!.ms);
    }
    // random() = 0.5 → three quarters of each window: 2 s, 4 s, 8 s windows.
    expect(delays).toEqual([1500, 3000, 6000]);
    server.faults.push({
      kind: 'status',
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      retryAfter: 60,
    });
    await engine.syncNow();
    expect(timers.at(-1)!.ms).toBe(60_000);
    expect(engine.getStatus()).toMatchObject({ phase: 'waiting', consecutiveFailures: 4 });
    await engine.syncNow();
    expect(engine.getStatus()).toMatchObject({ phase: 'idle', consecutiveFailures: 0 });
  });

  it('keeps the rest pending when the server answers only part of a batch', async () => {
    const { server, engine, add, outbox, db } = setup();
    const records = await add(5);
    server.faults.push({ kind: 'partial', answer: 2 });
    const run = await engine.syncNow();
    expect(run.ok).toBe(2);
    expect(run.failure).toMatch(/3 records got no answer/);
    expect(await outbox.counts('u1')).toMatchObject({ synced: 2, pending: 3 });
    expect((await db.outbox.get(records[4]!.op_id))?.attempts).toBe(1);
    await engine.syncNow();
    expect(await outbox.counts('u1')).toMatchObject({ synced: 5, pending: 0 });
  });

  it('keeps conflicts and errors with their reasons, never as pending and never dropped', async () => {
    const { server, engine, add, outbox } = setup();
    await add(2);
    await add(1, () => countRecord({ rack: 'B-02' }));
    await add(1, () => countRecord({ counted_qty: -1 }));
    server.released.add('B-02');
    const run = await engine.syncNow();
    expect(run).toMatchObject({ ok: 2, conflict: 1, error: 1 });
    const [conflict] = await outbox.list('conflict', 'u1');
    expect(conflict?.result?.code).toBe('LOCK_LOST');
    expect((await outbox.list('error', 'u1'))[0]?.result?.code).toBe('VALIDATION_FAILED');
    expect(await outbox.counts()).toMatchObject({ pending: 0, synced: 2, conflict: 1, error: 1 });
  });

  it('stops on 401 without retry timers and resumes after sign-in', async () => {
    const { server, engine, add, timers, outbox } = setup();
    await add(2);
    server.faults.push({ kind: 'status', status: 401, code: 'UNAUTHORIZED' });
    await engine.syncNow();
    expect(engine.getStatus().phase).toBe('signed_out');
    expect(timers).toHaveLength(0);
    expect(await outbox.counts('u1')).toMatchObject({ pending: 2 });
    await engine.syncNow();
    expect(await outbox.counts('u1')).toMatchObject({ synced: 2 });
  });

  it('sends nothing for a signed-out phone, and only the signed-in user’s records', async () => {
    const { server, engine, outbox, signOut } = setup();
    await outbox.enqueue({ userId: 'someone-else', record: countRecord(), summary: '' });
    await engine.syncNow();
    expect(server.batches).toHaveLength(0);
    signOut();
    expect((await engine.syncNow()).failure).toBe('signed out');
  });

  it('halves the batch on 413 and sends the same records in smaller batches', async () => {
    const { server, engine, add, timers, outbox } = setup({ batchSize: 8 });
    await add(8);
    server.faults.push({ kind: 'status', status: 413, code: 'PAYLOAD_TOO_LARGE' });
    await engine.syncNow();
    timers.shift()!.fn();
    await engine.syncNow();
    expect(server.batches.map((b) => b.size)).toEqual([8, 4, 4]);
    expect(await outbox.counts('u1')).toMatchObject({ synced: 8 });
  });

  it('holds a batch the server refuses as a whole, and says why', async () => {
    const { server, engine, add, timers, outbox } = setup();
    await add(1);
    server.faults.push({ kind: 'status', status: 400, code: 'VALIDATION_FAILED' });
    await engine.syncNow();
    expect(engine.getStatus()).toMatchObject({ phase: 'blocked' });
    expect(engine.getStatus().lastError).toMatch(/refused the batch/);
    expect(timers).toHaveLength(0);
    expect(await outbox.counts('u1')).toMatchObject({ pending: 1 });
  });

  it('uploads photos first and sends the server photo ids', async () => {
    const { server, engine, outbox } = setup();
    const record = countRecord({ photo_ids: ['local-1'] });
    await outbox.enqueue({
      userId: 'u1',
      record,
      summary: '',
      photos: [{ id: 'local-1', blob: new Blob(['jpeg']), content_type: 'image/jpeg' }],
    });
    await engine.syncNow();
    const stored = server.lines.get(record.op_id);
    expect(stored && 'photo_ids' in stored ? stored.photo_ids : null).toEqual(['srv-local-1']);
  });

  it('runs one sync at a time and runs once more for a trigger during a run', async () => {
    const { server, engine, add } = setup();
    await add(1);
    const a = engine.syncNow();
    const b = engine.syncNow();
    expect(a).toBe(b);
    await a;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.batches).toHaveLength(1);
  });

  it('derives the idempotency key from the exact body', async () => {
    expect(await batchKey('{"a":1}')).toBe(await batchKey('{"a":1}'));
    expect(await batchKey('{"a":1}')).not.toBe(await batchKey('{"a":2}'));
  });
});

describe('backoffDelay', () => {
  it('grows, caps at the maximum and never goes below half the window', () => {
    const policy = { baseMs: 1000, maxMs: 8000 };
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 1)).toBe(1000);
    expect(backoffDelay(3, policy, () => 1)).toBe(4000);
    expect(backoffDelay(30, policy, () => 1)).toBe(8000);
    expect(backoffDelay(30, policy, () => 0)).toBe(4000);
    expect(backoffDelay(1, policy, () => 0, 30_000)).toBe(30_000);
  });
});
