import type { RecountQueueItem } from '@stockverify/shared';
import { useId, useState } from 'react';
import { assignRecountTask } from '../../api/bins';
import { ApiError, errorText } from '../../api/client';
import { useConsole } from '../../context';
import { Status } from '../../ui/Status';
import { AssigneeChooser } from './AssigneeChooser';
import { decisionErrorsFrom, holderWords, phaseWords } from './recount-words';
import { useModal } from '../../ui/use-modal';

/**
 * Give an open recount task to a counter, or offer it to every eligible counter (issue #16 item 2).
 * Counters who already counted the bin cannot be chosen; the server's refusal
 * (409 RECOUNT_COUNTER_EXCLUDED) shows beside the choice too. Escape cancels.
 */
export function AssignDialog({
  sessionId,
  warehouse,
  task,
  onDone,
  onCancel,
}: {
  sessionId: string;
  warehouse: string | null;
  task: RecountQueueItem;
  onDone(message: string): void;
  onCancel(): void;
}) {
  const { client } = useConsole();
  const ref = useModal();
  const titleId = useId();
  const [value, setValue] = useState(task.assigned_to ?? '');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function assign() {
    setBusy(true);
    setError(null);
    setFieldError(undefined);
    try {
      await assignRecountTask(client, sessionId, task.task_id, value === '' ? null : value);
      onDone(
        value === ''
          ? `The recount of ${task.item_code} on ${task.rack} is offered to every eligible counter.`
          : `The recount of ${task.item_code} on ${task.rack} is assigned.`,
      );
    } catch (e) {
      if (e instanceof ApiError) {
        const { fields, other } = decisionErrorsFrom(e.code, e.message, e.details);
        setFieldError(fields.assign_to);
        setError(other);
      } else {
        setError(errorText(e));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={ref}
      className="rule-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id={titleId}>
        Assign the recount of {task.item_code} on {task.rack}
      </h2>
      <p className="hint">
        {phaseWords(task.phase)}, now {holderWords(task)}. A recount is blind and goes to somebody
        who has not counted this bin.
      </p>
      <AssigneeChooser
        excluded={task.excluded_counters}
        current={task.assigned_to}
        warehouse={warehouse}
        value={value}
        onChange={(id) => {
          setValue(id);
          setFieldError(undefined);
        }}
        error={fieldError}
      />
      <Status error={error} />
      <div className="toolbar">
        <button type="button" className="secondary" autoFocus onClick={onCancel}>
          Cancel
        </button>
        <button type="button" disabled={busy} onClick={() => void assign()}>
          Assign
        </button>
      </div>
    </dialog>
  );
}
