/**
 * The recount queue and bin history in words (issue #16 item 4, docs/design.md §12): pure helpers
 * the console's recount pages use, unit-tested without a browser.
 */
import { binDecisionRequestSchema, openBinSchema } from '@stockverify/shared';
import type {
  BinCountView,
  BinDecisionRequest,
  BinRecord,
  LiveEvent,
  OpenBin,
  RecountQueueItem,
  SettlementReason,
  SettlementState,
  UserDirectoryEntry,
} from '@stockverify/shared';
import { qty } from '../../ui/format';

/** `#/sessions/S/bins/R/I`: the bin's history drawer over the session page (links work anywhere). */
export function binHref(sessionId: string, rack: string, itemCode: string): string {
  return `#/sessions/${[sessionId, 'bins', rack, itemCode].map(encodeURIComponent).join('/')}`;
}

/** The bin a session route names (`['sessions', S, 'bins', R, I]`), or null. */
export function binFromRoute(route: readonly string[]): { rack: string; item: string } | null {
  const [first, , third, rack, item] = route;
  if (first !== 'sessions' || third !== 'bins' || !rack || !item) return null;
  return { rack, item };
}

/** `First count`, `Recount 2`. */
export function phaseWords(phase: number): string {
  return phase === 0 ? 'First count' : `Recount ${phase}`;
}

const STATE_WORDS: Record<SettlementState, string> = {
  settled: 'Settled',
  open: 'Open',
  needs_supervisor: 'Needs you',
  decided: 'Decided',
};

export function stateWords(state: SettlementState): string {
  return STATE_WORDS[state];
}

const REASON_SHORT: Record<SettlementReason | 'supervisor', string> = {
  no_counts: 'nothing counted yet',
  within_tolerance: 'within tolerance',
  consensus: 'counters agree',
  exceeds_tolerance: 'first count outside tolerance',
  disagreement: 'counts disagree',
  awaiting_recount: 'recount asked by a supervisor',
  approval_required: 'rule asks for approval',
  phase_limit_reached: 'no agreement after the last recount',
  split_additive: 'split rack, parts add up',
  split_exceeds_tolerance: 'split rack, sum outside tolerance',
  supervisor_decided: 'decided by a supervisor',
  supervisor: 'asked by a supervisor',
};

/** A task's or bin's reason in a few words, for a queue cell. */
export function reasonWords(reason: SettlementReason | 'supervisor'): string {
  return REASON_SHORT[reason];
}

/**
 * The bin's settlement state and reason in a sentence a stock controller reads at a glance:
 * what the figure is, why, and what (or who) the bin is waiting for.
 */
export function settlementSentence(
  bin: Pick<BinRecord, 'state' | 'reason' | 'quantity' | 'proposed_quantity' | 'phase'>,
): string {
  const q = qty(bin.quantity);
  const proposed =
    bin.proposed_quantity === null ? '' : ` (proposed ${qty(bin.proposed_quantity)})`;
  switch (bin.reason) {
    case 'no_counts':
      return 'Nothing counted yet.';
    case 'within_tolerance':
      return `Settled at ${q}: the first count is within tolerance.`;
    case 'consensus':
      return `Settled at ${q}: counts of different counters agree.`;
    case 'exceeds_tolerance':
      return `Open: the first count is outside tolerance; waiting for a blind recount (phase ${bin.phase}) by another counter.`;
    case 'disagreement':
      return `Open: the counts disagree; waiting for recount phase ${bin.phase} by another counter.`;
    case 'awaiting_recount':
      return `Open: a supervisor asked for recount phase ${bin.phase}; not counted yet.`;
    case 'approval_required':
      return `Needs you: the rule asks a supervisor to approve this variance${proposed}.`;
    case 'phase_limit_reached':
      return `Needs you: no agreement after the last recount phase; decide with the counts side by side${proposed}.`;
    case 'split_additive':
      return `Settled at ${q}: a split rack, the parts add up within tolerance.`;
    case 'split_exceeds_tolerance':
      return `Needs you: a split rack whose parts add up to ${qty(bin.proposed_quantity ?? bin.quantity)}, outside tolerance.`;
    case 'supervisor_decided':
      return `Decided at ${q} by a supervisor.`;
  }
}

