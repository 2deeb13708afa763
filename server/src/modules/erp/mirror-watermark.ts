/**
 * The ERP ledger watermark the mirror's book quantities include (issue #17, docs/design.md §3).
 * An items or quantities pass reads the source's current watermark before it reads stock and,
 * once the pass succeeded, keeps it here; a session created later records it with its snapshot
 * (the snapshot is the mirror's book), so the movements after it are exactly those the snapshot
 * does not hold. The ledger being read-only and the stock read after the watermark, a movement
 * posted during the pass may be in both — so the pass reads the watermark again after the stock
 * (`watermark_high`), and a movement between the two is flagged, never added (design §13).
 */
import type { MetaRepo } from '../../ports/store';

export const MIRROR_WATERMARK_KEY = 'erp.mirror_watermark';

export interface MirrorWatermarkDoc {
  /** Null: the ledger was empty then (every movement since is after the snapshot), or unknown. */
  watermark: string | null;
  /**
   * False when the pass succeeded but the ledger could not say its watermark: the book is newer
   * than any watermark kept before, so none is known for it.
   */
  known: boolean;
  /**
   * The ledger's watermark read after the stock (null: the ledger was still empty; absent: a doc
   * kept before it was read). Movements after `watermark` up to it may be in the book already.
   */
  watermark_high?: string | null;
  /** When the pass that read it began. */
  read_at: string;
}

/** What a session records for a book read when the ledger was empty: before every entry. */
export const EMPTY_LEDGER_WATERMARK = '0';

export async function readMirrorWatermark(meta: MetaRepo): Promise<MirrorWatermarkDoc | null> {
  return meta.get<MirrorWatermarkDoc>(MIRROR_WATERMARK_KEY);
}

export async function writeMirrorWatermark(meta: MetaRepo, doc: MirrorWatermarkDoc): Promise<void> {
  await meta.set(MIRROR_WATERMARK_KEY, doc);
}

/**
 * What a session records: the mirror's watermark; `0` (before every entry) when the ledger was
 * empty as the book was read; null when unknown — no ledger, no pass read one, or the last pass
 * could not.
 */
export async function sessionWatermark(meta: MetaRepo): Promise<string | null> {
  return (await sessionWatermarks(meta)).erp_watermark;
}

/**
 * Both watermarks a session records (design §13): the one read before the stock and the one read
 * after it (`erp_watermark_high`, null when not known: a doc kept before it was read).
 */
export async function sessionWatermarks(
  meta: MetaRepo,
): Promise<{ erp_watermark: string | null; erp_watermark_high: string | null }> {
  const doc = await readMirrorWatermark(meta);
  if (!doc?.known) return { erp_watermark: null, erp_watermark_high: null };
  return {
    erp_watermark: doc.watermark ?? EMPTY_LEDGER_WATERMARK,
    erp_watermark_high:
      doc.watermark_high === undefined ? null : (doc.watermark_high ?? EMPTY_LEDGER_WATERMARK),
  };
}
