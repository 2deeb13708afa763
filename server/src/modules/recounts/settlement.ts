/**
 * Settling bins after line writes (issue #16 items 2–3, docs/design.md §11–§12). Every path that
 * writes or re-rules a count line — a sync batch, an online count, a correction, a review
 * decision, an accepted conflict, a supervisor's decision on a bin — hands the lines (or bins) it
 * touched here; the store re-settles each bin in one transaction with the pure callback of
 * `settle.ts`, which opens and closes recount tasks as the outcome says. The facts the callback
 * needs (the session's rule, book and cost per item, who is present, open tasks per counter) are
 * read before, so the transaction itself stays synchronous and short.
 */
import { randomUUID } from 'node:crypto';
import type { BinRecord, CountSession, ToleranceRule } from '@stockverify/shared';
import type { BinKey, BinSettleInput, BinSettleOutcome } from '../../ports/bins';
import type { Coordination } from '../../ports/coordination';
import type { CountLineRecord, SnapshotRack } from '../../ports/counting';
import type { Store } from '../../ports/store';
import type { EventBus } from '../events/event-bus';
import { createRuleSetCache, decideLine, NO_RULE_SET, ruleFor } from '../tolerance/line-decision';
import { chooseAssignee, readAssignmentFacts } from './assign';
import { makeSettle } from './settle';
import { binBook } from '../sessions/bin-book';
import { writeTurns } from '../../lib/turns';
import { binBookKey } from '../../ports/bin-books';

/** What a bin's rule and figures are read from (the session's snapshot, as for its lines). */
export interface BinFacts {
  rule: ToleranceRule;
  /** The book the bin is judged on: its book at count where the drain keeps one, else the snapshot's. */
  book: number;
  unit_cost: number;
}

/** A bin's facts with where its book comes from (the bin history view says which). */
export interface BinFactsWithBasis extends BinFacts {
  basis: 'snapshot' | 'at_count';
  /** The snapshot's bin book (design §4 "A bin's book"), whatever the basis. */
  snapshot_book: number;
}

/** An item's facts, with its book per rack where the snapshot knows it (null: it does not). */
interface ItemFacts extends BinFacts {
  racks: readonly SnapshotRack[] | null;
}

/** A bin's facts: its item's rule and cost, and the bin's book (docs/design.md §4 "A bin's book"). */
function factsForBin(item: ItemFacts, rack: string): BinFacts {
  return { rule: item.rule, book: binBook(item.book, item.racks, rack), unit_cost: item.unit_cost };
}

export interface SettleOptions {
  /** The supervisor's note for a task a `recount` decision opens. */
  note?: string | null;
  /** Give a task opened now to this counter (a supervisor's `assign_to`). */
  assignTo?: string | null;
  /** Op ids of the lines just written: one that came too late is announced. */
  fresh?: ReadonlySet<string>;
}

export type Settlement = ReturnType<typeof createSettlement>;

const binKey = (k: BinKey) => `${k.rack}\u0000${k.item_code}`;

/**
 * Bins settled per store transaction: about 0.2 ms of CPU each when every count is doubtful, so a
 * chunk stays a short slice of the event loop (the sync's line chunks, FLUSH_LINES, are about as
 * long).
 */
const SETTLE_CHUNK = 40;

/** Item facts kept per API process (about 100 bytes each plus the rule, shared). */
const FACTS_KEPT = 100_000;

/**
 * Whether a line written into a bin can change the bin's settlement without looking at the store:
 * a recount, a line outside tolerance (or with no decision), a counter's repeated count.
 * Everything else — one counter's first count within tolerance, or their correction of it within
 * tolerance — needs the store's word: does the bin have a row, or a line by somebody else
 * (`BinRepo.needsSettling`, one indexed read per bin). A correction without REPEATED_COUNT is its
 * counter's only live line of the item (the rule counts live lines, the corrected one excepted),
 * so a bin without a row stays one counter's one count within tolerance: no row before or after
 * (docs/design.md §12 "When").
 */
export function mayChangeBin(line: CountLineRecord): boolean {
  return (
    line.phase > 0 ||
    line.recount_task_id !== null ||
    // A counter's second line of the bin: the bin is judged on their sum, not line by line.
    line.review_reasons.includes('REPEATED_COUNT') ||
    line.tolerance?.within !== true
  );
}

