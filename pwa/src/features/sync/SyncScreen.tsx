import type { User } from '@stockverify/shared';
import { useEffect, useState } from 'react';
import { useServices } from '../../app/context';
import { useOnline, useOutboxCounts, useOutboxVersion, useSyncStatus } from '../../app/hooks';
import type { OutboxEntry } from '../../db/device-db';
import { Outbox } from '../../outbox/outbox';
import { adviceFor } from '../../sync/advice';

const PHASE_TEXT = {
  idle: 'Up to date with the server.',
  syncing: 'Sending…',
  waiting: 'Waiting to try again.',
  signed_out: 'Sign in again to send what is saved on this phone.',
  blocked: 'The server refused the last batch.',
} as const;

function Problem({ entry }: { entry: OutboxEntry }) {
  const status = entry.status === 'conflict' ? 'conflict' : 'error';
  return (
    <li className={`problem ${status}`}>
      <strong>{entry.summary}</strong>
      <span className="muted">
        {' '}
        · rack {entry.rack ?? '—'} · {new Date(entry.created_at).toLocaleString()}
      </span>
      <p>
        <span className="tag">{entry.result?.code ?? status.toUpperCase()}</span>{' '}
        {entry.result?.message}
      </p>
      {entry.result && entry.result.details.length > 0 && (
        <ul>
          {entry.result.details.map((d) => (
            <li key={`${d.path}:${d.message}`}>
              {d.path}: {d.message}
            </li>
          ))}
        </ul>
      )}
      <p className="advice">What you can do: {adviceFor(entry.result?.code ?? null, status)}</p>
    </li>
  );
}

/** Pending / synced / conflict / error counts, and every problem with its reason and advice. */
export function SyncScreen({ user }: { user: User }) {
  const { outbox, sync } = useServices();
  const status = useSyncStatus();
  const counts = useOutboxCounts();
  const version = useOutboxVersion();
  const online = useOnline();
  const [problems, setProblems] = useState<OutboxEntry[]>([]);
  const [pending, setPending] = useState<OutboxEntry[]>([]);

  useEffect(() => {
    void Promise.all([
      outbox.list('conflict', user.id),
      outbox.list('error', user.id),
      outbox.list('pending', user.id, 50),
    ]).then(([conflicts, errors, waiting]) => {
      setProblems([...conflicts, ...errors]);
      setPending(waiting);
    });
  }, [outbox, user.id, version, status]);

  const stale = counts !== null && Outbox.isStale(counts, new Date());

  return (
    <section className="stack" aria-labelledby="sync-title">
      <h1 id="sync-title">Sync</h1>
      {counts && (
        <dl className="counts" aria-label="Sync counts">
          <div>
            <dt>Pending</dt>
            <dd data-testid="count-pending">{counts.pending}</dd>
          </div>
          <div>
            <dt>Synced</dt>
            <dd data-testid="count-synced">{counts.synced}</dd>
          </div>
          <div>
            <dt>Conflicts</dt>
            <dd data-testid="count-conflict">{counts.conflict}</dd>
          </div>
          <div>
            <dt>Errors</dt>
            <dd data-testid="count-error">{counts.error}</dd>
          </div>
        </dl>
      )}
      <p role="status" className={status.lastError ? 'note warning' : 'note'}>
        {online ? PHASE_TEXT[status.phase] : 'Offline: everything stays saved on this phone.'}
        {status.lastError ? ` ${status.lastError}` : ''}
        {status.nextAttemptAt
          ? ` Next try at ${new Date(status.nextAttemptAt).toLocaleTimeString()}.`
          : ''}
        {status.lastSuccessAt
          ? ` Last sync ${new Date(status.lastSuccessAt).toLocaleTimeString()}.`
          : ''}
      </p>
      {stale && (
        <p role="alert" className="banner warning">
          Some counts have waited more than 4 hours. Connect and sync before leaving the warehouse.
        </p>
      )}
      <button
        type="button"
        onClick={() => void sync.syncNow(true)}
        disabled={status.phase === 'syncing'}
      >
        Sync now
      </button>
      {problems.length > 0 && (
        <>
          <h2>Needs attention ({problems.length})</h2>
          <ul className="plain" aria-label="Conflicts and errors">
            {problems.map((entry) => (
              <Problem key={entry.op_id} entry={entry} />
            ))}
          </ul>
        </>
      )}
      {pending.length > 0 && (
        <>
          <h2>Waiting to send ({counts?.pending ?? pending.length})</h2>
          <ul className="plain" aria-label="Waiting to send">
            {pending.map((entry) => (
              <li key={entry.op_id}>
                {entry.summary}
                {entry.attempts > 0 ? (
                  <span className="muted"> · {entry.attempts} tries</span>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
