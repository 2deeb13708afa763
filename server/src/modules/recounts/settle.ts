/**
 * The pure settle callback the store runs for each bin inside its transaction (issue #16,
 * docs/design.md §12 "Bins in the store"): the bin's lines and decisions → `settleBinTrusted`
 * → which lines count (taken) and which are CANDIDATE, the bin row, and the recount task to open
 * or close. No I/O, no clock of its own: everything it needs comes in `deps` and the input, so the
 * same set of lines and decisions always gives the same outcome.
 */
import {
  roundQty,
  settleBinTrusted,
  type BinDecision,
  type BinRecord,
  type LineStatus,
  type ParsedBinHistory,
  type ParsedCount,
  type Settlement,
  type ToleranceRule,
} from '@stockverify/shared';
import type {
  BinLine,
  BinLineUpdate,
  BinSettleInput,
  BinSettleOutcome,
  RecountTaskRecord,
} from '../../ports/bins';

import { lateCounts, lateFields } from './late-counts';

/** What a bin is judged by: its item's rule and the session snapshot's book and unit cost. */
export interface BinRuleFacts {
  rule: ToleranceRule;
  book: number;
  unit_cost: number;
}

export interface SettleDeps {
  ruleFor(input: BinSettleInput): BinRuleFacts;
  /** The server clock as an ISO instant. */
  now(): string;
  newTaskId(): string;
  /** Who gets a new task (null: offered to every eligible counter); never one of `excluded`. */
  chooseAssignee(input: BinSettleInput, excluded: readonly string[]): string | null;
  /** A supervisor's note on a task their `recount` decision opens. */
  note?: string | null;
}

type Record_ = Omit<BinRecord, 'item_name'>;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The quantity consensus compares: counted less written-off damage (design §4). */
export function binQuantity(
  line: Pick<BinLine, 'counted_qty' | 'non_returnable_damaged_qty'>,
): number {
  return roundQty(line.counted_qty - line.non_returnable_damaged_qty);
}

/**
 * The bin's counts as the consensus sees them. A line another line superseded counts for nothing,
 * even when the correction is not in the input (a rejected correction still supersedes): such a
 * line is left out. Already the parsed shape `settleBinTrusted` takes: op ids are UUIDs (the sync
 * schema's, or the server's own), counter ids the users', `received_at` the server clock's
 * `toISOString()`, and counted − written-off damage ≥ 0 (DAMAGE_EXCEEDS_COUNT refuses the rest).
 */
export function binCounts(lines: readonly BinLine[]): ParsedCount[] {
  const ops = new Set(lines.map((l) => l.op_id));
  return lines
    .filter((l) => l.superseded_by === null || ops.has(l.superseded_by))
    .map((l) => ({
      count_id: l.op_id,
      counter_id: l.counted_by,
      phase: l.phase,
      quantity: binQuantity(l),
      received_at: l.received_at,
      supersedes: l.supersedes,
    }));
}

/** Earliest received first, op_id breaking ties: the order "first" means everywhere here. */
function byArrival(a: BinLine, b: BinLine): number {
  return cmp(a.received_at, b.received_at) || cmp(a.op_id, b.op_id);
}

/** Lines that still count for the bin: not superseded, not received after its decision. */
function liveLines(lines: readonly BinLine[], s: Settlement): BinLine[] {
  const late = new Set(
    s.conflicts.filter((c) => c.code === 'late_after_decision').map((c) => c.id),
  );
  const superseded = new Set(s.superseded);
  return lines.filter(
    (l) => l.superseded_by === null && !superseded.has(l.op_id) && !late.has(l.op_id),
  );
}

/**
 * The first count: the counter whose phase-0 line was received first, and their phase-0 lines
 * that still count (a correction of a first count is still the first count). Null when nothing
 * of phase 0 is left.
 */
