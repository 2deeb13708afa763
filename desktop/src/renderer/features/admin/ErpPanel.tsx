import { can } from '@stockverify/shared';
import type { ErpMirrorProgress, ImportResult } from '@stockverify/shared';
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { errorText } from '../../api/client';
import { importItemMaster, readErpStatus, syncItemMaster } from '../../api/erp';
import { useConsole } from '../../context';
import { dateTime } from '../../ui/format';
import { useLoad } from '../../ui/hooks';
import { Status } from '../../ui/Status';
import { movementsText } from './erp-movements';

/** ERP: sync status, "sync now", and an item-master upload (CSV or XLSX) with per-row errors. */
export function ErpPanel() {
  const { client, user } = useConsole();
  const [status, reload] = useLoad(() => readErpStatus(client), [client]);
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ok, setOk] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const isAdmin = can(user.role, 'erp.manage');

  async function upload(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setOk(null);
    if (file === null) {
      setError('Choose a CSV or XLSX file first.');
      return;
    }
    if (!/\.(csv|xlsx)$/i.test(file.name)) {
      setError('The item master must be a .csv or .xlsx file.');
      return;
    }
    setBusy(true);
    try {
      const imported = await importItemMaster(client, file, file.name);
      setResult(imported.result);
      setOk(imported.message);
      await reload();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  async function syncNow() {
    setError(null);
    setOk(null);
    setBusy(true);
    try {
      await syncItemMaster(client);
      setOk('Item master synchronised.');
      await reload();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  const s = status.value;
  // While an items pass runs (the first mirror of a large master), its progress refreshes.
  const mirroring = s?.mirror?.running === true;
  useEffect(() => {
    if (!mirroring) return;
    const timer = setInterval(() => void reload(), 2000);
    return () => clearInterval(timer);
  }, [mirroring, reload]);
  return (
    <section className="panel" aria-labelledby="erp-title">
      <h2 id="erp-title">Item master (ERP)</h2>
      <dl className="metrics">
        <div>
          <dt>Source</dt>
          <dd>{s?.source ?? '…'}</dd>
        </div>
        <div>
          <dt>Items</dt>
          <dd>{s?.item_count.toLocaleString('en') ?? '…'}</dd>
        </div>
        <div>
          <dt>Last sync</dt>
          <dd>{dateTime(s?.last_sync_at)}</dd>
        </div>
        <div>
          <dt>Last success</dt>
          <dd>{dateTime(s?.last_success_at)}</dd>
        </div>
        <div>
          <dt>Reachable</dt>
          <dd>{s ? (s.reachable === null ? 'unknown' : s.reachable ? 'yes' : 'no') : '…'}</dd>
        </div>
        <div>
          <dt>Last error</dt>
          <dd>{s?.last_error ? `${s.last_error} (${dateTime(s.last_error_at)})` : 'none'}</dd>
        </div>
        {s?.mirror && (
          <div>
            <dt>Items pass</dt>
            <dd aria-label="Items pass progress">{mirrorText(s.mirror)}</dd>
          </div>
        )}
        {s?.movements && (
          <div>
            <dt>Movements</dt>
            <dd aria-label="ERP movements">{movementsText(s.movements, dateTime)}</dd>
          </div>
        )}
        {s?.circuit && (
          <div>
            <dt>ERP circuit</dt>
            <dd>
              {s.circuit === 'closed' ? 'closed (calls pass)' : `${s.circuit} (calls refused)`}
            </dd>
          </div>
        )}
      </dl>
      {s?.schedule && (
        <table className="grid" aria-label="Scheduled ERP passes">
          <thead>
            <tr>
              <th scope="col">Pass</th>
              <th scope="col">Last finished</th>
              <th scope="col">Last error</th>
              <th scope="col">Next due</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(s.schedule.passes).map(([pass, state]) => (
              <tr key={pass}>
                <td>{pass}</td>
                <td>{dateTime(state.last_finished_at)}</td>
                <td>{state.last_error ?? 'none'}</td>
                <td>{dateTime(state.next_due_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {isAdmin ? (
        <>
          <button type="button" disabled={busy} onClick={() => void syncNow()}>
            Sync now
          </button>
          <form className="filters" onSubmit={upload} aria-label="Import item master">
            <label>
              Item master file (CSV or XLSX)
              <input
                type="file"
                accept=".csv,.xlsx"
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              />
            </label>
            <button type="submit" disabled={busy}>
              Import
            </button>
          </form>
        </>
      ) : (
        <p className="hint">Only admins import or sync the item master.</p>
      )}
      <Status error={error ?? (status.state === 'error' ? status.error : null)} ok={ok} />
      {result && result.errors.length > 0 && (
        <table className="grid" aria-label="Rejected rows">
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Column</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {result.errors.slice(0, 200).map((e, i) => (
              <tr key={i}>
                <td>{e.row}</td>
                <td>{e.field ?? '—'}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** "42,000 of 100,000 items (42 %), started 10:02" while running; how the last pass ended after. */
function mirrorText(m: ErpMirrorProgress): string {
  const done = m.items_done.toLocaleString('en');
  const of =
    m.items_total === null
      ? `${done} items`
      : `${done} of ${m.items_total.toLocaleString('en')} items` +
        (m.items_total > 0 ? ` (${Math.floor((100 * m.items_done) / m.items_total)} %)` : '');
  const kind = m.full ? 'whole master' : 'changes';
  if (m.running) return `running (${kind}): ${of}, started ${dateTime(m.started_at)}`;
  if (m.interrupted) return `interrupted at ${of}, started ${dateTime(m.started_at)}`;
  if (m.error) return `failed at ${of}: ${m.error} (started ${dateTime(m.started_at)})`;
  return `done (${kind}): ${of}, ${dateTime(m.started_at)} – ${dateTime(m.finished_at)}`;
}
