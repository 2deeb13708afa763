/**
 * Who gets a new recount task (issue #16 item 2, docs/design.md §11): a counter present in the
 * session now (their phone's heartbeat, the presence Coordination keeps for
 * `HEARTBEAT_STALE_SECONDS`) who did not count the bin, with the fewest open tasks; ties to the
 * lower user id, so the choice never depends on the order presence lists them. Nobody present
 * and eligible → null: the task is offered to every eligible counter of the session.
 */
import type { Coordination } from '../../ports/coordination';
import type { RecountTaskRepo } from '../../ports/bins';
import { unlessUnavailable } from '../../ports/coordination';

/** What the choice is made from: present user ids and open tasks per assignee. */
export interface AssignmentFacts {
  present: readonly string[];
  workload: ReadonlyMap<string, number>;
}

/**
 * The counter a task goes to, or null. `excluded` are the bin's counters. Pure: the facts are read
 * before the store's settle transaction starts.
 */
export function chooseAssignee(facts: AssignmentFacts, excluded: readonly string[]): string | null {
  const out = new Set(excluded);
  let best: { id: string; load: number } | null = null;
  for (const id of facts.present) {
    if (out.has(id)) continue;
    const load = facts.workload.get(id) ?? 0;
    if (best === null || load < best.load || (load === best.load && id < best.id)) {
      best = { id, load };
    }
  }
  return best?.id ?? null;
}

/**
 * Reads presence and workload once per settlement call; `take` counts a task given meanwhile, so
 * several tasks opened in one call spread over the present counters.
 */
export async function readAssignmentFacts(
  deps: { coordination: Coordination; recountTasks: Pick<RecountTaskRepo, 'openCountsByAssignee'> },
  sessionId: string,
  isCounter: (userId: string) => boolean = () => true,
): Promise<AssignmentFacts & { take(userId: string | null): void }> {
  // Without Coordination nobody is known present: the task is offered to everyone eligible.
  const entries = await unlessUnavailable(
    deps.coordination.listPresence(`session:${sessionId}`),
    [],
  );
  const workload = new Map(await deps.recountTasks.openCountsByAssignee(sessionId));
  return {
    present: entries.map((e) => e.member).filter(isCounter),
    workload,
    take(userId) {
      if (userId !== null) workload.set(userId, (workload.get(userId) ?? 0) + 1);
    },
  };
}