export function firstCount(
  lines: readonly BinLine[],
  live: readonly BinLine[],
): { counter: string; lines: BinLine[]; quantity: number; received_at: string } | null {
  const zero = lines.filter((l) => l.phase === 0).sort(byArrival);
  const liveZero = live.filter((l) => l.phase === 0);
  for (const candidate of zero) {
    const mine = liveZero.filter((l) => l.counted_by === candidate.counted_by);
    if (mine.length === 0) continue;
    return {
      counter: candidate.counted_by,
      lines: mine,
      quantity: roundQty(mine.reduce((n, l) => n + binQuantity(l), 0)),
      received_at: zero.filter((l) => l.counted_by === candidate.counted_by)[0]!.received_at,
    };
  }
  return null;
}

/**
 * Which lines count (design §12): settled or decided — the voice whose figure is the bin's (the
 * voice of the count a decision names; else the voices equal to the quantity: the earliest phase,
 * then the lowest counter id); open or awaiting a supervisor — the first count stands; split —
 * every live line.
 */
export function takenLines(
  input: Pick<BinSettleInput, 'lines' | 'split'>,
  s: Settlement,
): BinLine[] {
  const live = liveLines(input.lines, s);
  if (input.split && s.state !== 'decided') return live;
  const voiceLines = (counter: string, phase: number) =>
    live.filter((l) => l.counted_by === counter && l.phase === phase);
  if (s.state === 'settled' || s.state === 'decided') {
    const named = s.decision?.count_id ?? null;
    if (named !== null) {
      const voice = s.voices.find((v) => v.count_ids.includes(named));
      if (voice) return voiceLines(voice.counter_id, voice.phase);
      const line = input.lines.find((l) => l.op_id === named);
      return line ? [line] : [];
    }
    const equal = s.voices
      .filter((v) => s.quantity !== undefined && roundQty(v.quantity) === roundQty(s.quantity))
      .sort((a, b) => a.phase - b.phase || cmp(a.counter_id, b.counter_id));
    const voice = equal[0];
    return voice ? voiceLines(voice.counter_id, voice.phase) : [];
  }
  const first = firstCount(input.lines, live);
  if (first) return first.lines;
  // Nothing of phase 0 left (its lines were rejected): the earliest live voice stands.
  const earliest = [...live].sort(byArrival)[0];
  if (!earliest) return [];
  const voice = s.voices.find((v) => v.counter_id === earliest.counted_by);
  return voice ? voiceLines(voice.counter_id, voice.phase) : [earliest];
}

/** The status changes that make `taken` count and every other live line a CANDIDATE. */
export function lineUpdates(
  input: Pick<BinSettleInput, 'lines'>,
  s: Settlement,
  taken: readonly BinLine[],
  now: string,
): BinLineUpdate[] {
  const takenIds = new Set(taken.map((l) => l.id));
  const out: BinLineUpdate[] = [];
  const set = (
    l: BinLine,
    status: LineStatus,
    reviewed_by: string | null,
    reviewed_at: string | null,
    review_note: string | null,
  ) => {
    if (l.status !== status) out.push({ id: l.id, status, reviewed_by, reviewed_at, review_note });
  };
  for (const l of input.lines) {
    if (l.superseded_by !== null || l.status === 'REJECTED') continue;
    if (!takenIds.has(l.id)) {
      set(l, 'CANDIDATE', l.reviewed_by, l.reviewed_at, l.review_note);
      continue;
    }
    switch (s.state) {
      case 'settled':
        // Consensus (or a split sum within tolerance) answers the review a count's variance asked
        // for. One counter's count within tolerance answers nothing: its own review reasons (a
        // missing reason, an accepted conflict, a repeated count) still wait for a supervisor.
        if (
          l.status === 'CANDIDATE' ||
          (l.status === 'NEEDS_REVIEW' && s.reason !== 'within_tolerance')
        )
          set(l, 'APPROVED', null, now, s.reason);
        break;
      case 'decided': {
        const d = s.decision!;
        if (l.status === 'CANDIDATE' || l.status === 'NEEDS_REVIEW')
          set(l, 'APPROVED', d.decided_by, d.decided_at, d.reason);
        break;
      }
      case 'needs_supervisor':
        if (l.status === 'CANDIDATE' || l.status === 'PENDING')
          set(l, 'NEEDS_REVIEW', null, null, null);
        break;
      case 'open':
        if (l.status === 'CANDIDATE') set(l, 'PENDING', null, null, null);
        break;
    }
  }
  return out;
}

