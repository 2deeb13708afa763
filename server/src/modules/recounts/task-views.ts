/**
 * Recount tasks as each side sees them (issue #16 item 2, docs/design.md §11): a counter sees where
 * and what — never a quantity, never who counted before; a supervisor sees the queue with holder,
 * age, phase, reason and who is excluded.
 */
import type { RecountQueueItem, RecountTask } from '@stockverify/shared';
import type { RecountTaskRecord } from '../../ports/bins';
import type { Store } from '../../ports/store';

export function createTaskViews(store: Pick<Store, 'items' | 'users'>) {
  async function itemNames(tasks: readonly RecountTaskRecord[]) {
    const codes = [...new Set(tasks.map((t) => t.item_code))];
    return new Map((await store.items.getMany(codes)).map((i) => [i.item_code, i.name]));
  }

  return {
    /** The counter's view: nothing that anchors the count. */
    async staffItems(
      tasks: readonly RecountTaskRecord[],
      viewerId: string,
    ): Promise<RecountTask[]> {
      const names = await itemNames(tasks);
      return tasks.map((t) => ({
        task_id: t.id,
        session_id: t.session_id,
        rack: t.rack,
        item_code: t.item_code,
        item_name: names.get(t.item_code) ?? null,
        phase: t.phase,
        state: t.state,
        assigned_to_me: t.assigned_to === viewerId,
        created_at: t.created_at,
        note: t.note,
      }));
    },

    /** The supervisor's queue rows, with the holder's name. */
    async queueItems(tasks: readonly RecountTaskRecord[]): Promise<RecountQueueItem[]> {
      const names = await itemNames(tasks);
      const holders = new Map<string, string>();
      for (const id of new Set(tasks.map((t) => t.assigned_to).filter((x) => x !== null))) {
        const user = await store.users.get(id);
        if (user) holders.set(id, user.full_name || user.username);
      }
      return tasks.map((t) => ({
        task_id: t.id,
        session_id: t.session_id,
        rack: t.rack,
        item_code: t.item_code,
        item_name: names.get(t.item_code) ?? null,
        phase: t.phase,
        state: t.state,
        created_at: t.created_at,
        note: t.note,
        assigned_to: t.assigned_to,
        assigned_to_name: t.assigned_to ? (holders.get(t.assigned_to) ?? null) : null,
        excluded_counters: t.excluded_counters,
        reason: t.reason as RecountQueueItem['reason'],
        created_by: t.created_by,
        closed_at: t.closed_at,
        answered_by_op_id: t.answered_by_op_id,
      }));
    },
  };
}
