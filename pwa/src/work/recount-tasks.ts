import type { RackLine, RecountTask } from '@stockverify/shared';
import Dexie from 'dexie';
import type { DeviceDb, OutboxEntry, RecountTaskEntry } from '../db/device-db';

/**
 * The recount tasks this phone keeps (issue #16, docs/design.md §11): the server's list for the
 * signed-in counter and a session, stored in the device database so a task already on the phone
 * can be done offline. The server's list is the truth for which tasks exist; whether this phone
 * already answered one is read from the outbox (the answer carries `recount_task_id`), which is
 * written in one strict transaction with the count — so a task leaves the list the moment its
 * count is saved, offline too, and comes back only if the server refuses that count.
 */
export class RecountTaskStore {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly db: DeviceDb,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Calls `listener` after every change to the stored tasks; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Replaces what the phone holds for this user and session with the server's list (one strict
   * transaction). Tasks the server no longer lists (done, cancelled, given to somebody else) go;
   * a task listed again keeps the time this phone first had it. Returns the tasks this phone had
   * never had: the ones worth a notice.
   */
  async replace(
    userId: string,
    sessionId: string,
    tasks: readonly RecountTask[],
  ): Promise<RecountTaskEntry[]> {
    const at = this.now().toISOString();
    const added: RecountTaskEntry[] = [];
    let changed = false;
    await this.db.transaction('rw', this.db.recountTasks, async () => {
      const held = await this.db.recountTasks
        .where('[user_id+session_id]')
        .equals([userId, sessionId])
        .toArray();
      const before = new Map(held.map((t) => [t.task_id, t]));
      const listed = new Set<string>();
      const rows: RecountTaskEntry[] = [];
      for (const task of tasks) {
        // A task of another session in the answer is not this list's business.
        if (task.session_id !== sessionId || listed.has(task.task_id)) continue;
        listed.add(task.task_id);
        const old = before.get(task.task_id);
        const row: RecountTaskEntry = {
          ...task,
          user_id: userId,
          received_at: old?.received_at ?? at,
          fetched_at: at,
        };
        if (!old) added.push(row);
        if (!old || !sameTask(old, row)) changed = true;
        rows.push(row);
      }
      const gone = held.filter((t) => !listed.has(t.task_id)).map((t) => [userId, t.task_id]);
      if (gone.length > 0) changed = true;
      await this.db.recountTasks.bulkDelete(gone as Array<[string, string]>);
      await this.db.recountTasks.bulkPut(rows);
    });
    if (changed) for (const listener of this.listeners) listener();
    return added;
  }

  /**
   * Forgets this user's tasks of sessions that are no longer open (`open`: the server's list of
   * open sessions, read online): a closed session's tasks can no longer be done. Returns how many
   * went.
   */
  async keepOpenSessions(userId: string, open: readonly string[]): Promise<number> {
    const keep = new Set(open);
    const gone = await this.db.recountTasks
      .where('[user_id+session_id]')
      .between([userId, Dexie.minKey], [userId, Dexie.maxKey])
      .filter((t) => !keep.has(t.session_id))
      .primaryKeys();
    if (gone.length === 0) return 0;
    await this.db.recountTasks.bulkDelete(gone);
    for (const listener of this.listeners) listener();
    return gone.length;
  }

  /** The tasks this phone holds for a user in a session, oldest first. */
  async list(userId: string, sessionId: string): Promise<RecountTaskEntry[]> {
    const rows = await this.db.recountTasks
      .where('[user_id+session_id]')
      .equals([userId, sessionId])
      .toArray();
    return rows.sort(byAge);
  }

  /** One task as this phone holds it, or null. */
  async get(userId: string, taskId: string): Promise<RecountTaskEntry | null> {
    return (await this.db.recountTasks.get([userId, taskId])) ?? null;
  }
}

/** Listed fields that the screens show: a change of any re-renders them. */
function sameTask(a: RecountTaskEntry, b: RecountTaskEntry): boolean {
  return (
    a.rack === b.rack &&
    a.item_code === b.item_code &&
    a.item_name === b.item_name &&
    a.phase === b.phase &&
    a.state === b.state &&
    a.assigned_to_me === b.assigned_to_me &&
    a.note === b.note
  );
}

function byAge(a: RecountTaskEntry, b: RecountTaskEntry): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
  return a.task_id < b.task_id ? -1 : a.task_id > b.task_id ? 1 : 0;
}

/** The task a count record answers, or null for an ordinary count (or any other record). */
export function answeredTaskId(entry: Pick<OutboxEntry, 'record'>): string | null {
  const record = entry.record;
  if (record.type !== 'count') return null;
  const id = (record as { recount_task_id?: string | null }).recount_task_id;
  return typeof id === 'string' && id !== '' ? id : null;
}

/** A count this phone saved for a task, with what the server said of it so far. */
export interface TaskAnswer {
  task_id: string;
  entry: OutboxEntry;
}

/** What a task list shows: the tasks to do, and answers the server refused (kept visible). */
export interface TaskListView {
  todo: RecountTaskEntry[];
  /**
   * Answers the server kept as a conflict or refused as an error, newest first, with the task if
   * the server still lists it open (then it may be counted again).
   */
  refused: Array<{ answer: TaskAnswer; task: RecountTaskEntry | null }>;
}

/**
 * The task list of a session (or one rack of it): open tasks this phone has not answered, and
 * answers the server did not take. An answer waiting on the phone or synced removes its task at
 * once; a refused one shows with the server's reason until the counter deals with it — never
 * silently dropped. A task answered again after a refusal leaves the list like any other.
 */
export function taskListView(
  tasks: readonly RecountTaskEntry[],
  answers: readonly TaskAnswer[],
  rack?: string,
): TaskListView {
  const inRack = (r: string) => rack === undefined || r === rack;
  const byTask = new Map<string, OutboxEntry[]>();
  for (const answer of answers) {
    const list = byTask.get(answer.task_id) ?? [];
    list.push(answer.entry);
    byTask.set(answer.task_id, list);
  }
  const open = new Map(
    tasks.filter((t) => t.state === 'open' && inRack(t.rack)).map((t) => [t.task_id, t]),
  );
  const taken = (entries: readonly OutboxEntry[] | undefined) =>
    (entries ?? []).some((e) => e.status === 'pending' || e.status === 'synced');
  const todo = [...open.values()].filter((t) => (byTask.get(t.task_id) ?? []).length === 0);
  const refused: TaskListView['refused'] = [];
  for (const [taskId, entries] of byTask) {
    // A refusal followed by a count that went through (or waits) is dealt with.
    if (taken(entries)) continue;
    for (const entry of entries) {
      if (!inRack(entry.rack ?? '')) continue;
      refused.push({ answer: { task_id: taskId, entry }, task: open.get(taskId) ?? null });
    }
  }
  refused.sort((a, b) => (a.answer.entry.created_at < b.answer.entry.created_at ? 1 : -1));
  return { todo, refused };
}

/**
 * The server's lines of a rack shown on its counting screen: those this phone's outbox does not
 * list already, less every line of an item this counter is asked to recount there (`recount`:
 * item code → task id). A recount is blind: no earlier count, not even who counted.
 */
export function rackLinesShown(
  lines: readonly RackLine[],
  local: readonly Pick<OutboxEntry, 'op_id'>[],
  recount: ReadonlyMap<string, string>,
): RackLine[] {
  const here = new Set(local.map((e) => e.op_id));
  return lines.filter((l) => !here.has(l.op_id) && !recount.has(l.item_code));
}