/** What a count is to its bin, as the history shows it. */
export type CountRole = 'taken' | 'candidate' | 'superseded' | 'late' | 'rejected';

/**
 * A correction's old count is superseded whatever else; a count received after the decision is
 * late (shown, never changes the decision); otherwise taken (the bin's figure) or a candidate.
 */
export function countRole(
  count: Pick<BinCountView, 'taken' | 'superseded_by' | 'late' | 'status'>,
): CountRole {
  if (count.superseded_by !== null) return 'superseded';
  if (count.late) return 'late';
  if (count.taken) return 'taken';
  if (count.status === 'REJECTED') return 'rejected';
  return 'candidate';
}

export const COUNT_ROLE_WORDS: Record<CountRole, string> = {
  taken: 'taken',
  candidate: 'candidate',
  superseded: 'superseded',
  late: 'late: came after the decision or its task closed',
  rejected: 'rejected',
};

const CONFLICT_WORDS: Record<string, string> = {
  late_after_decision: 'counted after the bin was decided: shown, not used',
  late_after_task_closed: 'answered a recount task already closed',
  recount_after_decision: 'a recount asked after the bin was decided: reopens nothing',
};

export function conflictWords(code: string): string {
  return CONFLICT_WORDS[code] ?? code.replace(/_/g, ' ');
}

/** `4 s`, `12 min`, `3 h 5 min`, `2 d 4 h`: how long a task has waited. */
export function ageWords(fromIso: string, now: number): string {
  const from = Date.parse(fromIso);
  if (Number.isNaN(from)) return '—';
  const s = Math.max(0, Math.floor((now - from) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

/** Who holds a task, in words. */
export function holderWords(
  task: Pick<RecountQueueItem, 'assigned_to' | 'assigned_to_name' | 'state'>,
): string {
  if (task.assigned_to === null) return task.state === 'open' ? 'offered to all' : '—';
  return task.assigned_to_name ?? task.assigned_to;
}

/** One person a task may be given to: counters who counted the bin are listed but disabled. */
export interface AssigneeOption {
  id: string;
  label: string;
  detail: string;
  disabled: boolean;
  /** Why it is disabled. */
  why: string | null;
}

/**
 * The directory's people as assignees of a task: never one who already counted the bin, nor one
 * bound to another warehouse than the session's (`warehouse`; a counter bound to none counts
 * anywhere), as the server refuses both.
 */
export function assigneeOptions(
  people: readonly UserDirectoryEntry[],
  excluded: readonly string[],
  current: string | null,
  warehouse: string | null = null,
): AssigneeOption[] {
  const out = new Set(excluded);
  return people.map((p) => {
    const already = out.has(p.id);
    const elsewhere = warehouse !== null && p.warehouse !== null && p.warehouse !== warehouse;
    const holds = p.id === current;
    return {
      id: p.id,
      label: p.full_name ? `${p.full_name} (${p.username})` : p.username,
      detail: [p.role, p.warehouse].filter(Boolean).join(' · '),
      disabled: already || elsewhere || holds,
      why: already
        ? 'already counted this bin: a recount goes to somebody else'
        : elsewhere
          ? `works in another warehouse (${p.warehouse})`
          : holds
            ? 'holds it now'
            : null,
    };
  });
}

/**
 * True when a live event may have changed the session's recount tasks or bins, or its figures
 * (the session page's tick: a count, a review, figures at count computed — `at_count`).
 */
export function touchesRecounts(event: Pick<LiveEvent, 'type' | 'session_id'>, sessionId: string) {
  if (event.session_id !== null && event.session_id !== sessionId) return false;
  return event.type !== 'heartbeat' && event.type !== 'lock' && event.type !== 'claim';
}

/** The decision form as typed. */
export interface DecisionForm {
  kind: 'take' | 'quantity' | 'recount';
  /** The count taken (`take`). */
  count_id: string;
  /** The quantity typed (`quantity`). */
  quantity: string;
  reason: string;
  /** A counter for the recount, or '' to let the server offer it. */
  assign_to: string;
}

export type DecisionFieldErrors = Partial<
  Record<'count_id' | 'quantity' | 'reason' | 'assign_to', string>
>;

/**
 * The decision request from the form, checked as the server will check it (the shared schema),
 * with each problem on its field. A `set` always needs a reason; so does an override.
 */
export function decisionRequest(
  form: DecisionForm,
): { ok: true; body: BinDecisionRequest } | { ok: false; errors: DecisionFieldErrors } {
  const errors: DecisionFieldErrors = {};
  let candidate: Record<string, unknown>;
  if (form.kind === 'recount') {
    candidate = {
      kind: 'recount',
      ...(form.reason.trim() ? { reason: form.reason } : {}),
      ...(form.assign_to ? { assign_to: form.assign_to } : {}),
    };
  } else if (form.kind === 'take') {
    if (!form.count_id) errors.count_id = 'choose the count whose figure to take';
    candidate = { kind: 'set', count_id: form.count_id || 'none', reason: form.reason };
  } else {
    const text = form.quantity.trim();
    const n = text === '' ? Number.NaN : Number(text);
    if (text === '') errors.quantity = 'type the quantity';
    else if (!Number.isFinite(n)) errors.quantity = 'must be a number';
    else if (n < 0) errors.quantity = 'must not be negative';
    candidate = { kind: 'set', quantity: Number.isFinite(n) ? n : 0, reason: form.reason };
  }
  const parsed = binDecisionRequestSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '');
      if (key === 'reason' && !form.reason.trim()) errors.reason ??= 'a decision needs a reason';
      else if (key in FIELD_KEYS) errors[key as keyof DecisionFieldErrors] ??= issue.message;
      // The form builds only the schema's keys: anything else is the reason's business.
      else errors.reason ??= `${key}: ${issue.message}`;
    }
  }
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, body: parsed.data };
}