export function createSettlement(deps: {
  store: Store;
  coordination: Coordination;
  events: EventBus;
  clock: () => Date;
  /** Decides where no rule of the session's set does (the configured review thresholds). */
  fallback: ToleranceRule;
}) {
  const { store, coordination, events, clock, fallback } = deps;
  const ruleSets = createRuleSetCache(store);
  // The facts of items in a session's snapshot, kept: a snapshot (books, books per rack, costs,
  // categories) and the rule-set version a session runs on are written once and never change, so
  // a bin settled again, or an item counted in another rack, costs no read. Items outside the
  // snapshot are read from the master each time (it changes).
  const snapshotFacts = new Map<string, ItemFacts>();
  const factsKey = (session: CountSession, code: string) =>
    `${session.id}\u0000${session.tolerance_rule_set?.version ?? ''}\u0000${code}`;

  /**
   * Rule, book (with its book per rack) and unit cost per item of the session, from its snapshot
   * (the master outside it).
   */
  async function factsOf(
    session: CountSession,
    itemCodes: readonly string[],
  ): Promise<Map<string, ItemFacts>> {
    const out = new Map<string, ItemFacts>();
    const codes: string[] = [];
    for (const code of new Set(itemCodes)) {
      const known = snapshotFacts.get(factsKey(session, code));
      if (known) out.set(code, known);
      else codes.push(code);
    }
    if (codes.length === 0) return out;
    const set = (await ruleSets.ruleSet(session.tolerance_rule_set?.version)) ?? NO_RULE_SET;
    const outside: string[] = [];
    const racks = await store.sessions.snapshotRacks(session.id, codes);
    // Bounded: a long-running API forgets the oldest session's items first.
    if (snapshotFacts.size + codes.length > FACTS_KEPT) snapshotFacts.clear();
    for (const code of codes) {
      const row = await store.sessions.snapshotRow(session.id, code);
      if (!row) {
        outside.push(code);
        continue;
      }
      const rule = ruleFor(
        set,
        { item_code: code, category: row.category, cost: row.cost },
        session.warehouse,
        fallback,
      );
      const facts: ItemFacts = {
        rule,
        book: row.book_qty,
        unit_cost: row.cost,
        racks: racks.get(code) ?? null,
      };
      out.set(code, facts);
      snapshotFacts.set(factsKey(session, code), facts);
    }
    if (outside.length > 0) {
      for (const item of await store.items.getMany(outside)) {
        const rule = ruleFor(
          set,
          { item_code: item.item_code, category: item.category, cost: item.cost },
          session.warehouse,
          fallback,
        );
        out.set(item.item_code, { rule, book: 0, unit_cost: item.cost, racks: null });
      }
    }
    return out;
  }

  /**
   * What the session's rules say of `counted` for one item in `rack`, as a line stores it (design
   * §12), with the snapshot's book, cost and price: for a line a supervisor writes. `book` is the
   * item's (the line's variance); the decision judges the bin's book (design §4 "A bin's book").
   */
  async function lineFacts(session: CountSession, itemCode: string, counted: number, rack: string) {
    const set = (await ruleSets.ruleSet(session.tolerance_rule_set?.version)) ?? NO_RULE_SET;
    const row = await store.sessions.snapshotRow(session.id, itemCode);
    const item = row ? null : await store.items.get(itemCode);
    const category = row ? row.category : (item?.category ?? null);
    const cost = row?.cost ?? item?.cost ?? 0;
    const book = row?.book_qty ?? 0;
    const racks = row
      ? ((await store.sessions.snapshotRacks(session.id, [itemCode])).get(itemCode) ?? null)
      : null;
    const tolerance = decideLine(
      set,
      {
        item: { item_code: itemCode, category, cost },
        warehouse: session.warehouse,
        book: binBook(book, racks, rack),
        counted,
        unitCost: cost,
      },
      fallback,
    );
    return { tolerance, book, cost, price: row?.price ?? item?.price ?? 0 };
  }

  /**
   * The facts of one bin (a bin of an item nobody knows: book 0 and the fallback), judged on its
   * book at count where the drain keeps one (docs/design.md §13 "Bins judged at count").
   */
  async function binFacts(session: CountSession, key: BinKey): Promise<BinFactsWithBasis> {
    const item = (await factsOf(session, [key.item_code])).get(key.item_code);
    const facts = item ? factsForBin(item, key.rack) : { rule: fallback, book: 0, unit_cost: 0 };
    const atCount = (await store.binBooks.get(session.id, [key])).get(binBookKey(key));
    return atCount === undefined
      ? { ...facts, basis: 'snapshot', snapshot_book: facts.book }
      : { ...facts, book: atCount / 1000, basis: 'at_count', snapshot_book: facts.book };
  }

  /** Announces what settling did: bins whose state moved, tasks opened and closed. */
  function announce(
    session: CountSession,
    before: Map<string, BinRecord['state'] | null>,
    outcomes: Map<string, { input: BinSettleInput; outcome: BinSettleOutcome }>,
    fresh: ReadonlySet<string>,
  ): void {
    for (const [key, { input, outcome }] of outcomes) {
      // A count that came after the bin was decided, or answering a task already closed: it is
      // kept and shown, never counted silently (docs/design.md §11).
      const open = new Set(input.open_tasks.map((t) => t.id));
      const late = input.lines
        .filter(
          (l) =>
            fresh.has(l.op_id) &&
            (outcome.settlement.conflicts.some((c) => c.id === l.op_id) ||
              (l.recount_task_id !== null && !open.has(l.recount_task_id))),
        )
        .map((l) => l.op_id);
      if (late.length > 0) {
        events.publish({
          type: 'bin',
          action: 'late_count',
          session_id: session.id,
          rack: input.key.rack,
          data: { item_code: input.key.item_code, op_ids: late },
        });
      }
      const state = outcome.settlement.state;
      if (before.get(key) !== state) {
        events.publish({
          type: 'bin',
          action: state,
          session_id: session.id,
          rack: input.key.rack,
          data: {
            item_code: input.key.item_code,
            reason: outcome.settlement.reason,
            phase: outcome.settlement.phase,
          },
        });
      }
      if (outcome.open_task) {
        events.publish({
          type: 'recount_task',
          action: 'opened',
          session_id: session.id,
          rack: input.key.rack,
          data: {
            task_id: outcome.open_task.id,
            item_code: input.key.item_code,
            phase: outcome.open_task.phase,
            assigned_to: outcome.open_task.assigned_to,
          },
        });
      }
      for (const closed of outcome.close_tasks ?? []) {
        events.publish({
          type: 'recount_task',
          action: closed.state,
          session_id: session.id,
          rack: input.key.rack,
          data: {
            task_id: closed.id,
            item_code: input.key.item_code,
            // Whose list it leaves (null: it was offered to anyone): the phones' notices (§11).
            assigned_to: input.open_tasks.find((t) => t.id === closed.id)?.assigned_to ?? null,
          },
        });
      }
    }
  }

  /**
   * Re-settles the given bins of a session (SETTLE_CHUNK bins a store transaction). Returns the bin
   * records as written (null: the bin needs no row).
   */
  async function settleBins(
    session: CountSession,
    keys: readonly BinKey[],
    options: SettleOptions = {},
  ): Promise<Map<string, Omit<BinRecord, 'item_name'> | null>> {
    const result = new Map<string, Omit<BinRecord, 'item_name'> | null>();
    if (keys.length === 0 || !store.bins || !store.recountTasks) return result;
    const bins = store.bins;
    const facts = await factsOf(
      session,
      keys.map((k) => k.item_code),
    );
    // Bins the drain judges at count (docs/design.md §13 "Bins judged at count"): one keyed read.
    const booksAtCount = await store.binBooks.get(session.id, keys);
    const team = await readAssignmentFacts(
      { coordination, recountTasks: store.recountTasks },
      session.id,
    );
    // The state before, from the row the store hands the callback (no read of its own).
    const before = new Map<string, BinRecord['state'] | null>();
    const outcomes = new Map<string, { input: BinSettleInput; outcome: BinSettleOutcome }>();
    const inner = makeSettle({
      ruleFor: (input: BinSettleInput) => {
        const item = facts.get(input.key.item_code);
        const bin = item
          ? factsForBin(item, input.key.rack)
          : { rule: fallback, book: 0, unit_cost: 0 };
        const atCount = booksAtCount.get(binBookKey(input.key));
        return atCount === undefined ? bin : { ...bin, book: atCount / 1000 };
      },
      now: () => clock().toISOString(),
      newTaskId: () => randomUUID(),
      chooseAssignee: (_input: BinSettleInput, excluded: readonly string[]) => {
        const chosen =
          options.assignTo && !excluded.includes(options.assignTo)
            ? options.assignTo
            : chooseAssignee(team, excluded);
        // Several tasks opened in one call spread over the present counters.
        team.take(chosen);
        return chosen;
      },
      note: options.note ?? null,
    });
    const callback = (input: BinSettleInput) => {
      before.set(binKey(input.key), input.previous?.state ?? null);
      const outcome = inner(input);
      outcomes.set(binKey(input.key), { input, outcome });
      return outcome;
    };
    // SETTLE_CHUNK bins a store transaction, one turn of write work each (lib/turns.ts): a
    // 500-line batch of doubtful counts held the event loop for one 110 ms transaction.
    for (let k = 0; k < keys.length; k += SETTLE_CHUNK) {
      if (k > 0) await writeTurns.next();
      const chunk = keys.slice(k, k + SETTLE_CHUNK);
      const written = await bins.settle(session.id, chunk, callback);
      chunk.forEach((key, i) => result.set(binKey(key), written[i] ?? null));
    }
    announce(session, before, outcomes, options.fresh ?? new Set());
    return result;
  }

  /** Of the lines' claims, those taken split (one read per claim). */
  async function splitClaimIds(lines: readonly CountLineRecord[]): Promise<Set<string>> {
    const ids = new Set(lines.flatMap((l) => (l.claim_id === null ? [] : [l.claim_id])));
    const split = new Set<string>();
    for (const id of ids) if ((await store.claims.get(id))?.split) split.add(id);
    return split;
  }

  /** The bins written lines touch that may have changed, per session. */
  async function binsToSettle(
    sessionId: string,
    lines: readonly CountLineRecord[],
  ): Promise<BinKey[]> {
    const keys = new Map<string, BinKey & { split?: boolean }>();
    const maybe = new Map<string, { key: BinKey; counter: string }>();
    // Lines counted under a split claim make their bin split (docs/design.md §12 "Split bins"):
    // the key says so and the bin is settled, so the row records it even for one part's count.
    const splitClaims = await splitClaimIds(lines);
    for (const line of lines) {
      const key = { rack: line.rack, item_code: line.item_code };
      if (line.claim_id !== null && splitClaims.has(line.claim_id)) {
        keys.set(binKey(key), { ...key, split: true });
      } else if (mayChangeBin(line)) {
        if (!keys.has(binKey(key))) keys.set(binKey(key), key);
      } else maybe.set(binKey(key), { key, counter: line.counted_by });
    }
    const unsure = [...maybe.entries()].filter(([k]) => !keys.has(k)).map(([, v]) => v);
    if (unsure.length > 0 && store.bins) {
      for (const key of await store.bins.needsSettling(sessionId, unsure)) {
        keys.set(binKey(key), key);
      }
    }
    return [...keys.values()];
  }

  return {
    settleBins,
    binFacts,
    lineFacts,

    /**
     * After lines were written: settles the bins they touched that may have changed. A failure
     * fails the request: the phone sends the batch again, its lines come back as already stored
     * (DUPLICATE_OP) and are settled then (the callers pass those too).
     */
    async afterLines(lines: readonly CountLineRecord[]): Promise<void> {
      if (lines.length === 0 || !store.bins) return;
      const bySession = new Map<string, CountLineRecord[]>();
      for (const line of lines) {
        const list = bySession.get(line.session_id);
        if (list) list.push(line);
        else bySession.set(line.session_id, [line]);
      }
      for (const [sessionId, sessionLines] of bySession) {
        const keys = await binsToSettle(sessionId, sessionLines);
        if (keys.length === 0) continue;
        const session = await store.sessions.get(sessionId);
        if (!session) continue;
        await settleBins(session, keys, { fresh: new Set(sessionLines.map((l) => l.op_id)) });
      }
    },
  };
}
