import {
  computeVariance,
  normalizeSerial,
  strictVarianceCheck,
  validateQuantities,
  validateSerials,
} from '@stockverify/shared';
import type { CountRecord, ErrorDetail, ItemView, UnknownItemRecord } from '@stockverify/shared';

export type SessionMode = 'standard' | 'blind' | 'strict';

/** The count form as the person fills it in (strings where the input is text). */
export interface CountDraft {
  counted_qty: number;
  damaged_qty: number;
  non_returnable_damaged_qty: number;
  serials: string[];
  batch_no: string;
  mfg_date: string;
  expiry_date: string;
  condition: CountRecord['condition'];
  variance_reason: string;
  variance_confirmed: boolean;
  remark: string;
}

export function emptyDraft(initial: Partial<CountDraft> = {}): CountDraft {
  return {
    counted_qty: 0,
    damaged_qty: 0,
    non_returnable_damaged_qty: 0,
    serials: [],
    batch_no: '',
    mfg_date: '',
    expiry_date: '',
    condition: 'good',
    variance_reason: '',
    variance_confirmed: false,
    remark: '',
    ...initial,
  };
}

/** Where the record is counted: the rack claim (or recount task) and the session's rules. */
export type CountContext = {
  sessionId: string;
  rack: string;
  /** The session's book quantity for this item; null when unknown or hidden (blind). */
  bookQty: number | null;
  barcode: string | null;
} & (
  | {
      mode: SessionMode;
      /** The token of this phone's claim on the rack. */
      fencingToken: number;
      recountTask?: undefined;
    }
  | {
      /**
       * A recount task (issue #16, docs/design.md §11): the task is the permission to count the
       * bin, so no claim; always blind whatever the session's mode (no book, no earlier count);
       * the record names the task and is a candidate for the bin, never a correction.
       */
      recountTask: { task_id: string; note: string | null };
      mode: 'blind';
      bookQty: null;
      fencingToken?: undefined;
    }
);

/** The variance the phone shows while counting; null when it must not (blind) or cannot. */
export function liveVariance(draft: CountDraft, ctx: Pick<CountContext, 'mode' | 'bookQty'>) {
  if (ctx.mode === 'blind' || ctx.bookQty === null) return null;
  return computeVariance(draft, ctx.bookQty);
}

const blankToNull = (value: string) => (value.trim() === '' ? null : value.trim());

/** Adds a scanned or typed serial; refuses blanks and duplicates (one scan per serial). */
export function addSerial(serials: readonly string[], raw: string): string[] | ErrorDetail {
  const serial = normalizeSerial(raw);
  if (serial === '') return { path: 'serials', message: 'The serial is empty.' };
  if (serials.includes(serial)) {
    return { path: 'serials', message: `Serial ${serial} is already in this count.` };
  }
  return [...serials, serial];
}

/**
 * Checks the form with the same shared rules the server applies and builds the sync record.
 * Strict sessions need an explicit confirmation and a reason for a non-zero variance; the server
 * would otherwise answer a conflict, so the phone asks first.
 */
