import type { CountRecord, RecordResult } from '@stockverify/shared';
import type { RecountTaskRecord } from '../../ports/bins';
import { at, recordError, type CountingDeps, type RecordContext } from './record-context';

export type TaskAnswers = ReturnType<typeof createTaskAnswers>;

/**
 * A count that answers a recount task (`recount_task_id`, docs/design.md §11): the task is its
 * permission to count the bin, so it needs no rack claim, but the task must be of the same
 * session, rack and item (else RECOUNT_TASK_UNKNOWN, the same answer as for no task at all) and
 * the sender must not have counted the bin before (RECOUNT_NOT_ELIGIBLE). A task closed meanwhile
 * still takes the count: nothing a phone sends is lost; settlement shows it as late.
 */
export function createTaskAnswers(deps: Pick<CountingDeps, 'store'>) {
  const { store } = deps;

  async function taskFor(
    ctx: RecordContext,
    record: CountRecord & { recount_task_id: string },
  ): Promise<RecountTaskRecord | RecordResult> {
    const task = await store.recountTasks.get(record.recount_task_id);
    const path = at(ctx.prefix, 'recount_task_id');
    if (
      !task ||
      task.session_id !== record.session_id ||
      task.rack !== record.rack ||
      task.item_code !== record.item_code
    ) {
      return recordError(
        record.op_id,
        'RECOUNT_TASK_UNKNOWN',
        'No such recount task for this session, rack and item',
        [{ path, message: 'no recount task of this session, rack and item' }],
      );
    }
    // Excluded when the task opened, or counted the bin since (a second first count).
    const counted =
      task.excluded_counters.includes(ctx.actor.id) ||
      (await store.bins.lines(task.session_id, task)).some((l) => l.counted_by === ctx.actor.id);
    if (counted) {
      return recordError(
        record.op_id,
        'RECOUNT_NOT_ELIGIBLE',
        'You counted this item in this rack already: its recount is for another counter',
        [{ path, message: 'you counted this bin already' }],
      );
    }
    return task;
  }

  return { taskFor };
}
