import type { CountSession, Item } from '@stockverify/shared';
import type { SnapshotRack, SnapshotRow, StoredResult } from '../../ports/counting';
import type { Store } from '../../ports/store';
import { createRuleSetCache, type IndexedRuleSet } from '../tolerance/line-decision';
import { checkFence, type FenceCheck } from './fencing';

/**
 * What one request reads more than once, read once (a 500-record batch touches the same session,
 * claims and often the same items), and the per-op answers to write in one go at its end.
 */
export interface BatchCache {
  sessions: Map<string, CountSession | null>;
  items: Map<string, Item | null>;
  snapshots: Map<string, SnapshotRow | null>;
  /** The snapshot's book per rack of an item, null where it has none (design §4 "A bin's book"). */
  snapshotRacks: Map<string, SnapshotRack[] | null>;
  fences: Map<string, FenceCheck>;
  /** Net lines this request added per session|user|item, for the repeated-count rule. */
  added: Map<string, number>;
  /** Lines per session|user|item in the store before this request wrote any (read once). */
  counted: Map<string, number>;
  /** When set, answers are collected here and stored together by the caller. */
  deferred: StoredResult[] | null;
  /** Open conflicts / unknown items per `kind|session|user`, read once, counted up as stored. */
  budgets: Map<string, number>;
}

/** An empty cache for one request; with `deferResults` the per-op answers wait for one write. */
export function newBatch(deferResults: boolean): BatchCache {
  return {
    sessions: new Map(),
    items: new Map(),
    snapshots: new Map(),
    snapshotRacks: new Map(),
    fences: new Map(),
    added: new Map(),
    counted: new Map(),
    deferred: deferResults ? [] : null,
    budgets: new Map(),
  };
}

/** The key of the repeated-count tally: one user's lines of one item in one session. */
function tallyKey(sessionId: string, userId: string, itemCode: string): string {
  return `${sessionId}|${userId}|${itemCode}`;
}

/** A line counts towards the repeated-count rule unless it replaces (supersedes) one that did. */
function tallyStep(record: { supersedes?: string | null }): number {
  return record.supersedes ? 0 : 1;
}

export type BatchReads = ReturnType<typeof createBatchReads>;

/** The store reads a record makes, each made at most once per request (the cache above). */
export function createBatchReads(store: Store) {
  // Rule sets by table version, kept across requests: a version never changes (design §12).
  const ruleSets = createRuleSetCache(store);

  async function sessionOf(batch: BatchCache, id: string): Promise<CountSession | null> {
    if (!batch.sessions.has(id)) batch.sessions.set(id, await store.sessions.get(id));
    return batch.sessions.get(id)!;
  }

  async function itemOf(batch: BatchCache, code: string): Promise<Item | null> {
    if (!batch.items.has(code)) batch.items.set(code, await store.items.get(code));
    return batch.items.get(code)!;
  }

  async function snapshotOf(
    batch: BatchCache,
    sessionId: string,
    code: string,
  ): Promise<SnapshotRow | null> {
    const key = `${sessionId}|${code}`;
    if (!batch.snapshots.has(key))
      batch.snapshots.set(key, await store.sessions.snapshotRow(sessionId, code));
    return batch.snapshots.get(key)!;
  }

  async function snapshotRacksOf(
    batch: BatchCache,
    sessionId: string,
    code: string,
  ): Promise<SnapshotRack[] | null> {
    const key = `${sessionId}|${code}`;
    if (!batch.snapshotRacks.has(key)) {
      const racks = await store.sessions.snapshotRacks(sessionId, [code]);
      batch.snapshotRacks.set(key, racks.get(code) ?? null);
    }
    return batch.snapshotRacks.get(key)!;
  }

  async function fenceOf(
    batch: BatchCache,
    userId: string,
    sessionId: string,
    rack: string,
    token: number,
  ): Promise<FenceCheck> {
    const key = `${sessionId}|${rack}|${token}`;
    if (!batch.fences.has(key))
      batch.fences.set(key, await checkFence(store, userId, sessionId, rack, token));
    return batch.fences.get(key)!;
  }

  /**
   * Lines the user already has for the item (the repeated-count rule), this request's own
   * included, and counts the new line in from now on.
   */
  async function previousCounts(
    batch: BatchCache,
    sessionId: string,
    userId: string,
    itemCode: string,
    record: { supersedes?: string | null },
  ): Promise<number> {
    const key = tallyKey(sessionId, userId, itemCode);
    // Read once per request (a batch of 500 lines of one item re-counted them all per line, and
    // lines flushed earlier in the batch would count twice); this request's own lines are `added`.
    if (!batch.counted.has(key)) {
      batch.counted.set(key, await store.lines.countByUserAndItem(sessionId, userId, itemCode));
    }
    const previous = batch.counted.get(key)! + (batch.added.get(key) ?? 0);
    // This line counts from now on in the request; a correction replaces one that counted.
    batch.added.set(key, (batch.added.get(key) ?? 0) + tallyStep(record));
    return previous - (record.supersedes ? 1 : 0);
  }

  /**
   * The tolerance rules a session runs on: the rule table version it started with, read once per
   * process. Null for a version the store does not hold.
   */
  function ruleSetOf(session: CountSession): Promise<IndexedRuleSet | null> {
    return ruleSets.ruleSet(session.tolerance_rule_set?.version);
  }

  return { sessionOf, itemOf, snapshotOf, snapshotRacksOf, fenceOf, previousCounts, ruleSetOf };
}

/** Takes back a line the store refused, so it does not count as a repeat for the next one. */
export function uncountLine(
  batch: BatchCache,
  sessionId: string,
  userId: string,
  itemCode: string,
  record: { supersedes?: string | null },
): void {
  const key = tallyKey(sessionId, userId, itemCode);
  batch.added.set(key, (batch.added.get(key) ?? 0) - tallyStep(record));
}
