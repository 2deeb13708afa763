import type { User } from '@stockverify/shared';
import { useEffect, useState } from 'react';
import { createRemoteLookup } from '../../api/staff-api';
import type { StaffSession } from '../../api/staff-api';
import { useServices } from '../../app/context';
import type { CountContext } from '../../count/count-draft';
import type { OutboxEntry, RecountTaskEntry } from '../../db/device-db';
import { lookupItem } from '../../items/lookup';
import type { LookupResult } from '../../items/lookup';
import { classifyScan } from '../../scan/classify';
import { useOnline } from '../../app/hooks';
import { CountForm } from '../count/CountForm';
import { useHeartbeat } from '../scan/useHeartbeat';

type State =
  | { name: 'loading' }
  | { name: 'gone' }
  | { name: 'no-item'; task: RecountTaskEntry }
  | { name: 'saved'; task: RecountTaskEntry; entry: OutboxEntry }
  | {
      name: 'count';
      task: RecountTaskEntry;
      found: Extract<LookupResult, { kind: 'found' }>;
      ctx: CountContext;
    };

/**
 * Doing a recount task (issue #16, docs/design.md §11): the count of one item in one rack, always
 * blind whatever the session's mode — no book quantity, no earlier count, no earlier counter —
 * and without a claim on the rack (the task is the permission). Works offline from the task and
 * the item list on the phone; the count goes through the outbox like every other.
 */
export function RecountScreen({
  user,
  session,
  taskId,
  onLeave,
}: {
  user: User;
  session: StaffSession;
  taskId: string;
  onLeave: () => void;
}) {
  const { recountTasks, itemDb, auth } = useServices();
  const [state, setState] = useState<State>({ name: 'loading' });
  // Present in the session while recounting, as on the rack list (no claim is held here).
  useHeartbeat(session.id, useOnline());

  useEffect(() => {
    let live = true;
    void (async () => {
      const task = await recountTasks.get(user.id, taskId);
      if (!task || task.session_id !== session.id) {
        if (live) setState({ name: 'gone' });
        return;
      }
      const scan = classifyScan(task.item_code);
      const found =
        scan.kind === 'item'
          ? await lookupItem(
              itemDb,
              scan,
              navigator.onLine ? createRemoteLookup(auth, session.id) : null,
            )
          : null;
      if (!live) return;
      if (!found || found.kind !== 'found') {
        setState({ name: 'no-item', task });
        return;
      }
      setState({
        name: 'count',
        task,
        found,
        ctx: {
          sessionId: session.id,
          rack: task.rack,
          mode: 'blind',
          bookQty: null,
          barcode: null,
          recountTask: { task_id: task.task_id, note: task.note },
        },
      });
    })();
    return () => {
      live = false;
    };
  }, [recountTasks, itemDb, auth, user.id, taskId, session.id]);

  return (
    <section className="stack" aria-labelledby="recount-title">
      <button type="button" className="link" onClick={onLeave}>
        ← Back
      </button>
      <h1 id="recount-title">
        Recount
        {'task' in state ? ` · Rack ${state.task.rack}` : ''}{' '}
        <span className="muted">· {session.name}</span>
      </h1>
      {state.name === 'loading' && <p aria-busy="true">Opening the task…</p>}
      {state.name === 'gone' && (
        <p role="alert" className="error">
          This recount task is no longer on this phone: it was done, cancelled or given to someone
          else.
        </p>
      )}
      {state.name === 'no-item' && (
        <p role="alert" className="error">
          Item {state.task.item_code} is not in this phone’s offline item list. Connect to the
          warehouse Wi-Fi and open the task again.
        </p>
      )}
      {state.name === 'count' && (
        <>
          <p role="status" className="note">
            Blind recount: the book quantity and earlier counts are not shown.
            {state.task.assigned_to_me ? ' Assigned to you.' : ' Open to anyone.'}
          </p>
          <CountForm
            user={user}
            found={state.found}
            ctx={state.ctx}
            onSaved={(entry) => setState({ name: 'saved', task: state.task, entry })}
            onCancel={onLeave}
          />
        </>
      )}
      {state.name === 'saved' && (
        <>
          <p role="status" className="saved">
            Saved on this phone: {state.entry.summary}. It goes to the server with your other
            counts.
          </p>
          <button type="button" onClick={onLeave}>
            Done
          </button>
        </>
      )}
    </section>
  );
}