const FIELD_KEYS = { count_id: 1, quantity: 1, reason: 1, assign_to: 1 } as const;

/**
 * The server's refusal on the form's fields: 400 details (`body.reason`…) and the 409 of a
 * counter who already counted the bin; what names no field comes back as text.
 */
export function decisionErrorsFrom(
  code: string,
  message: string,
  details: ReadonlyArray<{ path: string; message: string }>,
): { fields: DecisionFieldErrors; other: string | null } {
  const fields: DecisionFieldErrors = {};
  const other: string[] = [];
  for (const d of details) {
    const key = d.path.replace(/^body\./, '');
    if (key in FIELD_KEYS) fields[key as keyof DecisionFieldErrors] ??= d.message;
    else if (key === 'user_id') fields.assign_to ??= d.message;
    else other.push(d.path ? `${d.path}: ${d.message}` : d.message);
  }
  if (code === 'RECOUNT_COUNTER_EXCLUDED' && !fields.assign_to) fields.assign_to = message;
  if (Object.keys(fields).length === 0 && other.length === 0) other.push(message);
  return { fields, other: other.length > 0 ? other.join('; ') : null };
}

/**
 * The bins a `409 RECOUNTS_OPEN` refusal lists: in the error's `details` (each an open bin) or
 * beside them (`open_bins`, `bins`, `items`). Entries that are not open bins are skipped.
 */
export function openBinsFrom(
  details: readonly unknown[],
  extra: Record<string, unknown> = {},
): OpenBin[] {
  const pools = [details, extra.open_bins, extra.bins, extra.items];
  const found: OpenBin[] = [];
  const seen = new Set<string>();
  for (const pool of pools) {
    if (!Array.isArray(pool)) continue;
    for (const entry of pool as unknown[]) {
      const parsed = openBinSchema.safeParse(entry);
      if (!parsed.success) continue;
      const key = `${parsed.data.rack}\u0000${parsed.data.item_code}`;
      if (seen.has(key)) continue;
      seen.add(key);
      found.push(parsed.data);
    }
  }
  return found;
}

/**
 * The book a bin is judged on, in words (docs/design.md §13 "Bins judged at count"): the book at
 * count beside the snapshot's where the ERP moved the item before the count.
 */
export function bookWords(
  bookQty: number,
  book:
    | { basis: 'snapshot' | 'at_count'; snapshot_qty: number; at_count_qty: number | null }
    | undefined,
): string {
  if (!book || book.basis === 'snapshot' || book.at_count_qty === null) return qty(bookQty);
  return `${qty(book.at_count_qty)} at count (snapshot ${qty(book.snapshot_qty)}: ERP movements before the count)`;
}
