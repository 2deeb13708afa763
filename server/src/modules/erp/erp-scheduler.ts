/**
 * Scheduled ERP mirroring (issue #7): a quantities pass every few minutes, an items pass less
 * often, and a nightly full pass, all configurable. Every API process runs the same timer; the
 * schedule's state lives in the Store (so all processes see one history and `/erp/status` shows
 * it) and the ERP sync lock in Coordination lets only one process run a pass at a time.
 *
 * - quantities (ERP_QTY_SYNC_MINUTES): the stock rows of items the ERP changed since the last
 *   successful pass began (minus an overlap for clock skew), merged into mirrored items; a
 *   source that cannot read stock alone gets an incremental items read without warehouses. It
 *   relies on the view's `updated_at` moving when stock moves (README beside the mssql adapter).
 * - items (ERP_ITEM_SYNC_MINUTES): the same incremental read plus warehouses and racks.
 * - full (ERP_FULL_SYNC_AT, local time): everything, whatever the timestamps say.
 *
 * A higher pass counts as the lower ones (a full pass is also an items and a quantities pass).
 */
import { ERP_SYNC_PASSES } from '@stockverify/shared';
import type { MetaRepo } from '../../ports/store';

/** The passes, as `/erp/status` names them (shared with the console). */
export const SYNC_PASSES = ERP_SYNC_PASSES;
export type SyncPass = (typeof SYNC_PASSES)[number];

export interface ScheduleSettings {
  /** 0 = off. */
  qtyMinutes: number;
  /** 0 = off. */
  itemMinutes: number;
  /** `HH:MM` in the server's local time, or `off`. */
  fullAt: string;
}

export interface PassState {
  last_started_at: string | null;
  last_finished_at: string | null;
  /** Start of the last pass that succeeded: the next incremental pass reads from here. */
  last_success_started_at: string | null;
  last_error: string | null;
  last_result: Record<string, unknown> | null;
}

export interface ScheduleDoc {
  /** When a scheduler first ran against this store: the baseline for the first passes. */
  created_at: string;
  settings: ScheduleSettings;
  passes: Record<SyncPass, PassState>;
}

/** What `/erp/status` shows per pass. */
export interface ScheduleStatus {
  settings: ScheduleSettings;
  passes: Record<SyncPass, PassState & { next_due_at: string | null }>;
}

export const SCHEDULE_KEY = 'erp.schedule';
/** Incremental passes read from a little before the last one began: ERP and server clocks differ. */
export const SINCE_OVERLAP_MS = 5 * 60_000;
/** A failed nightly pass is tried again after this long, until one succeeds. */
export const FULL_RETRY_MS = 15 * 60_000;

const EMPTY_PASS: PassState = {
  last_started_at: null,
  last_finished_at: null,
  last_success_started_at: null,
  last_error: null,
  last_result: null,
};

function emptyDoc(now: Date, settings: ScheduleSettings): ScheduleDoc {
  return {
    created_at: now.toISOString(),
    settings,
    passes: { quantities: { ...EMPTY_PASS }, items: { ...EMPTY_PASS }, full: { ...EMPTY_PASS } },
  };
}

const time = (iso: string | null): number => (iso === null ? -Infinity : Date.parse(iso));

/** The latest `HH:MM` (server local time) at or before `now`. */
export function lastOccurrence(fullAt: string, now: Date): Date {
  const [hours, minutes] = fullAt.split(':').map(Number) as [number, number];
  const at = new Date(now);
  at.setHours(hours, minutes, 0, 0);
  if (at.getTime() > now.getTime()) at.setDate(at.getDate() - 1);
  return at;
}

/** When each pass is next due (null = off), from the stored history. */
export function nextDue(doc: ScheduleDoc, settings: ScheduleSettings, now: Date) {
  const p = doc.passes;
  const baseline = Date.parse(doc.created_at);
  const startedOf = (...passes: SyncPass[]) =>
    Math.max(baseline, ...passes.map((pass) => time(p[pass].last_started_at)));
  const result: Record<SyncPass, number | null> = { quantities: null, items: null, full: null };
  if (settings.qtyMinutes > 0) {
    result.quantities = startedOf('quantities', 'items', 'full') + settings.qtyMinutes * 60_000;
  }
  if (settings.itemMinutes > 0) {
    result.items = startedOf('items', 'full') + settings.itemMinutes * 60_000;
  }
  if (settings.fullAt !== 'off') {
    const occurrence = lastOccurrence(settings.fullAt, now).getTime();
    const succeeded = Math.max(baseline, time(p.full.last_success_started_at));
    if (succeeded >= occurrence) {
      // Done for tonight: due at the next occurrence.
      const next = new Date(occurrence);
      next.setDate(next.getDate() + 1);
      result.full = next.getTime();
    } else {
      result.full = Math.max(occurrence, time(p.full.last_started_at) + FULL_RETRY_MS);
    }
  }
  return result;
}