export function buildCountRecord(
  item: Pick<ItemView, 'item_code' | 'decimal_qty' | 'serialized'>,
  draft: CountDraft,
  ctx: CountContext,
  ids: { opId: string; countedAt: string; photoIds: string[]; supersedes?: string | null },
): { ok: true; record: CountRecord } | { ok: false; errors: ErrorDetail[] } {
  const task = ctx.recountTask;
  const errors: ErrorDetail[] = [
    ...validateQuantities(draft, { decimalQty: item.decimal_qty }),
    ...validateSerials(draft.serials, {
      serialized: item.serialized,
      countedQty: draft.counted_qty,
    }),
  ];
  if (draft.mfg_date && draft.expiry_date && draft.mfg_date > draft.expiry_date) {
    errors.push({
      path: 'expiry_date',
      message: 'The expiry date is before the manufacturing date.',
    });
  }
  const variance = liveVariance(draft, ctx);
  if (errors.length === 0 && variance !== null) {
    const strict = strictVarianceCheck(ctx.mode, variance, draft);
    if (strict === 'VARIANCE_UNCONFIRMED') {
      errors.push({
        path: 'variance_confirmed',
        message: `Confirm the variance of ${variance} before saving.`,
      });
    } else if (strict === 'VARIANCE_REASON_REQUIRED') {
      errors.push({ path: 'variance_reason', message: 'Give a reason for the variance.' });
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    record: {
      op_id: ids.opId,
      type: 'count',
      session_id: ctx.sessionId,
      rack: ctx.rack,
      item_code: item.item_code,
      barcode: ctx.barcode,
      counted_qty: draft.counted_qty,
      damaged_qty: draft.damaged_qty,
      non_returnable_damaged_qty: draft.non_returnable_damaged_qty,
      serials: draft.serials.map(normalizeSerial),
      batch_no: blankToNull(draft.batch_no),
      mfg_date: blankToNull(draft.mfg_date),
      expiry_date: blankToNull(draft.expiry_date),
      condition: draft.condition,
      variance_reason: blankToNull(draft.variance_reason),
      variance_confirmed: draft.variance_confirmed,
      remark: blankToNull(draft.remark),
      photo_ids: ids.photoIds,
      // A task's answer stands beside the earlier counts as a candidate: it corrects nothing.
      supersedes: task ? null : (ids.supersedes ?? null),
      ...(task ? { recount_task_id: task.task_id } : { fencing_token: ctx.fencingToken }),
      counted_at: ids.countedAt,
    },
  };
}

/** The unknown-item capture (barcode not in the master): description and quantity required. */
export function buildUnknownItemRecord(
  input: { barcode: string; description: string; counted_qty: number; remark: string },
  ctx: Pick<CountContext, 'sessionId' | 'rack'>,
  ids: { opId: string; countedAt: string; photoIds: string[] },
): { ok: true; record: UnknownItemRecord } | { ok: false; errors: ErrorDetail[] } {
  const errors: ErrorDetail[] = [];
  if (input.description.trim() === '') {
    errors.push({ path: 'description', message: 'Describe what you found.' });
  }
  if (!Number.isFinite(input.counted_qty) || input.counted_qty <= 0) {
    errors.push({ path: 'counted_qty', message: 'Enter how many you found.' });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    record: {
      op_id: ids.opId,
      type: 'unknown_item',
      session_id: ctx.sessionId,
      rack: ctx.rack,
      barcode: input.barcode,
      description: input.description.trim(),
      counted_qty: input.counted_qty,
      photo_ids: ids.photoIds,
      remark: blankToNull(input.remark),
      counted_at: ids.countedAt,
    },
  };
}

/**
 * The first draft after a scan: a pack barcode counts its pack quantity; a GS1 code fills batch,
 * expiry and serial, and a serialized item scanned with its serial counts that one unit (the count
 * of a serialized item follows its serials).
 */
export function initialDraft(found: {
  item: Pick<ItemView, 'serialized'>;
  packQty: number;
  gs1: { batch?: string | null; expiry?: string | null; serial?: string | null } | null;
}): Partial<CountDraft> {
  const serials = found.gs1?.serial ? [normalizeSerial(found.gs1.serial)] : [];
  return {
    counted_qty:
      found.item.serialized && serials.length > 0
        ? serials.length
        : found.packQty > 1
          ? found.packQty
          : 0,
    batch_no: found.gs1?.batch ?? '',
    expiry_date: found.gs1?.expiry ?? '',
    serials,
  };
}

/** "1 line", "3 lines": a count and its noun, singular when it is one. */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** The serial field's label: how many are scanned and, for a serialized item, of how many counted. */
export function serialsLabel(scanned: number, counted: number | null): string {
  if (counted === null || counted === scanned)
    return `Serials: ${countOf(scanned, 'scanned', 'scanned')}`;
  return `Serials: ${scanned} scanned, ${counted} counted`;
}