/**
 * The count that answered a task: a line naming it, else a line of its phase by a counter it did
 * not exclude; a count received after the bin was decided answers nothing (it is a conflict).
 */
function answerOf(
  task: RecountTaskRecord,
  lines: readonly BinLine[],
  s: Settlement,
): string | null {
  const late = new Set(s.conflicts.map((c) => c.id));
  const sorted = lines.filter((l) => !late.has(l.op_id)).sort(byArrival);
  const named = sorted.find((l) => l.recount_task_id === task.id);
  if (named) return named.op_id;
  const excluded = new Set(task.excluded_counters);
  const ofPhase = sorted.find((l) => l.phase === task.phase && !excluded.has(l.counted_by));
  return ofPhase?.op_id ?? null;
}

/** The latest `recount` decision standing (not after the bin was decided). */
function latestRecount(decisions: readonly BinDecision[], s: Settlement) {
  const after = new Set(
    s.conflicts.filter((c) => c.code === 'recount_after_decision').map((c) => c.id),
  );
  return decisions
    .filter(
      (d): d is Extract<BinDecision, { kind: 'recount' }> =>
        d.kind === 'recount' && !after.has(d.decision_id),
    )
    .sort((a, b) => cmp(a.decided_at, b.decided_at) || cmp(a.decision_id, b.decision_id))
    .at(-1);
}

/** The consensus entry a settle uses: `settleBinTrusted`, or `settleBin` (which validates). */
export type Consensus = (history: ParsedBinHistory, rule: ToleranceRule) => Settlement;

/**
 * The settle callback for `BinRepo.settle`: pure given `deps` (its clock and task ids are only
 * stamped on what changes). `consensus` is the trusted entry: the lines and decisions are the
 * store's own rows, validated when they were written (docs/design.md §12 "When"), so they are not
 * parsed again — a decision's reason was trimmed by its request schema, its time is the server
 * clock's `toISOString()`, and `binCounts` says why the counts are the parsed shape. (The settle
 * measure passes `settleBin` to time the validating path.)
 */
