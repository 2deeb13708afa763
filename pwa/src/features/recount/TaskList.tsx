import type { RecountTaskEntry } from '../../db/device-db';
import { adviceFor } from '../../sync/advice';
import type { TaskListView } from '../../work/recount-tasks';

/**
 * The recount tasks of a session or rack (issue #16): item, rack, "recount", and whether the task
 * was given to this counter or is open to anyone who has not counted the item. Answers the server
 * refused stay here with its reason and what to do until they are dealt with. Nothing anchors the
 * count: no quantity, no earlier counter.
 */
export function TaskList({
  view,
  onDo,
  showRack,
  disabled = false,
}: {
  view: TaskListView;
  onDo: (task: RecountTaskEntry) => void;
  /** The session's list names each task's rack first; a rack's list is in that rack already. */
  showRack: boolean;
  disabled?: boolean;
}) {
  if (view.todo.length === 0 && view.refused.length === 0) return null;
  return (
    <section className="card recounts" aria-label="Recount tasks">
      <h2>Recount tasks</h2>
      {view.todo.length > 0 && (
        <ul className="plain" aria-label="Recounts to do">
          {view.todo.map((task) => (
            <li key={task.task_id}>
              <button
                type="button"
                className="row-button"
                disabled={disabled}
                onClick={() => onDo(task)}
                aria-label={`Recount ${task.item_name ?? task.item_code} in rack ${task.rack}`}
              >
                <strong>
                  {showRack ? `Rack ${task.rack} · ` : ''}
                  {task.item_name ?? task.item_code}
                </strong>
                <span className="muted">
                  Recount · {task.item_code} ·{' '}
                  {task.assigned_to_me ? 'assigned to you' : 'open to anyone'}
                  {task.note ? ` · “${task.note}”` : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {view.refused.length > 0 && (
        <ul className="plain" aria-label="Recounts not taken">
          {view.refused.map(({ answer, task }) => {
            const { entry } = answer;
            const status = entry.status === 'conflict' ? 'conflict' : 'error';
            return (
              <li key={entry.op_id} role="alert" className={`problem ${status}`}>
                <strong>
                  Recount not taken: rack {entry.rack ?? '—'} · {entry.summary}
                </strong>
                <p>
                  <span className="tag">{entry.result?.code ?? status.toUpperCase()}</span>{' '}
                  {entry.result?.message}
                </p>
                <p className="advice">
                  What you can do: {adviceFor(entry.result?.code ?? null, status)}
                </p>
                {task && (
                  <button
                    type="button"
                    className="secondary"
                    disabled={disabled}
                    onClick={() => onDo(task)}
                  >
                    Count {task.item_name ?? task.item_code} again
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
