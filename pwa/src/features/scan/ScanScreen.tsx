import type { User } from '@stockverify/shared';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { toDisplayError } from '../../api/display-error';
import { createRemoteLookup } from '../../api/staff-api';
import type { StaffSession } from '../../api/staff-api';
import { useServices } from '../../app/context';
import { useOnline, useOutboxVersion } from '../../app/hooks';
import type { CountContext } from '../../count/count-draft';
import type { ClaimEntry, OutboxEntry } from '../../db/device-db';
import { bookQuantity, lookupItem } from '../../items/lookup';
import type { LookupResult } from '../../items/lookup';
import { classifyScan } from '../../scan/classify';
import { ReadConfirmer } from '../../scan/read-confirm';
import { forgetClaim } from '../../work/claims';
import { useRackLines } from '../../work/useRackLines';
import { rackLinesShown } from '../../work/recount-tasks';
import { useRecountTasks } from '../../work/useRecountTasks';
import { CountForm } from '../count/CountForm';
import { TaskList } from '../recount/TaskList';
import { UnknownItemForm } from '../count/UnknownItemForm';
import { CameraScanner } from './CameraScanner';
import { acceptFeedback, refuseFeedback } from './feedback';
import { describeHeartbeat, useHeartbeat } from './useHeartbeat';
import { useWedge } from './useWedge';

type Step =
  | { name: 'scan' }
  | { name: 'looking'; code: string }
  | { name: 'count'; found: Extract<LookupResult, { kind: 'found' }>; ctx: CountContext }
  | { name: 'unknown'; code: string; checkedServer: boolean };

const STATUS_LABEL: Record<OutboxEntry['status'], string> = {
  pending: 'saved on this phone',
  synced: 'synced',
  conflict: 'conflict',
  error: 'error',
};

/**
 * The counting screen of one claimed rack: camera, wedge scanner or typed code → item → count
 * form → outbox. Works offline from the item cache; heartbeats keep the rack lock while online.
 */
