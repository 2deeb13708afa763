import { RECOUNT_TASK_STATES } from '@stockverify/shared';
import type { RecountQueueItem, RecountTaskState } from '@stockverify/shared';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { CSSProperties } from 'react';
import { readRecountQueue } from '../../api/bins';
import { useConsole } from '../../context';
import { useNow } from '../../ui/hooks';
import { searchUsers } from '../../ui/pickers';
import { SearchPicker } from '../../ui/SearchPicker';
import type { PickerOption } from '../../ui/SearchPicker';
import { Status } from '../../ui/Status';
import { VirtualList } from '../../ui/VirtualList';
import type { StreamState } from '../watchtower/useLiveEvents';
import { AssignDialog } from './AssignDialog';
import { ageWords, binHref, holderWords, phaseWords, reasonWords } from './recount-words';
import { useLivePages } from './useLivePages';

const PAGE_SIZE = 200;
const ROW_HEIGHT = 40;

interface Filters {
  state: RecountTaskState | '';
  rack: string;
  assignee: PickerOption | null;
}

const COLUMNS: CSSProperties = {
  display: 'grid',
  gridTemplateColumns: '6rem 2fr 6rem 2fr 1.5fr 6rem 5rem 11rem',
  alignItems: 'center',
  columnGap: '0.5rem',
  width: '100%',
  padding: '0 0.5rem',
  borderBottom: '1px solid #f1f5f9',
};

/**
 * The session's recount tasks (issue #16 item 4): rack, item, phase, why, who holds it (or
 * "offered to all"), how long it has waited — live — and its state; filters by state, rack and
 * assignee; assign or reassign; the bin's history one click away. Paged by the server and
 * virtualized; reloaded from the live events of this session.
 */
export function RecountQueuePanel({
  sessionId,
  warehouse,
  tick,
  stream,
}: {
  sessionId: string;
  /** The session's warehouse (counters bound to another one cannot take its tasks). */
  warehouse: string | null;
  /** Grows when a live event may have changed the queue. */
  tick: number;
  stream: StreamState;
}) {
  const { client } = useConsole();
  const now = useNow(1000);
  const [filters, setFilters] = useState<Filters>({ state: 'open', rack: '', assignee: null });
  const [ok, setOk] = useState<string | null>(null);
  const [assigning, setAssigning] = useState<RecountQueueItem | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const findUsers = useMemo(() => searchUsers(client), [client]);
  // Focus goes back to the row's Assign button once the dialog is gone (the page is inert before).
  const refocus = useRef(false);
  useEffect(() => {
    if (assigning !== null || !refocus.current) return;
    refocus.current = false;
    if (opener.current?.isConnected) opener.current.focus();
  }, [assigning]);
  const filterKey = JSON.stringify([filters.state, filters.rack.trim(), filters.assignee?.id]);
  const { rows, total, error, more, reload } = useLivePages(
    `${filterKey}#${tick}`,
    PAGE_SIZE,
    (page) =>
      readRecountQueue(client, sessionId, {
        page,
        page_size: PAGE_SIZE,
        state: filters.state || undefined,
        rack: filters.rack.trim() || undefined,
        assigned_to: filters.assignee?.id,
      }),
  );

  const set = <K extends keyof Filters>(key: K, value: Filters[K]) =>
    setFilters((old) => ({ ...old, [key]: value }));

  return (
    <section className="panel" aria-label="Recount queue">
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter recounts">
        <label>
          State{' '}
          <select
            aria-label="Task state"
            value={filters.state}
            onChange={(e) => set('state', e.target.value as Filters['state'])}
          >
            <option value="">Any</option>
            {RECOUNT_TASK_STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Rack{' '}
          <input
            aria-label="Rack filter"
            value={filters.rack}
            onChange={(e) => set('rack', e.target.value)}
          />
        </label>
        <SearchPicker
          label="Assigned to"
          value={filters.assignee}
          onChange={(o) => set('assignee', o)}
          search={findUsers}
        />
        <span aria-live="polite">
          {total === null
            ? 'Loading…'
            : `${rows.length.toLocaleString('en')} of ${total.toLocaleString('en')} tasks`}
        </span>
        <span className={`badge ${stream === 'live' ? 'ok' : 'warn'}`} data-testid="queue-stream">
          {stream === 'live' ? 'live' : stream}
        </span>
      </form>
      <Status error={error} ok={ok} />
      {total === 0 ? (
        <p>{filters.state === 'open' ? 'No recount is open.' : 'No task matches.'}</p>
      ) : (
        <VirtualList
          key={filterKey}
          items={rows}
          rowHeight={ROW_HEIGHT}
          height={Math.min(560, Math.max(ROW_HEIGHT * 3, rows.length * ROW_HEIGHT))}
          label="Recount tasks"
          onNearEnd={more}
          header={
            <div role="row" className="vlist-row vlist-head" style={COLUMNS}>
              <span role="columnheader">Rack</span>
              <span role="columnheader">Item</span>
              <span role="columnheader">Phase</span>
              <span role="columnheader">Why</span>
              <span role="columnheader">Held by</span>
              <span role="columnheader">Waiting</span>
              <span role="columnheader">State</span>
              <span role="columnheader">Actions</span>
            </div>
          }
          renderRow={(t) => (
            <div style={COLUMNS} data-task={t.task_id} data-item={t.item_code}>
              <span role="cell">{t.rack}</span>
              <span role="cell" title={t.item_name ?? undefined}>
                <span className="mono">{t.item_code}</span>
                {t.item_name && <span className="item-name"> {t.item_name}</span>}
              </span>
              <span role="cell">{phaseWords(t.phase)}</span>
              <span role="cell" title={t.note ?? undefined}>
                {reasonWords(t.reason)}
              </span>
              <span role="cell">{holderWords(t)}</span>
              <span role="cell">
                {t.state === 'open'
                  ? ageWords(t.created_at, now)
                  : ageWords(t.created_at, Date.parse(t.closed_at ?? t.created_at))}
              </span>
              <span role="cell">{t.state}</span>
              <span role="cell" className="actions">
                {t.state === 'open' && (
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`Assign the recount of ${t.item_code} on ${t.rack}`}
                    onClick={(e) => {
                      opener.current = e.currentTarget;
                      setOk(null);
                      setAssigning(t);
                    }}
                  >
                    Assign
                  </button>
                )}
                <a
                  href={binHref(sessionId, t.rack, t.item_code)}
                  aria-label={`History of ${t.item_code} on ${t.rack}`}
                >
                  History
                </a>
              </span>
            </div>
          )}
        />
      )}
      {assigning && (
        <AssignDialog
          sessionId={sessionId}
          warehouse={warehouse}
          task={assigning}
          onCancel={() => {
            refocus.current = true;
            setAssigning(null);
          }}
          onDone={(message) => {
            refocus.current = true;
            setAssigning(null);
            setOk(message);
            reload();
          }}
        />
      )}
    </section>
  );
}