/** The pass to run now, highest first, or null. */
export function duePass(doc: ScheduleDoc, settings: ScheduleSettings, now: Date): SyncPass | null {
  const due = nextDue(doc, settings, now);
  for (const pass of ['full', 'items', 'quantities'] as const) {
    const at = due[pass];
    if (at !== null && at <= now.getTime()) return pass;
  }
  return null;
}

/** Where an incremental pass reads from: the latest successful start, minus the overlap. */
export function sinceFor(doc: ScheduleDoc, pass: SyncPass): Date | undefined {
  if (pass === 'full') return undefined;
  const latest = Math.max(
    ...SYNC_PASSES.map((name) => time(doc.passes[name].last_success_started_at)),
  );
  // Never synced under the scheduler: read everything once.
  return Number.isFinite(latest) ? new Date(latest - SINCE_OVERLAP_MS) : undefined;
}

/** Reads the schedule for `/erp/status`; null before any scheduler ran. */
export async function readScheduleStatus(
  meta: MetaRepo,
  now: Date,
): Promise<ScheduleStatus | null> {
  const doc = await meta.get<ScheduleDoc>(SCHEDULE_KEY);
  if (!doc) return null;
  const due = nextDue(doc, doc.settings, now);
  const passes = {} as ScheduleStatus['passes'];
  for (const pass of SYNC_PASSES) {
    const at = due[pass];
    passes[pass] = {
      ...doc.passes[pass],
      next_due_at: at === null ? null : new Date(at).toISOString(),
    };
  }
  return { settings: doc.settings, passes };
}

export interface SchedulerDeps {
  meta: MetaRepo;
  settings: ScheduleSettings;
  clock: () => Date;
  /** Runs one pass (through the ERP circuit breaker); throws when it fails. */
  runPass: (pass: SyncPass, since: Date | undefined) => Promise<Record<string, unknown>>;
  /** True when the error means another process holds the sync lock: nothing to record. */
  isBusy: (err: unknown) => boolean;
  log: { info: (obj: object, msg: string) => void; warn: (obj: object, msg: string) => void };
  /** How often to look at the schedule (default 30 s). */
  tickMs?: number;
}

export type ErpScheduler = ReturnType<typeof createErpScheduler>;

/** The timer that runs due passes; `tick` is exposed so tests drive it with a fake clock. */
export function createErpScheduler(deps: SchedulerDeps) {
  const { meta, settings, clock, runPass, isBusy, log } = deps;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<SyncPass | null> | null = null;

  async function load(): Promise<ScheduleDoc> {
    const stored = await meta.get<ScheduleDoc>(SCHEDULE_KEY);
    if (stored) return { ...stored, settings };
    const fresh = emptyDoc(clock(), settings);
    await meta.set(SCHEDULE_KEY, fresh);
    return fresh;
  }

  async function update(pass: SyncPass, patch: Partial<PassState>): Promise<void> {
    // Re-read: another process may have recorded a pass meanwhile.
    const doc = await load();
    doc.passes[pass] = { ...doc.passes[pass], ...patch };
    await meta.set(SCHEDULE_KEY, doc);
  }

  async function runDue(): Promise<SyncPass | null> {
    const doc = await load();
    const now = clock();
    const pass = duePass(doc, settings, now);
    if (pass === null) return null;
    const startedAt = now.toISOString();
    const since = sinceFor(doc, pass);
    await update(pass, { last_started_at: startedAt });
    try {
      const result = await runPass(pass, since);
      // last_started_at again: a process that lost the race for the lock may have put back
      // the value it read before this pass began.
      await update(pass, {
        last_started_at: startedAt,
        last_finished_at: clock().toISOString(),
        last_success_started_at: startedAt,
        last_error: null,
        last_result: { ...result, since: since?.toISOString() ?? null },
      });
      log.info({ pass, ...result }, 'scheduled ERP sync done');
    } catch (err) {
      if (isBusy(err)) {
        // Another process is syncing: give the pass back so it is due again next tick.
        await update(pass, { last_started_at: doc.passes[pass].last_started_at });
        return null;
      }
      const message = err instanceof Error ? err.message : String(err);
      await update(pass, {
        last_started_at: startedAt,
        last_finished_at: clock().toISOString(),
        last_error: message,
      });
      log.warn({ pass, err }, 'scheduled ERP sync failed; the mirror keeps serving');
    }
    return pass;
  }

  return {
    /** Runs the pass that is due, if any (one at a time in this process); returns which ran. */
    tick(): Promise<SyncPass | null> {
      if (running) return Promise.resolve(null);
      running = runDue().finally(() => {
        running = null;
      });
      return running;
    },
    start(): void {
      if (timer) return;
      timer = setInterval(() => {
        this.tick().catch((err: unknown) => log.warn({ err }, 'ERP schedule check failed'));
      }, deps.tickMs ?? 30_000);
      timer.unref();
    },
    /** Stops the timer and waits for a pass in progress. */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => {});
    },
  };
}