export function ScanScreen({
  user,
  session,
  rack,
  onLeave,
  onRecount,
}: {
  user: User;
  session: StaffSession;
  rack: string;
  onLeave: () => void;
  /** Opens a recount task (blind, its own screen). */
  onRecount: (taskId: string) => void;
}) {
  const services = useServices();
  const { deviceDb, itemDb, outbox, auth, api, settings } = services;
  const online = useOnline();
  const [claim, setClaim] = useState<ClaimEntry | null>(null);
  const [step, setStep] = useState<Step>({ name: 'scan' });
  const [camera, setCamera] = useState(false);
  const [manual, setManual] = useState('');
  const [notice, setNotice] = useState<{ text: string; alert: boolean } | null>(null);
  const [recent, setRecent] = useState<OutboxEntry[]>([]);
  const version = useOutboxVersion();
  const confirmer = useRef(
    new ReadConfirmer({
      required: settings.confirmReads,
      windowMs: settings.confirmWindowMs,
      cooldownMs: 2500,
    }),
  );
  const heartbeat = useHeartbeat(session.id, claim?.status === 'active');
  const tasks = useRecountTasks(session.id, rack);
  // Items of this rack with a recount open to this counter: counted blind, whatever the mode.
  const taskItems = useMemo(() => {
    const items = new Map<string, string>();
    for (const task of tasks.todo) items.set(task.item_code, task.task_id);
    for (const { task } of tasks.refused) if (task) items.set(task.item_code, task.task_id);
    return items;
  }, [tasks]);
  const serverLines = useRackLines(session.id, rack, version);
  const [now, setNow] = useState(() => new Date());

  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 5000);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    void deviceDb.claims.get([session.id, rack]).then((c) => setClaim(c ?? null));
  }, [deviceDb, session.id, rack, version]);

  useEffect(() => {
    void outbox
      .rackEntries(session.id, rack)
      .then((entries) =>
        setRecent(entries.sort((a, b) => (a.created_at < b.created_at ? 1 : -1)).slice(0, 20)),
      );
  }, [outbox, session.id, rack, version]);

  const handleCode = useCallback(
    async (code: string) => {
      if (!claim) return;
      const scan = classifyScan(code, []);
      if (scan.kind !== 'item') return;
      acceptFeedback(settings);
      setCamera(false);
      setNotice(null);
      setStep({ name: 'looking', code: scan.code });
      const result = await lookupItem(
        itemDb,
        scan,
        navigator.onLine ? createRemoteLookup(auth, session.id) : null,
      );
      if (result.kind === 'unknown') {
        refuseFeedback(settings);
        setStep({ name: 'unknown', code: result.code, checkedServer: result.checkedServer });
        return;
      }
      // An item this counter is asked to recount here is counted as the task, blind (issue #16):
      // scanning it must not show the book or the earlier counts.
      const taskId = taskItems.get(result.item.item_code);
      if (taskId !== undefined) {
        setStep({ name: 'scan' });
        onRecount(taskId);
        return;
      }
      const bookQty =
        session.mode === 'blind'
          ? null
          : await bookQuantity(itemDb, session.id, result.item.item_code);
      setStep({
        name: 'count',
        found: result,
        ctx: {
          sessionId: session.id,
          rack,
          mode: session.mode,
          fencingToken: claim.fencing_token,
          bookQty,
          barcode: result.barcodeKind === 'item_code' ? null : result.matched,
        },
      });
    },
    [auth, claim, itemDb, rack, session, settings, onRecount, taskItems],
  );

  useWedge((code) => void handleCode(code), step.name === 'scan' && claim !== null);

  const onCameraRead = useCallback(
    (text: string) => {
      const accepted = confirmer.current.offer(text, performance.now());
      if (accepted) void handleCode(accepted);
    },
    [handleCode],
  );

  function submitManual(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = manual.trim();
    setManual('');
    if (code) void handleCode(code);
  }

  function saved(entry: OutboxEntry) {
    setStep({ name: 'scan' });
    setNotice({ text: `Saved on this phone: ${entry.summary}`, alert: false });
  }

  async function completeRack() {
    if (!claim) return;
    if (!window.confirm(`Mark rack ${rack} as completely counted?`)) return;
    await outbox.enqueue({
      userId: user.id,
      record: {
        op_id: crypto.randomUUID(),
        type: 'rack_complete',
        session_id: session.id,
        rack,
        fencing_token: claim.fencing_token,
      },
      summary: `Rack ${rack} completed`,
    });
    await forgetClaim(deviceDb, session.id, rack);
    void services.sync.syncNow(true);
    onLeave();
  }

  async function pauseOrRelease(action: 'pause' | 'release') {
    try {
      await api.rackAction(session.id, rack, action);
      await forgetClaim(deviceDb, session.id, rack);
      onLeave();
    } catch (error) {
      setNotice({ text: toDisplayError(error).message, alert: true });
    }
  }

  if (!claim) {
    return (
      <section className="stack">
        <p role="alert" className="error">
          {heartbeat.lost.includes(rack)
            ? `Your hold on rack ${rack} was lost: a supervisor released it, or someone else claimed it after your phone was away. What you counted is kept on the Sync screen for the supervisor.`
            : `This phone does not hold rack ${rack} of ${session.name}. Claim it again from the rack list.`}
        </p>
        <button type="button" onClick={onLeave}>
          Back to racks
        </button>
      </section>
    );
  }

  return (
    <section className="stack" aria-labelledby="scan-title">
      <button type="button" className="link" onClick={onLeave}>
        ← Racks
      </button>
      <h1 id="scan-title">
        Rack {rack} <span className="muted">· {session.name}</span>
      </h1>
      <p
        role="status"
        className={heartbeat.lastFailure || heartbeat.lost.length ? 'note warning' : 'note'}
        data-testid="heartbeat"
      >
        {online
          ? describeHeartbeat(heartbeat, rack, now)
          : 'Offline: counts are saved on this phone and sync when the connection returns.'}
      </p>
      {notice && (
        <p role={notice.alert ? 'alert' : 'status'} className={notice.alert ? 'error' : 'saved'}>
          {notice.text}
        </p>
      )}
      {step.name === 'scan' && (
        <TaskList view={tasks} showRack={false} onDo={(task) => onRecount(task.task_id)} />
      )}
      {step.name === 'scan' && (
        <div className="card">
          <div className="actions">
            <button type="button" aria-pressed={camera} onClick={() => setCamera((c) => !c)}>
              {camera ? 'Stop camera' : 'Scan with camera'}
            </button>
          </div>
          {camera && <CameraScanner onRead={onCameraRead} />}
          <form className="inline-form" onSubmit={submitManual}>
            <label htmlFor="manual-code">Barcode or item code</label>
            <input
              id="manual-code"
              value={manual}
              autoComplete="off"
              inputMode="text"
              onChange={(e) => setManual(e.target.value)}
            />
            <button type="submit">Look up</button>
          </form>
          <p className="muted">A handheld scanner works anywhere on this screen.</p>
        </div>
      )}
      {step.name === 'looking' && <p aria-busy="true">Looking up {step.code}…</p>}
      {step.name === 'count' && (
        <CountForm
          user={user}
          found={step.found}
          ctx={step.ctx}
          onSaved={saved}
          onCancel={() => setStep({ name: 'scan' })}
        />
      )}
      {step.name === 'unknown' && (
        <UnknownItemForm
          user={user}
          barcode={step.code}
          sessionId={session.id}
          rack={rack}
          checkedServer={step.checkedServer}
          onSaved={saved}
          onCancel={() => setStep({ name: 'scan' })}
        />
      )}
      {step.name === 'scan' && (
        <>
          <h2>Counted in this rack</h2>
          {recent.length === 0 && rackLinesShown(serverLines, recent, taskItems).length === 0 ? (
            <p className="muted">Nothing yet.</p>
          ) : (
            <ul className="plain counted" aria-label="Counted in this rack">
              {recent.map((entry) => (
                <li key={entry.op_id} className={`entry-${entry.status}`}>
                  {entry.summary} <span className="tag">{STATUS_LABEL[entry.status]}</span>
                </li>
              ))}
              {rackLinesShown(serverLines, recent, taskItems).map((line) => (
                <li key={line.op_id} className="entry-synced">
                  {line.item_name ?? line.item_code}
                  {line.counted_qty === null ? '' : ` · ${line.counted_qty}`}{' '}
                  <span className="tag">{line.mine ? 'Synced' : `by ${line.counted_by_name}`}</span>
                </li>
              ))}
            </ul>
          )}
          <div className="actions">
            <button type="button" onClick={() => void completeRack()}>
              Complete rack
            </button>
            <button
              type="button"
              className="secondary"
              disabled={!online}
              onClick={() => void pauseOrRelease('pause')}
            >
              Pause
            </button>
          </div>
        </>
      )}
    </section>
  );
}
