import type { ToleranceVersionDetail } from '@stockverify/shared';
import { useState } from 'react';
import { errorText } from '../../api/client';
import { readToleranceVersion, readToleranceVersions } from '../../api/tolerance';
import { useConsole } from '../../context';
import { dateTime } from '../../ui/format';
import { useLoad } from '../../ui/hooks';
import { Status } from '../../ui/Status';
import { RulesTable } from './RulesTable';
import { changeWords } from './rule-form';

const PAGE_SIZE = 50;

/**
 * The versions of the rule table, newest first (who changed which rule, when), and the rules of
 * any version: what a session that started on it runs on (design §12, "Snapshot").
 */
export function HistoryPanel() {
  const { client } = useConsole();
  const [page, setPage] = useState(1);
  const [versions] = useLoad(() => readToleranceVersions(client, page, PAGE_SIZE), [client, page]);
  const [open, setOpen] = useState<ToleranceVersionDetail | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function view(version: number) {
    setError(null);
    try {
      setOpen(await readToleranceVersion(client, version));
    } catch (e) {
      setError(errorText(e));
    }
  }

  const list = versions.value;
  const pages = list ? Math.max(1, Math.ceil(list.total / list.page_size)) : 1;
  return (
    <section className="panel" aria-labelledby="tolerance-versions-title">
      <h2 id="tolerance-versions-title">Versions of the rule table</h2>
      <p className="hint">
        Every change makes a new version of the whole table; a session keeps the version in force
        when it started.
      </p>
      <Status
        error={versions.state === 'error' ? versions.error : error}
        info={versions.state === 'loading' ? 'Loading…' : null}
      />
      {list && (
        <table className="grid" aria-label="Versions">
          <thead>
            <tr>
              <th scope="col" className="num">
                Version
              </th>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What changed</th>
              <th scope="col" className="num">
                Rules
              </th>
              <th scope="col">
                <span className="visually-hidden">View</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((v) => (
              <tr
                key={v.version}
                data-version={v.version}
                aria-current={open?.change.version === v.version ? 'true' : undefined}
              >
                <td className="num">{v.version}</td>
                <td>{dateTime(v.taken_at)}</td>
                <td>{v.changed_by_name ?? (v.change === 'init' ? 'System' : '—')}</td>
                <td>{changeWords(v)}</td>
                <td className="num">{v.rules_count}</td>
                <td className="actions">
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`View the rules of version ${v.version}`}
                    onClick={() => void view(v.version)}
                  >
                    View rules
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list && pages > 1 && (
        <div className="toolbar">
          <button
            type="button"
            className="secondary"
            disabled={page <= 1}
            onClick={() => setPage((p) => p - 1)}
          >
            Newer
          </button>
          <span className="hint">
            Page {page} of {pages}
          </span>
          <button
            type="button"
            className="secondary"
            disabled={page >= pages}
            onClick={() => setPage((p) => p + 1)}
          >
            Older
          </button>
        </div>
      )}
      {open && (
        <div className="stack tolerance-version">
          <div className="toolbar">
            <h3>
              Version {open.change.version}: {changeWords(open.change)}
            </h3>
            <span className="hint">
              in force from {dateTime(open.rule_set.taken_at)}
              {open.change.changed_by_name ? `, by ${open.change.changed_by_name}` : ''}
            </span>
            <button type="button" className="secondary" onClick={() => setOpen(null)}>
              Close
            </button>
          </div>
          <RulesTable
            rules={open.rule_set.rules}
            label={`Rules of version ${open.change.version}`}
          />
        </div>
      )}
    </section>
  );
}
