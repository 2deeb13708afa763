import { useEffect, useRef, useState } from 'react';
import { useOnline, useOutboxVersion } from '../app/hooks';
import { useServices } from '../app/context';
import type { RecountTaskEntry } from '../db/device-db';
import { RecountTaskSync } from './recount-task-sync';
import { listenForTaskNotices } from './task-notices';
import { taskListView } from './recount-tasks';
import type { TaskListView } from './recount-tasks';

const EMPTY: TaskListView = { todo: [], refused: [] };

/**
 * The recount tasks of a session (or one rack of it) as this phone holds them (issue #16): what
 * to do, and answers the server refused. Read from the device database, so it works offline;
 * re-read whenever the stored tasks or the outbox change, so a saved answer takes its task off
 * the list at once.
 */
export function useRecountTasks(sessionId: string, rack?: string): TaskListView {
  const { recountTasks, outbox, auth } = useServices();
  const outboxVersion = useOutboxVersion();
  const [tasksVersion, setTasksVersion] = useState(0);
  const [view, setView] = useState<TaskListView>(EMPTY);
  const userId = auth.user()?.id ?? null;

  useEffect(() => recountTasks.onChange(() => setTasksVersion((v) => v + 1)), [recountTasks]);

  useEffect(() => {
    if (!userId) return;
    let live = true;
    void Promise.all([
      recountTasks.list(userId, sessionId),
      outbox.sessionTaskAnswers(sessionId),
    ]).then(
      ([tasks, answers]) => live && setView(taskListView(tasks, answers, rack)),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [recountTasks, outbox, userId, sessionId, rack, outboxVersion, tasksVersion]);

  return view;
}

/**
 * Keeps the tasks of the session being counted on the phone while online: fetched at once, soon
 * after the server's live notice that they changed, about every heartbeat, and soon after the
 * outbox changes (a count saved or synced may close a task).
 * `onNew` hears of tasks this phone never had.
 */
export function useRecountTaskSync(
  sessionId: string | null,
  onNew: (tasks: RecountTaskEntry[]) => void,
): void {
  const { api, recountTasks, outbox, auth } = useServices();
  const online = useOnline();
  const userId = auth.user()?.id ?? null;
  const onNewRef = useRef(onNew);
  useEffect(() => {
    onNewRef.current = onNew;
  }, [onNew]);

  useEffect(() => {
    if (!sessionId || !userId || !online) return;
    const sync = new RecountTaskSync({
      fetchTasks: api.recountTasks,
      store: recountTasks,
      userId,
      sessionId,
      onNew: (tasks) => onNewRef.current(tasks),
    });
    sync.start();
    const off = outbox.onChange(() => sync.nudge());
    // A task given to this phone is announced at once (design §11 "Tasks reach the phone").
    const stopNotices = listenForTaskNotices({
      sessionId,
      accessToken: () => auth.accessToken(),
      onNotice: () => sync.nudge(),
    });
    return () => {
      off();
      stopNotices();
      sync.stop();
    };
  }, [api, auth, recountTasks, outbox, userId, sessionId, online]);
}
