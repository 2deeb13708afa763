import { useConsole } from '../../context';
import { useLoad } from '../../ui/hooks';
import { Status } from '../../ui/Status';

interface Dependency {
  kind: string;
  ok?: boolean;
  latency_ms?: number;
  error?: string | null;
  [key: string]: unknown;
}

interface SystemStatus {
  status: string;
  version: string;
  uptime_s: number;
  store: Dependency;
  coordination: Dependency;
  erp: Dependency;
}

/** Store, coordination and ERP connectivity with latency; version and uptime. */
export function HealthPanel() {
  const { client } = useConsole();
  const [status, reload] = useLoad(
    () => client.get<SystemStatus>('/admin/system-status'),
    [client],
  );
  const s = status.value;
  return (
    <section className="panel" aria-labelledby="health-title">
      <div className="toolbar">
        <h2 id="health-title">System health</h2>
        <button type="button" onClick={() => void reload()}>
          Check again
        </button>
      </div>
      <Status error={status.state === 'error' ? status.error : null} />
      {s && (
        <>
          <p>
            Overall: <strong>{s.status}</strong> · version {s.version} · up{' '}
            {Math.round(s.uptime_s / 60)} min
          </p>
          <table className="grid" aria-label="Dependencies">
            <thead>
              <tr>
                <th scope="col">Dependency</th>
                <th scope="col">Kind</th>
                <th scope="col">State</th>
                <th scope="col">Latency</th>
              </tr>
            </thead>
            <tbody>
              {(['store', 'coordination', 'erp'] as const).map((name) => {
                const d = s[name];
                return (
                  <tr key={name} className={d.ok === false ? 'row-alert' : undefined}>
                    <td>{name}</td>
                    <td>{d.kind}</td>
                    <td>{d.ok === false ? `down${d.error ? `: ${d.error}` : ''}` : 'ok'}</td>
                    <td>{typeof d.latency_ms === 'number' ? `${d.latency_ms} ms` : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
