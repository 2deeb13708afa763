/**
 * The read model's expected at count (issue #17, docs/design.md §10 and §13), kept off the sync
 * path. A line write in a session with an ERP watermark sets the items it touches `pending` and
 * marks them dirty in its own transaction; a movement pull marks the items it stored movements
 * for (movement-pull.ts); the feed's completeness crossing an item's latest count marks it too
 * (`markProvisional`, each round). This drain recomputes marked items with the very function the
 * expected route answers with (`computeItemExpected`) and writes their columns, clearing a mark
 * only if no change marked the item again meanwhile — so several API processes may drain at once:
 * computing twice is harmless, and a stale figure is never written over a newer mark.
 */
import {
  DEFAULT_MOVEMENT_SLACK_MS,
  HINT_KINDS,
  evaluate,
  type ItemExpectedAnswer,
  type LiveEvent,
  type ToleranceRule,
} from '@stockverify/shared';
import type { SessionRecord } from '../../ports/counting';
import { atCountOf, type AtCountColumns } from '../../ports/read-model';
import type { Store } from '../../ports/store';
import { DEFAULT_REVIEW_THRESHOLDS, fallbackRule } from '../counting/review-rules';
import {
  createRuleSetCache,
  NO_RULE_SET,
  ruleFor,
  type RuleSetCache,
} from '../tolerance/line-decision';
import { computeItemExpectedWithBins, readCompleteUntil } from './expected.service';
import type { BinKey } from '../../ports/bins';
import { requestsInFlight } from '../../lib/in-flight';
import { writeTurns } from '../../lib/turns';
import { setTimeout as sleep } from 'node:timers/promises';

type AtCountSession = Pick<
  SessionRecord,
  'id' | 'warehouse' | 'erp_watermark' | 'erp_watermark_high' | 'tolerance_rule_set'
>;

/** The rule tables the decision at count reads (cached by version) and the configured fallback. */
export interface AtCountRules {
  ruleSets: RuleSetCache;
  fallback: ToleranceRule;
}

export function atCountRules(
  store: Pick<Store, 'tolerance'>,
  fallback: ToleranceRule = fallbackRule(DEFAULT_REVIEW_THRESHOLDS),
): AtCountRules {
  return { ruleSets: createRuleSetCache(store), fallback };
}

/**
 * The item's tolerance rule (the one its lines resolve: rule table version of the session, item
 * facts of the snapshot, else the master) on its variance at count, item level: counted −
 * written off against expected (design §13 "Next" (3)). An ambiguous item is judged at both ends
 * of its expected range — beyond the rule if either end is — and, within it, is `review`: never
 * accepted unseen. Undecided (null) unless exact or ambiguous.
 */
async function decideAtCount(
  store: Store,
  session: AtCountSession,
  answer: ItemExpectedAnswer,
  rules: AtCountRules,
): Promise<Pick<AtCountColumns, 'within' | 'action'>> {
  const e = answer.expected;
  if (!answer.known || e === null) return { within: null, action: null };
  const [snapshot, item] = await Promise.all([
    store.sessions.snapshotRow(session.id, answer.item_code),
    store.items.get(answer.item_code),
  ]);
  const cost = snapshot?.cost ?? item?.cost ?? 0;
  const set = (await rules.ruleSets.ruleSet(session.tolerance_rule_set?.version)) ?? NO_RULE_SET;
  const rule = ruleFor(
    set,
    {
      item_code: answer.item_code,
      category: snapshot ? snapshot.category : (item?.category ?? null),
      cost,
    },
    session.warehouse,
    rules.fallback,
  );
  const counted = e.counted_milli / 1000;
  const judge = (bookMilli: number) =>
    evaluate(rule, { book: bookMilli / 1000, counted, unitCost: cost });
  if (e.status === 'exact' && e.expected_milli !== null) {
    const r = judge(e.expected_milli);
    return { within: r.within, action: r.action };
  }
  const within = judge(e.expected_low_milli).within && judge(e.expected_high_milli).within;
  return { within, action: within ? 'review' : rule.on_exceed };
}

