/**
 * The movement pull (issue #17, docs/design.md §3): while any session is open, every
 * `intervalMs` (ERP_MOVEMENTS_INTERVAL_MS, default a minute) the ERP's ledger is read from the
 * stored watermark on, in pages of `pageSize`, at most `maxPages` a pull, each page stored with
 * the watermark it reaches in one write. A pull never overlaps itself (in this process, and
 * across processes through the Coordination lock); movements are stored once by watermark, so a
 * pull repeated after a crash costs only time.
 *
 * Where the first pull starts: the mirror's watermark when a pass recorded one (the oldest point
 * a session's snapshot can need), else the ledger's current watermark — never the whole history
 * of an ERP ledger — else (no current watermark) from its start.
 */
import { randomUUID } from 'node:crypto';
import { compareWatermarks, type ErpMovement, type ErpMovementStatus } from '@stockverify/shared';
import type { SessionRecord } from '../../ports/counting';
import type { Coordination } from '../../ports/coordination';
import type { ErpSource } from '../../ports/erp';
import type { Store } from '../../ports/store';
import type { CircuitBreaker } from '../../lib/circuit-breaker';
import { readMirrorWatermark } from './mirror-watermark';
import { writeTurns } from '../../lib/turns';

export const MOVEMENT_PULL_KEY = 'erp.movements';
const LOCK = 'erp:movements';

/** What the last pull did and its last failure, as `/erp/status` shows them. */
export interface MovementPullDoc {
  /** Where the very first pull started (null inside: the ledger's start); null before it. */
  origin: { watermark: string | null } | null;
  last_started_at: string | null;
  /** The pull's interval in the process that last started one (0 = off). */
  interval_ms: number | null;
  last_result: MovementPullResult | null;
  last_error: string | null;
  last_error_at: string | null;
}

export interface MovementPullResult {
  pages: number;
  received: number;
  inserted: number;
  /** True when the pull stopped at maxPages with more to read: the next one goes on. */
  more: boolean;
  duration_ms: number;
}

export interface MovementPullDeps {
  store: Store;
  coordination: Coordination;
  erp: ErpSource;
  erpBreaker: CircuitBreaker;
  clock: () => Date;
  log: { info: (obj: object, msg: string) => void; warn: (obj: object, msg: string) => void };
  /** 0 = off. */
  intervalMs: number;
  pageSize?: number;
  maxPages?: number;
}

export const DEFAULT_MOVEMENT_PAGE = 1000;
export const DEFAULT_MOVEMENT_MAX_PAGES = 50;

export type MovementPuller = ReturnType<typeof createMovementPuller>;

export async function readMovementPullDoc(store: Store): Promise<MovementPullDoc> {
  return {
    origin: null,
    last_started_at: null,
    interval_ms: null,
    last_result: null,
    last_error: null,
    last_error_at: null,
    ...((await store.meta.get<MovementPullDoc>(MOVEMENT_PULL_KEY)) ?? {}),
  };
}

/** The movement pull as `/erp/status` shows it. */
export async function readMovementStatus(store: Store, now: Date): Promise<ErpMovementStatus> {
  const [state, doc, mirror] = await Promise.all([
    store.movements.state(),
    readMovementPullDoc(store),
    readMirrorWatermark(store.meta),
  ]);
  return {
    watermark: state.watermark,
    last_pull_at: state.last_pull_at,
    newest_posted_at: state.newest_posted_at,
    // How far behind the ERP the newest stored movement is; null before the first.
    lag_ms:
      state.newest_posted_at === null
        ? null
        : Math.max(0, now.getTime() - Date.parse(state.newest_posted_at)),
    count: state.count,
    interval_ms: doc.interval_ms,
    mirror_watermark: mirror?.watermark ?? null,
    last_result: doc.last_result,
    last_error: doc.last_error,
    last_error_at: doc.last_error_at,
  };
}

/**
 * Marks for the read model's at-count drain (docs/design.md §13) the items of these open sessions
 * with a watermark that moved in the session's warehouse after its watermark: only items the
 * session counted are marked (the store skips the others). A pull calls it for each page stored.
 */
export async function markMovedItems(
  store: Pick<Store, 'readModel'>,
  sessions: ReadonlyArray<Pick<SessionRecord, 'id' | 'warehouse' | 'erp_watermark'>>,
  movements: readonly ErpMovement[],
): Promise<void> {
  for (const session of sessions) {
    const watermark = session.erp_watermark ?? null;
    if (watermark === null) continue;
    const codes = new Set<string>();
    for (const m of movements) {
      if (m.warehouse !== session.warehouse) continue;
      if (compareWatermarks(m.watermark, watermark) <= 0) continue;
      codes.add(m.item_code);
    }
    if (codes.size > 0) await store.readModel.markAtCount(session.id, [...codes]);
  }
}

