/**
 * Progress of an items pass into the mirror (issue #13), kept in the Store's meta so every API
 * process shows the same thing on `/erp/status` while the first mirror of a large master runs.
 */
import type { ErpMirrorProgress } from '@stockverify/shared';
import type { MetaRepo } from '../../ports/store';

const KEY = 'erp.mirror';
/** Progress is written at most this often while a pass runs (and always at start and end). */
const WRITE_EVERY_MS = 500;
/** A running pass that has not written for this long is reported interrupted. */
export const MIRROR_STALE_MS = 5 * 60 * 1000;

interface MirrorDoc extends Omit<ErpMirrorProgress, 'interrupted'> {
  updated_at: string;
}

export type MirrorProgress = ReturnType<typeof startMirrorProgress>;

/** Records a pass that starts now; `advance` after each batch, `finish` once, at the end. */
export function startMirrorProgress(meta: MetaRepo, clock: () => Date, full: boolean) {
  const doc: MirrorDoc = {
    running: true,
    full,
    started_at: clock().toISOString(),
    finished_at: null,
    items_done: 0,
    items_total: null,
    error: null,
    updated_at: clock().toISOString(),
  };
  let lastWrite = 0;
  const write = async () => {
    doc.updated_at = clock().toISOString();
    lastWrite = clock().getTime();
    await meta.set(KEY, { ...doc });
  };
  return {
    async begin(total: number | null) {
      doc.items_total = total;
      await write();
    },
    async advance(done: number) {
      doc.items_done = done;
      if (clock().getTime() - lastWrite >= WRITE_EVERY_MS) await write();
    },
    async finish(done: number, failure: unknown) {
      doc.items_done = done;
      doc.running = false;
      doc.finished_at = clock().toISOString();
      if (failure) doc.error = failure instanceof Error ? failure.message : String(failure);
      // The source's count may have been an estimate: a finished pass did everything it got.
      else if (doc.items_total !== null) doc.items_total = Math.max(doc.items_total, done);
      await write();
    },
  };
}

/** The latest pass as `/erp/status` shows it; null before the first. */
export async function readMirrorProgress(
  meta: MetaRepo,
  now: Date,
): Promise<ErpMirrorProgress | null> {
  const doc = await meta.get<MirrorDoc>(KEY);
  if (!doc) return null;
  const { updated_at: updatedAt, ...progress } = doc;
  const stale = doc.running && now.getTime() - Date.parse(updatedAt) > MIRROR_STALE_MS;
  return {
    ...progress,
    running: doc.running && !stale,
    interrupted: stale,
  };
}