/** Items drained per round; the drain yields to the event loop between items. */
export const AT_COUNT_BATCH = 200;
/** How often the drain looks for marked items (ms). */
export const AT_COUNT_INTERVAL_MS = 1_000;
/**
 * The share of the event loop the background drain may take while it has items to compute: after
 * each item it pauses for twice the time the item took (at most AT_COUNT_MAX_PAUSE_MS). The sync
 * path and the reads come first; under a peak of counting, items stay `pending` longer and
 * their marks coalesce (one computation for many line writes of an item). `drain()` (tests, the
 * rebuild tool) is not paced.
 */
export const AT_COUNT_DUTY = 1 / 3;
/**
 * The drain's share while someone waits: write work for its turn (sync batches between their
 * transactions: `writeTurns`), or a request for its answer (`requestsInFlight`). The phones'
 * counts and people's reads come first.
 * - With phones syncing back to back nearly every line write marks an item, and a drain at a
 *   third of the loop took that third from the batches (bench:session at 60,000 lines, B phases
 *   against the read model off, one run each: 80.9 % of records/s at a third, 86.1 % at a
 *   twentieth).
 * - At 250,000 lines with 100,000 movements the drain had work all through bench:session's phase
 *   D, took its third of the loop beside the phones' paced batches, and a supervisor's read
 *   arriving then waited behind it.
 * Items stay pending longer instead, and catch up at AT_COUNT_DUTY once nobody waits.
 */
export const AT_COUNT_BUSY_DUTY = 1 / 20;
const AT_COUNT_MAX_PAUSE_MS = 100;

/**
 * An item's at-count columns from its expected-at-count answer: the route's figures as stored
 * (thousandths), the hints' kinds, and `final_at`, the feed completeness from which none of its
 * counts is provisional any more (its latest bound + the slack `expectedAtCount` applies).
 */
export function atCountColumns(
  answer: ItemExpectedAnswer,
  decision: Pick<AtCountColumns, 'within' | 'action'> = { within: null, action: null },
): AtCountColumns {
  const kinds = new Set(answer.hints.map((h) => h.kind));
  const hints = HINT_KINDS.filter((k) => kinds.has(k));
  const e = answer.expected;
  if (!answer.known || e === null) return atCountOf('unknown', hints);
  const latest = Math.max(...answer.lines.map((l) => Date.parse(l.latest)));
  return {
    status: e.status,
    expected_m: e.expected_milli,
    vac_m: e.variance_at_count_milli,
    vac_low_m: e.variance_at_count_low_milli,
    vac_high_m: e.variance_at_count_high_milli,
    provisional: e.provisional,
    hints,
    final_at: new Date(latest + DEFAULT_MOVEMENT_SLACK_MS).toISOString(),
    ...decision,
  };
}

/** The columns an item of this session has now, computed from scratch (tests: the oracle). */
export async function computeAtCount(
  store: Store,
  session: AtCountSession,
  itemCode: string,
  completeUntil: string | null,
  rules: AtCountRules = atCountRules(store),
): Promise<AtCountColumns> {
  return (await computeAtCountWithBins(store, session, itemCode, completeUntil, rules)).columns;
}

/** The item's columns, and its bins' books at count (bin-books-at-count.ts). */
async function computeAtCountWithBins(
  store: Store,
  session: AtCountSession,
  itemCode: string,
  completeUntil: string | null,
  rules: AtCountRules,
): Promise<{ columns: AtCountColumns; binBooks: Map<string, number | null> }> {
  const { answer, binBooks } = await computeItemExpectedWithBins(store, session, itemCode, () =>
    Promise.resolve(completeUntil),
  );
  if (!answer) return { columns: atCountOf('unknown'), binBooks };
  const decision = await decideAtCount(store, session, answer, rules);
  return { columns: atCountColumns(answer, decision), binBooks };
}

