import { auditPageSchema, clientErrorPageSchema } from '@stockverify/shared';
import { useState } from 'react';
import { useConsole } from '../../context';
import { dateTime } from '../../ui/format';
import { useLoad } from '../../ui/hooks';
import { Status } from '../../ui/Status';

const PAGE_SIZE = 50;

function Pager({ page, total, onPage }: { page: number; total: number; onPage(p: number): void }) {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return (
    <div className="toolbar" role="group" aria-label="Pages">
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous page
      </button>
      <span>
        Page {page} of {pages} ({total} entries)
      </span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next page
      </button>
    </div>
  );
}

/** The audit trail, newest first, filterable by action and target. */
export function AuditBrowser() {
  const { client } = useConsole();
  const [page, setPage] = useState(1);
  const [action, setAction] = useState('');
  const [targetType, setTargetType] = useState('');
  const [entries] = useLoad(
    () =>
      client.read(auditPageSchema, '/admin/audit', {
        page,
        page_size: PAGE_SIZE,
        action: action.trim(),
        target_type: targetType.trim(),
      }),
    [client, page, action, targetType],
  );
  return (
    <section className="panel" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit trail</h2>
      <div className="filters" role="group" aria-label="Filter the audit trail">
        <label>
          Action
          <input
            value={action}
            placeholder="session.close"
            onChange={(e) => {
              setAction(e.target.value);
              setPage(1);
            }}
          />
        </label>
        <label>
          Target type
          <input
            value={targetType}
            placeholder="session"
            onChange={(e) => {
              setTargetType(e.target.value);
              setPage(1);
            }}
          />
        </label>
      </div>
      <Status error={entries.state === 'error' ? entries.error : null} />
      <table className="grid" aria-label="Audit entries">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Details</th>
            <th scope="col">IP</th>
          </tr>
        </thead>
        <tbody>
          {(entries.value?.items ?? []).map((e) => (
            <tr key={e.id}>
              <td>{dateTime(e.at)}</td>
              <td>
                {e.actor_username ?? 'system'} {e.actor_role ? `(${e.actor_role})` : ''}
              </td>
              <td>{e.action}</td>
              <td>
                {e.target_type ?? ''} {e.target_id ?? ''}
              </td>
              <td className="mono">{e.summary ? JSON.stringify(e.summary).slice(0, 200) : ''}</td>
              <td>{e.ip ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={page} total={entries.value?.total ?? 0} onPage={setPage} />
    </section>
  );
}

/** Errors reported by the PWA and the console. */
export function ClientErrors() {
  const { client } = useConsole();
  const [page, setPage] = useState(1);
  const [source, setSource] = useState('');
  const [errors] = useLoad(
    () =>
      client.read(clientErrorPageSchema, '/admin/errors', { page, page_size: PAGE_SIZE, source }),
    [client, page, source],
  );
  return (
    <section className="panel" aria-labelledby="errors-title">
      <h2 id="errors-title">Client errors</h2>
      <label>
        Source
        <select
          value={source}
          onChange={(e) => {
            setSource(e.target.value);
            setPage(1);
          }}
        >
          <option value="">Any</option>
          <option value="pwa">Phone app</option>
          <option value="console">Console</option>
        </select>
      </label>
      <Status error={errors.state === 'error' ? errors.error : null} />
      <table className="grid" aria-label="Client errors">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Source</th>
            <th scope="col">User</th>
            <th scope="col">Message</th>
            <th scope="col">Where</th>
            <th scope="col">Version</th>
          </tr>
        </thead>
        <tbody>
          {(errors.value?.items ?? []).map((e) => (
            <tr key={e.id}>
              <td>{dateTime(e.created_at)}</td>
              <td>{e.source}</td>
              <td>{e.username ?? '—'}</td>
              <td>{e.message}</td>
              <td className="mono">{e.url ?? ''}</td>
              <td>{e.app_version ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={page} total={errors.value?.total ?? 0} onPage={setPage} />
    </section>
  );
}