export function makeSettle(
  deps: SettleDeps,
  consensus: Consensus = settleBinTrusted,
): (input: BinSettleInput) => BinSettleOutcome {
  return (input) => {
    const facts = deps.ruleFor(input);
    const settlement = consensus(
      {
        book: facts.book,
        unit_cost: facts.unit_cost,
        split: input.split,
        counts: binCounts(input.lines),
        decisions: input.decisions,
      },
      facts.rule,
    );
    const now = deps.now();
    const s = settlement;
    const taken = takenLines(input, s);
    const live = liveLines(input.lines, s);
    const first = firstCount(input.lines, live);
    const closed = s.state !== 'open';

    // Tasks: at most one open per bin, of the phase awaiting a count.
    const close_tasks: NonNullable<BinSettleOutcome['close_tasks']> = [];
    let keep: RecountTaskRecord | null = null;
    for (const task of input.open_tasks) {
      if (!closed && s.phase >= 1 && task.phase === s.phase && keep === null) {
        keep = task;
        continue;
      }
      const answer = answerOf(task, input.lines, s);
      close_tasks.push({
        id: task.id,
        state: answer === null ? 'cancelled' : 'done',
        answered_by_op_id: answer,
      });
    }
    let open_task: RecountTaskRecord | undefined;
    const asked = s.reason === 'awaiting_recount' ? latestRecount(input.decisions, s) : undefined;
    // The supervisor asked for the phase the bin already waits for: the task it has takes the
    // note (there is at most one open task per bin).
    const keptNote = keep !== null && asked ? (deps.note ?? asked.reason ?? null) : null;
    const task_note =
      keep !== null && keptNote !== null && keptNote !== keep.note
        ? { id: keep.id, note: keptNote }
        : undefined;
    if (!closed && s.phase >= 1 && keep === null) {
      const excluded = [...new Set([...s.counters, ...input.lines.map((l) => l.counted_by)])].sort(
        cmp,
      );
      const assigned = deps.chooseAssignee(input, excluded);
      const assignee = assigned !== null && !excluded.includes(assigned) ? assigned : null;
      open_task = {
        id: deps.newTaskId(),
        session_id: input.session_id,
        rack: input.key.rack,
        item_code: input.key.item_code,
        phase: s.phase,
        state: 'open',
        assigned_to: assignee,
        assigned_at: assignee === null ? null : now,
        excluded_counters: excluded,
        reason: asked ? 'supervisor' : s.reason,
        note: asked ? (deps.note ?? asked.reason ?? null) : null,
        created_at: now,
        created_by: asked ? asked.decided_by : 'system',
        closed_at: null,
        answered_by_op_id: null,
      };
    }
    const openTaskId = open_task?.id ?? keep?.id ?? null;

    const settledNow = s.state === 'settled' || s.state === 'decided';
    const prev = input.previous;
    const prevSettled = prev !== null && (prev.state === 'settled' || prev.state === 'decided');
    const quantity = s.quantity ?? null;
    const firstQty = first?.quantity ?? null;
    const agreeing = new Set(s.agreeing);
    const confirmed =
      settledNow &&
      first !== null &&
      ((quantity !== null && roundQty(quantity) === first.quantity) ||
        first.lines.some((l) => agreeing.has(l.op_id)));
    const recounts = input.lines.reduce(
      (n, l) => (s.conflicts.some((c) => c.id === l.op_id) ? n : Math.max(n, l.phase)),
      0,
    );
    const record: Record_ = {
      session_id: input.session_id,
      rack: input.key.rack,
      item_code: input.key.item_code,
      state: s.state,
      reason: s.reason,
      quantity,
      proposed_quantity: s.proposed_quantity ?? null,
      phase: s.phase,
      split: input.split,
      book_qty: facts.book,
      rule_id: s.rule.id,
      rule_version: s.rule.version,
      counters: s.counters,
      first_count_qty: firstQty,
      first_received_at: first?.received_at ?? null,
      first_counted_by: first?.counter ?? null,
      first_count_confirmed: confirmed,
      settled_at: settledNow ? (prevSettled && prev.settled_at ? prev.settled_at : now) : null,
      recounts,
      overturned:
        settledNow && firstQty !== null && quantity !== null && roundQty(quantity) !== firstQty,
      open_task_id: openTaskId,
      // Counts that came too late (design §11 "Late counts"), kept until a supervisor looks.
      ...lateFields(lateCounts(input.lines, s, input.closed_tasks ?? [], input.decisions), prev),
      updated_at: now,
    };
    // One counter's first count within tolerance (or nothing counted), nothing decided, no row
    // yet: no row needed.
    const needsNoRow =
      prev === null &&
      (s.reason === 'within_tolerance' || s.reason === 'no_counts') &&
      !input.split &&
      input.decisions.length === 0 &&
      input.open_tasks.length === 0 &&
      record.late_count_ids.length === 0;

    return {
      settlement,
      rule: facts.rule,
      taken_line_ids: taken.map((l) => l.id).sort(cmp),
      line_updates: lineUpdates(input, s, taken, now),
      record: needsNoRow ? null : record,
      ...(open_task ? { open_task } : {}),
      ...(task_note ? { task_note } : {}),
      ...(close_tasks.length > 0 ? { close_tasks } : {}),
    };
  };
}