export interface AtCountUpkeepDeps {
  store: Store;
  log: { warn: (obj: object, msg: string) => void };
  /** Where no rule of the session's table matches (the app's review thresholds). */
  fallback?: ToleranceRule;
  intervalMs?: number;
  batch?: number;
  /** The background drain's share of the event loop (AT_COUNT_DUTY; 1 = not paced). */
  duty?: number;
  /** How the paced drain waits (tests record it). */
  pause?: (ms: number) => Promise<unknown>;
  /**
   * Whether someone waits: write work for a turn, or a request for its answer (default:
   * `writeTurns.waiting() > 0 || requestsInFlight.count() > 0`).
   */
  busy?: () => boolean;
  /** The drain's share while `busy()` (AT_COUNT_BUSY_DUTY; never more than `duty`). */
  busyDuty?: number;
  /** The clock an item's time is taken on (ms; tests step it). */
  now?: () => number;
  /**
   * Settles again the bins whose book at count changed (docs/design.md §13 "Bins judged at
   * count"): the app's settlement. Without it (benchmarks that turn settlement off, the
   * rebuild tool) the drain leaves the books at count as they are.
   */
  resettle?: (session: SessionRecord, keys: BinKey[]) => Promise<void>;
  /**
   * Tells open consoles that a session's items have new figures at count (a live `at_count`
   * event per session and round, `data.items` how many), so a list showing them `pending` reads
   * them again instead of waiting to be reopened.
   */
  publish?: (event: Omit<LiveEvent, 'at'>) => void;
}

export type AtCountUpkeep = ReturnType<typeof createAtCountUpkeep>;

