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
  type ItemExpectedAnswer,
} from '@stockverify/shared';
import type { SessionRecord } from '../../ports/counting';
import type { AtCountColumns } from '../../ports/read-model';
import type { Store } from '../../ports/store';
import { computeItemExpected, readCompleteUntil } from './expected.service';

/** Items drained per round; the drain yields to the event loop between items. */
export const AT_COUNT_BATCH = 200;
/** How often the drain looks for marked items (ms). */
export const AT_COUNT_INTERVAL_MS = 1_000;

/**
 * An item's at-count columns from its expected-at-count answer: the route's figures as stored
 * (thousandths), the hints' kinds, and `final_at`, the feed completeness from which none of its
 * counts is provisional any more (its latest bound + the slack `expectedAtCount` applies).
 */
export function atCountColumns(answer: ItemExpectedAnswer): AtCountColumns {
  const kinds = new Set(answer.hints.map((h) => h.kind));
  const hints = HINT_KINDS.filter((k) => kinds.has(k));
  const e = answer.expected;
  if (!answer.known || e === null) {
    return {
      status: 'unknown',
      expected_m: null,
      vac_m: null,
      vac_low_m: null,
      vac_high_m: null,
      provisional: false,
      hints,
      final_at: null,
    };
  }
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
  };
}

/** The columns an item of this session has now, computed from scratch (tests: the oracle). */
export async function computeAtCount(
  store: Store,
  session: Pick<SessionRecord, 'id' | 'warehouse' | 'erp_watermark' | 'erp_watermark_high'>,
  itemCode: string,
  completeUntil: string | null,
): Promise<AtCountColumns> {
  const answer = await computeItemExpected(store, session, itemCode, () =>
    Promise.resolve(completeUntil),
  );
  return answer ? atCountColumns(answer) : atCountColumnsUnknown();
}

function atCountColumnsUnknown(): AtCountColumns {
  return {
    status: 'unknown',
    expected_m: null,
    vac_m: null,
    vac_low_m: null,
    vac_high_m: null,
    provisional: false,
    hints: [],
    final_at: null,
  };
}

export interface AtCountUpkeepDeps {
  store: Store;
  log: { warn: (obj: object, msg: string) => void };
  intervalMs?: number;
  batch?: number;
}

export type AtCountUpkeep = ReturnType<typeof createAtCountUpkeep>;

export function createAtCountUpkeep(deps: AtCountUpkeepDeps) {
  const { store, log } = deps;
  const batch = deps.batch ?? AT_COUNT_BATCH;
  const intervalMs = deps.intervalMs ?? AT_COUNT_INTERVAL_MS;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  /** The completeness the provisional flags were last checked against (undefined: never). */
  let checkedUntil: string | null | undefined;

  /** One round: provisional flags the feed crossed, then up to `batch` marked items. */
  async function round(): Promise<number> {
    const completeUntil = await readCompleteUntil(store);
    if (completeUntil !== checkedUntil) {
      await store.readModel.markProvisional(completeUntil);
      checkedUntil = completeUntil;
    }
    const marks = await store.readModel.dirtyAtCount(batch);
    const sessions = new Map<string, SessionRecord | null>();
    for (const mark of marks) {
      let session = sessions.get(mark.session_id);
      if (session === undefined) {
        session = await store.sessions.get(mark.session_id);
        sessions.set(mark.session_id, session);
      }
      let columns = atCountColumnsUnknown();
      try {
        if (session) columns = await computeAtCount(store, session, mark.item_code, completeUntil);
      } catch (err) {
        // The expected route answers this item with the error; the model says unknown rather
        // than retry it every round (bad movement data: MovementInputError).
        log.warn({ err, ...mark }, 'expected at count of an item failed; kept as unknown');
      }
      await store.readModel.putAtCount(mark, columns);
      // A turn of the event loop between items: SQLite reads and writes synchronously.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return marks.length;
  }

  /** Runs rounds until no item is marked (or `maxRounds`); returns how many marks it handled. */
  async function drain(maxRounds = 1_000): Promise<number> {
    let handled = 0;
    for (let i = 0; i < maxRounds; i++) {
      const n = await round();
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
      timer = setInterval(() => {
        if (running) return;
        running = drain(50)
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
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => {});
    },
  };
}
