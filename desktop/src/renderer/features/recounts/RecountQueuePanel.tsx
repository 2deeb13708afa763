import { RECOUNT_TASK_STATES } from '@stockverify/shared';
import type { LiveEvent, RecountQueueItem, RecountTaskState } from '@stockverify/shared';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CSSProperties } from 'react';
import { readRecountQueue } from '../../api/bins';
import { errorText } from '../../api/client';
import { useConsole } from '../../context';
import { useNow } from '../../ui/hooks';
import { searchUsers } from '../../ui/pickers';
import { SearchPicker } from '../../ui/SearchPicker';
import type { PickerOption } from '../../ui/SearchPicker';
import { Status } from '../../ui/Status';
import { VirtualList } from '../../ui/VirtualList';
import { useLiveEvents } from '../watchtower/useLiveEvents';
import { AssignDialog } from './AssignDialog';
import {
  ageWords,
  binHref,
  holderWords,
  phaseWords,
  reasonWords,
  touchesRecounts,
} from './recount-words';

const PAGE_SIZE = 200;
const ROW_HEIGHT = 40;
/** Live events come in bursts while phones sync: the queue reloads at most this often. */
const REFRESH_MS = 1500;

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
export function RecountQueuePanel({ sessionId }: { sessionId: string }) {
  const { client } = useConsole();
  const now = useNow(1000);
  const [filters, setFilters] = useState<Filters>({ state: 'open', rack: '', assignee: null });
  const [rows, setRows] = useState<RecountQueueItem[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ok, setOk] = useState<string | null>(null);
  const [assigning, setAssigning] = useState<RecountQueueItem | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  // Focus goes back to the row's Assign button once the dialog is gone (the page is inert before).
  const refocus = useRef(false);
  useEffect(() => {
    if (assigning !== null || !refocus.current) return;
    refocus.current = false;
    if (opener.current?.isConnected) opener.current.focus();
  }, [assigning]);
  const findUsers = useMemo(() => searchUsers(client), [client]);
  const loaded = useRef(0);
  const loading = useRef(false);
  const generation = useRef(0);

  const load = useCallback(
    async (replace: boolean) => {
      if (loading.current && !replace) return;
      if (!replace && total !== null && loaded.current >= total) return;
      loading.current = true;
      const mine = replace ? ++generation.current : generation.current;
      const page = replace ? 1 : Math.floor(loaded.current / PAGE_SIZE) + 1;
      try {
        const answer = await readRecountQueue(client, sessionId, {
          page,
          page_size: PAGE_SIZE,
          state: filters.state || undefined,
          rack: filters.rack.trim() || undefined,
          assigned_to: filters.assignee?.id,
        });
        if (mine !== generation.current) return;
        loaded.current = (page - 1) * PAGE_SIZE + answer.items.length;
        setTotal(answer.total);
        setRows((old) =>
          replace ? answer.items : [...old.slice(0, (page - 1) * PAGE_SIZE), ...answer.items],
        );
        setError(null);
      } catch (e) {
        if (mine === generation.current) setError(errorText(e));
      } finally {
        if (mine === generation.current) loading.current = false;
      }
    },
    [client, sessionId, filters, total],
  );

  // The latest `load`, for the live refresh timer (which must not restart on every page).
  const latest = useRef(load);
  latest.current = load;

  useEffect(() => {
    loaded.current = 0;
    void latest.current(true);
  }, [client, sessionId, filters]);

  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (pending.current) clearTimeout(pending.current);
    },
    [],
  );
  const onEvent = useCallback(
    (event: LiveEvent) => {
      if (!touchesRecounts(event, sessionId) || pending.current) return;
      pending.current = setTimeout(() => {
        pending.current = null;
        void latest.current(true);
      }, REFRESH_MS);
    },
    [sessionId],
  );
  const stream = useLiveEvents(client, onEvent);

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
          key={JSON.stringify([filters.state, filters.rack, filters.assignee?.id])}
          items={rows}
          rowHeight={ROW_HEIGHT}
          height={Math.min(560, Math.max(ROW_HEIGHT * 3, rows.length * ROW_HEIGHT))}
          label="Recount tasks"
          onNearEnd={() => void load(false)}
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
          task={assigning}
          onCancel={() => {
            refocus.current = true;
            setAssigning(null);
          }}
          onDone={(message) => {
            refocus.current = true;
            setAssigning(null);
            setOk(message);
            void load(true);
          }}
        />
      )}
    </section>
  );
}