export function createAtCountUpkeep(deps: AtCountUpkeepDeps) {
  const { store, log } = deps;
  const batch = deps.batch ?? AT_COUNT_BATCH;
  const intervalMs = deps.intervalMs ?? AT_COUNT_INTERVAL_MS;
  const duty = deps.duty ?? AT_COUNT_DUTY;
  const busyDuty = Math.min(duty, deps.busyDuty ?? AT_COUNT_BUSY_DUTY);
  const busy = deps.busy ?? (() => writeTurns.waiting() > 0 || requestsInFlight.count() > 0);
  const now = deps.now ?? (() => performance.now());
  const pause = deps.pause ?? sleep;
  const rules = atCountRules(store, deps.fallback);
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  /** Set by stop(): a running drain ends after its current item. */
  let stopping = false;
  /** The completeness the provisional flags were last checked against (undefined: never). */
  let checkedUntil: string | null | undefined;

  /** One round: provisional flags the feed crossed, then up to `batch` marked items. */
  async function round(paced: boolean): Promise<number> {
    const completeUntil = await readCompleteUntil(store);
    if (completeUntil !== checkedUntil) {
      await store.readModel.markProvisional(completeUntil);
      checkedUntil = completeUntil;
    }
    const marks = await store.readModel.dirtyAtCount(batch);
    const sessions = new Map<string, SessionRecord | null>();
    /** Items given new columns this round, per session (announced once the round ends). */
    const computed = new Map<string, number>();
    for (const waiting of marks) {
      // Stopping (the API shuts down): the items left stay marked for the next start.
      if (stopping) break;
      const started = now();
      // Claimed before the item is read: a line write from now on marks it again (AtCountMark).
      const mark = await store.readModel.claimAtCount(waiting);
      if (!mark) {
        // Taken or marked again meanwhile: the next round sees it. A turn of the loop all the same.
        await writeTurns.next();
        continue;
      }
      let session = sessions.get(mark.session_id);
      if (session === undefined) {
        session = await store.sessions.get(mark.session_id);
        sessions.set(mark.session_id, session);
      }
      let columns = atCountOf('unknown');
      // Every bin on its snapshot book unless the computation says otherwise.
      let binBooks = new Map<string, number | null>();
      try {
        if (session) {
          ({ columns, binBooks } = await computeAtCountWithBins(
            store,
            session,
            mark.item_code,
            completeUntil,
            rules,
          ));
        }
      } catch (err) {
        // The expected route answers this item with the error; the model says unknown rather
        // than retry it every round (bad movement data: MovementInputError).
        log.warn({ err, ...mark }, 'expected at count of an item failed; kept as unknown');
      }
      // The bins whose book at count changed are judged again (design §13 "Bins judged at
      // count"), before the mark is cleared: a settlement that fails forgets the item's books and
      // marks it again, so the next round finds them changed and settles them.
      // A reconciled session's bins are final: its package was built on them, so a movement
      // pulled later changes its figures at count (flagged in the package), never its bins.
      const judged = deps.resettle !== undefined && session?.status !== 'RECONCILED';
      const changed = judged
        ? await store.binBooks.putItem(mark.session_id, mark.item_code, binBooks)
        : [];
      if (session && changed.length > 0 && deps.resettle) {
        try {
          await deps.resettle(
            session,
            changed.map((rack) => ({ rack, item_code: mark.item_code })),
          );
        } catch (err) {
          log.warn(
            { err, ...mark },
            'settling bins judged at count failed; tried again next round',
          );
          await store.binBooks.putItem(mark.session_id, mark.item_code, new Map());
          await store.readModel.markAtCount(mark.session_id, [mark.item_code]);
        }
      }
      await store.readModel.putAtCount(mark, columns);
      computed.set(mark.session_id, (computed.get(mark.session_id) ?? 0) + 1);
      // A turn of write work between items (lib/turns.ts), as a sync batch's chunks: SQLite
      // reads and writes synchronously, and a read waits for one item, not one per writer.
      await writeTurns.next();
      if (paced && duty < 1) {
        const spent = now() - started;
        const share = busy() ? busyDuty : duty;
        await pause(Math.min(spent * (1 / share - 1), AT_COUNT_MAX_PAUSE_MS));
      }
    }
    for (const [sessionId, items] of computed) {
      deps.publish?.({
        type: 'at_count',
        action: 'computed',
        session_id: sessionId,
        data: { items },
      });
    }
    return marks.length;
  }

  /** Runs rounds until no item is marked (or `maxRounds`); returns how many marks it handled. */
  async function drain(maxRounds = 1_000, paced = false): Promise<number> {
    let handled = 0;
    for (let i = 0; i < maxRounds && !stopping; i++) {
      const n = await round(paced);
      handled += n;
      if (n === 0) break;
    }
    return handled;
  }

  return {
    /** Drains now unless a drain is running (then waits for it); for tests and the rebuild tool. */
    drain(maxRounds?: number): Promise<number> {
      if (running) return running.then(() => drain(maxRounds));
      const p = drain(maxRounds).finally(() => {
        if (running === p) running = null;
      });
      running = p;
      return p;
    },
    start(): void {
      if (timer || intervalMs <= 0) return;
      stopping = false;
      // Claims left by a process that stopped half-way wait again (at most one item recomputed
      // twice when another process is computing it now).
      let released: Promise<unknown> | null = store.readModel
        .releaseAtCountClaims()
        .catch((err: unknown) => log.warn({ err }, 'releasing at-count claims failed'));
      timer = setInterval(() => {
        if (running) return;
        const first = released;
        released = null;
        running = (first ?? Promise.resolve())
          .then(() => drain(50, true))
          .catch((err: unknown) => {
            log.warn({ err }, 'expected-at-count upkeep failed; the next round tries again');
            return 0;
          })
          .finally(() => {
            running = null;
          });
      }, intervalMs);
      timer.unref();
    },
    /** Stops the timer and waits for a round in progress. */
    async stop(): Promise<void> {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => {});
    },
  };
}
