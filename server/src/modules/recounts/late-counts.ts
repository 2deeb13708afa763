/**
 * Late counts (issue #16 item 3, docs/design.md §11 "Late counts"): a count that came after the
 * bin was decided (`late_after_decision`, the consensus's conflict) or that answers a recount task
 * already closed when it came in (`late_after_task_closed`). Nothing a phone sends is lost, so
 * such a count is stored, but it changes no figure: the bin row keeps it as a late count until a
 * supervisor acknowledges it (keeping the decision) or overrides the decision.
 */
import type { BinDecision, BinRecord, Settlement } from '@stockverify/shared';
import type { RecountTaskRecord } from '../../ports/bins';
import type { CountLineRecord } from '../../ports/counting';

export type LateCountCode = 'late_after_decision' | 'late_after_task_closed';

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The bin's late counts, by op_id (sorted): the settlement's `late_after_decision` conflicts, and
 * the lines naming a task that was closed before they were received and that they did not answer.
 * Rejected lines are left out (a line review took them out of the bin); a superseded late count
 * stays late, as the consensus reports it. A count a `set` decision names is the decision's own
 * figure (a supervisor's typed quantity is written as a line of theirs at the decision's time, or
 * an override took that count): never late.
 */
export function lateCounts(
  lines: readonly Pick<CountLineRecord, 'op_id' | 'recount_task_id' | 'received_at' | 'status'>[],
  settlement: Pick<Settlement, 'conflicts'>,
  tasks: readonly Pick<RecountTaskRecord, 'id' | 'state' | 'closed_at' | 'answered_by_op_id'>[],
  decisions: readonly BinDecision[],
): { id: string; code: LateCountCode }[] {
  const named = new Set(
    decisions.flatMap((d) => (d.kind === 'set' && d.count_id ? [d.count_id] : [])),
  );
  const live = lines.filter((l) => l.status !== 'REJECTED' && !named.has(l.op_id));
  const liveIds = new Set(live.map((l) => l.op_id));
  const out = new Map<string, LateCountCode>();
  for (const c of settlement.conflicts) {
    if (c.code === 'late_after_decision' && liveIds.has(c.id)) out.set(c.id, c.code);
  }
  const byId = new Map(tasks.map((t) => [t.id, t]));
  for (const l of live) {
    if (out.has(l.op_id) || l.recount_task_id === null) continue;
    const task = byId.get(l.recount_task_id);
    if (
      task &&
      task.state !== 'open' &&
      task.closed_at !== null &&
      task.closed_at < l.received_at &&
      task.answered_by_op_id !== l.op_id
    ) {
      out.set(l.op_id, 'late_after_task_closed');
    }
  }
  return [...out.entries()].sort(([a], [b]) => cmp(a, b)).map(([id, code]) => ({ id, code }));
}

/**
 * The bin row's late-count fields: the late counts now, and of them those acknowledged on the
 * row before (an acknowledgement is kept while the count stays late).
 */
export function lateFields(
  late: readonly { id: string }[],
  previous: Pick<BinRecord, 'late_acknowledged_ids'> | null,
): Pick<BinRecord, 'late_count_ids' | 'late_acknowledged_ids' | 'late_unacknowledged'> {
  const ids = late.map((c) => c.id);
  const known = new Set(ids);
  const acknowledged = (previous?.late_acknowledged_ids ?? []).filter((id) => known.has(id));
  return {
    late_count_ids: ids,
    late_acknowledged_ids: [...new Set(acknowledged)].sort(cmp),
    late_unacknowledged: ids.length - new Set(acknowledged).size,
  };
}
