import { systemStatusSchema } from '@stockverify/shared';
import type { OverallStatus } from '@stockverify/shared';
import { useConsole } from '../../context';
import { useLoad } from '../../ui/hooks';
import { Status } from '../../ui/Status';

const OVERALL_TEXT: Record<OverallStatus, string> = {
  ok: 'everything answers',
  degraded: 'counting works; a dependency is down (see below)',
  down: 'the store does not answer: counting is stopped',
};

/** Store, coordination and ERP connectivity with latency; version and uptime. */
export function HealthPanel() {
  const { client } = useConsole();
  const [status, reload] = useLoad(
    () => client.get<unknown>('/admin/system-status').then((a) => systemStatusSchema.parse(a)),
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
            Overall:{' '}
            <strong data-status={s.status}>
              {s.status} — {OVERALL_TEXT[s.status]}
            </strong>{' '}
            · version {s.version} · up {Math.round(s.uptime_s / 60)} min
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
                  <tr key={name} className={d.ok ? undefined : 'row-alert'}>
                    <td>{name}</td>
                    <td>{d.kind}</td>
                    <td>{d.ok ? 'ok' : `down${d.error ? `: ${d.error}` : ''}`}</td>
                    <td>{`${d.latency_ms} ms`}</td>
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