export function createMovementPuller(deps: MovementPullDeps) {
  const { store, coordination, erp, erpBreaker, clock, log } = deps;
  const pageSize = deps.pageSize ?? DEFAULT_MOVEMENT_PAGE;
  const maxPages = deps.maxPages ?? DEFAULT_MOVEMENT_MAX_PAGES;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<MovementPullResult | null> | null = null;

  async function anySessionOpen(): Promise<boolean> {
    const open = await store.sessions.list({
      page: 1,
      page_size: 1,
      sort: '-created_at',
      status: 'OPEN',
    });
    return open.total > 0;
  }

  async function startingPoint(): Promise<string | null> {
    const state = await store.movements.state();
    if (state.watermark !== null) return state.watermark;
    const doc = await readMovementPullDoc(store);
    if (doc.origin) return doc.origin.watermark;
    const mirror = await readMirrorWatermark(store.meta);
    const watermark = mirror?.known
      ? mirror.watermark
      : erp.currentWatermark
        ? await erpBreaker.call(() => erp.currentWatermark!())
        : null;
    await saveDoc({ origin: { watermark } });
    return watermark;
  }

  /** Open sessions with an ERP watermark: their items' expected at count moves with the ledger. */
  async function watchedSessions(): Promise<SessionRecord[]> {
    const out: SessionRecord[] = [];
    for (let page = 1; ; page++) {
      const found = await store.sessions.list({
        page,
        page_size: 100,
        sort: '-created_at',
        status: 'OPEN',
      });
      out.push(...found.items.filter((s) => (s.erp_watermark ?? null) !== null));
      if (found.items.length < 100) return out;
    }
  }

  async function saveDoc(patch: Partial<MovementPullDoc>): Promise<void> {
    await store.meta.set(MOVEMENT_PULL_KEY, { ...(await readMovementPullDoc(store)), ...patch });
  }

  /** One pull: pages until a short page or maxPages. Throws when the ERP or the store fails. */
  async function pull(): Promise<MovementPullResult> {
    const fetchMovements = erp.fetchMovements?.bind(erp);
    if (!fetchMovements) throw new Error(`the ${erp.kind} source has no movements`);
    const started = clock().getTime();
    const result: MovementPullResult = {
      pages: 0,
      received: 0,
      inserted: 0,
      more: false,
      duration_ms: 0,
    };
    let since = await startingPoint();
    const watched = await watchedSessions();
    for (;;) {
      const page = await erpBreaker.call(() => fetchMovements(since, { limit: pageSize }));
      const written = await store.movements.record(page.movements, {
        watermark: page.watermark,
        pulled_at: clock().toISOString(),
      });
      await markMovedItems(store, watched, page.movements);
      result.pages++;
      result.received += page.movements.length;
      result.inserted += written.inserted;
      since = page.watermark;
      if (page.movements.length < pageSize) break;
      if (result.pages >= maxPages) {
        result.more = true;
        break;
      }
      // A turn of write work between pages (lib/turns.ts): SQLite writes synchronously.
      await writeTurns.next();
    }
    result.duration_ms = clock().getTime() - started;
    return result;
  }

  async function run(): Promise<MovementPullResult | null> {
    if (!erp.fetchMovements || !(await anySessionOpen())) return null;
    const owner = randomUUID();
    const lock = await coordination.acquireLock(LOCK, owner, 10 * 60_000);
    if (!lock.ok) return null; // another process is pulling
    const startedAt = clock().toISOString();
    try {
      await saveDoc({ last_started_at: startedAt, interval_ms: deps.intervalMs });
      const result = await pull();
      await saveDoc({ last_result: result, last_error: null });
      if (result.inserted > 0) log.info({ ...result }, 'ERP movements pulled');
      return result;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await store.movements.touch(clock().toISOString());
      await saveDoc({ last_error: message, last_error_at: clock().toISOString() });
      log.warn({ err }, 'ERP movement pull failed; the next one tries again');
      return null;
    } finally {
      await coordination.releaseLock(LOCK, owner);
    }
  }

  return {
    pageSize,
    /** Pulls now unless a pull is running (then answers null at once) or no session is open. */
    tick(): Promise<MovementPullResult | null> {
      if (running) return Promise.resolve(null);
      running = run().finally(() => {
        running = null;
      });
      return running;
    },
    start(): void {
      if (timer || deps.intervalMs <= 0 || !erp.fetchMovements) return;
      timer = setInterval(() => {
        this.tick().catch((err: unknown) => log.warn({ err }, 'ERP movement pull failed'));
      }, deps.intervalMs);
      timer.unref();
    },
    /** Stops the timer and waits for a pull in progress. */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => {});
    },
  };
}
