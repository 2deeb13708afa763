import {
  SESSION_MODES,
  SESSION_STATUSES,
  bulkResultsSchema,
  sessionPageSchema,
  warehousesSchema,
} from '@stockverify/shared';
import type { CountSession, SESSION_SORTS } from '@stockverify/shared';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { errorText } from '../../api/client';
import { useConsole } from '../../context';
import { countOf, dateTime } from '../../ui/format';
import { useLoad } from '../../ui/hooks';
import { Status } from '../../ui/Status';
import { VirtualList } from '../../ui/VirtualList';
import { saveResponse } from '../reports/save-response';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { BulkSummaryView } from './BulkSummaryView';
import { bulkSummary, heldRacks } from './bulk-summary';
import type { BulkAction, BulkSummary, HeldRack } from './bulk-summary';
import { CreateSession } from './CreateSession';
import { FirstRunGuide } from './FirstRunGuide';
import { SearchPicker } from '../../ui/SearchPicker';
import type { PickerOption } from '../../ui/SearchPicker';
import { searchUsers } from '../../ui/pickers';

const PAGE_SIZE = 200;
const ROW_HEIGHT = 36;
/** Sessions whose held racks are looked up before a bulk close (each is one rack-map request). */
const HELD_LOOKUPS = 50;

interface Filters {
  status: string;
  warehouse: string;
  q: string;
  staff: string;
  from: string;
  to: string;
  sort: (typeof SESSION_SORTS)[number];
}

/** `2026-11-29` from a date input as the start of that day (UTC), for `from`/`to`. */
const dayStart = (day: string) => (day ? `${day}T00:00:00.000Z` : undefined);

/** Every session, filtered and sorted by the server, in a virtualized list with bulk actions. */
export function SessionsList() {
  const { client, platform } = useConsole();
  const findUsers = useMemo(() => searchUsers(client), [client]);
  const [filters, setFilters] = useState<Filters>({
    status: '',
    warehouse: '',
    q: '',
    staff: '',
    from: '',
    to: '',
    sort: '-created_at',
  });
  const [rows, setRows] = useState<CountSession[]>([]);
  const [total, setTotal] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [ok, setOk] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [creating, setCreating] = useState(false);
  const [counter, setCounter] = useState<PickerOption | null>(null);
  const [confirming, setConfirming] = useState<{
    action: BulkAction;
    ids: string[];
    summary: BulkSummary;
  } | null>(null);
  const loading = useRef(false);
  const generation = useRef(0);
  const [warehouses] = useLoad(
    () => client.read(warehousesSchema, '/warehouses').then((r) => r.items),
    [client],
  );

  const loadPage = useCallback(
    async (page: number, replace: boolean) => {
      if (loading.current && !replace) return;
      loading.current = true;
      const mine = replace ? ++generation.current : generation.current;
      try {
        const result = await client.read(sessionPageSchema, '/sessions', {
          page,
          page_size: PAGE_SIZE,
          status: filters.status,
          warehouse: filters.warehouse,
          q: filters.q.trim(),
          staff: filters.staff.trim(),
          from: dayStart(filters.from),
          to: dayStart(filters.to),
          sort: filters.sort,
        });
        if (mine !== generation.current) return;
        setTotal(result.total);
        setRows((old) => (replace ? result.items : [...old, ...result.items]));
        setError(null);
      } catch (e) {
        if (mine === generation.current) setError(errorText(e));
      } finally {
        loading.current = false;
      }
    },
    [client, filters],
  );

  useEffect(() => {
    setSelected(new Set());
    void loadPage(1, true);
  }, [loadPage]);

  const loadMore = () => {
    if (rows.length < total) void loadPage(Math.floor(rows.length / PAGE_SIZE) + 1, false);
  };

  const toggle = (id: string) =>
    setSelected((old) => {
      const next = new Set(old);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  /** Asks first: which sessions it applies to, which it refuses, and racks counters still hold. */
  async function askBulk(action: BulkAction) {
    setBusy(true);
    setOk(null);
    setError(null);
    try {
      const chosen = rows.filter((r) => selected.has(r.id));
      const open = chosen.filter((s) => s.status === 'OPEN').slice(0, HELD_LOOKUPS);
      const held = new Map<string, HeldRack[]>();
      if (action === 'close') {
        await Promise.all(
          open.map(async (s) => {
            held.set(s.id, await heldRacks(client, s.warehouse, s.id));
          }),
        );
      }
      const summary = bulkSummary(action, chosen, held);
      setConfirming({ action, ids: summary.ids, summary });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  async function bulk(action: BulkAction, ids: string[]) {
    setConfirming(null);
    setBusy(true);
    setOk(null);
    setError(null);
    try {
      const result = await client.write(bulkResultsSchema, `/sessions/bulk/${action}`, {
        ids,
      });
      const failed = result.results.filter((r) => !r.ok);
      const done = result.results.length - failed.length;
      setOk(
        `${action === 'close' ? 'Closed' : 'Reconciled'} ${done} of ${countOf(ids.length, 'session')}.`,
      );
      if (failed.length > 0) {
        const names = new Map(rows.map((r) => [r.id, r.name]));
        setError(failed.map((f) => `${names.get(f.id) ?? f.id}: ${f.message}`).join(' · '));
      }
      setSelected(new Set(failed.map((f) => f.id)));
      await loadPage(1, true);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  async function bulkExport(format: 'xlsx' | 'csv') {
    setBusy(true);
    setOk(null);
    setError(null);
    try {
      const response = await client.raw('/sessions/bulk/export', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ids: [...selected], format }),
      });
      const saved = await saveResponse(platform, response, `sessions-export.${format}`, format);
      setOk(saved);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  const set = <K extends keyof Filters>(key: K, value: Filters[K]) =>
    setFilters((f) => ({ ...f, [key]: value }));
  const allShownSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));

  return (
    <>
      <FirstRunGuide />
      <section className="panel" aria-labelledby="sessions-title">
        <div className="toolbar">
          <h2 id="sessions-title">Sessions</h2>
          <button type="button" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
            New session
          </button>
        </div>
        {creating && (
          <CreateSession
            warehouses={warehouses.value ?? []}
            onCreated={(session) => {
              setCreating(false);
              setOk(`Created "${session.name}".`);
              void loadPage(1, true);
            }}
          />
        )}
        <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter sessions">
          <label>
            Search
            <input type="search" value={filters.q} onChange={(e) => set('q', e.target.value)} />
          </label>
          <label>
            Status
            <select value={filters.status} onChange={(e) => set('status', e.target.value)}>
              <option value="">Any</option>
              {SESSION_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s.toLowerCase()}
                </option>
              ))}
            </select>
          </label>
          <label>
            Warehouse
            <select value={filters.warehouse} onChange={(e) => set('warehouse', e.target.value)}>
              <option value="">Any</option>
              {(warehouses.value ?? []).map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                </option>
              ))}
            </select>
          </label>
          <SearchPicker
            label="Counted by"
            value={counter}
            search={findUsers}
            onChange={(option) => {
              setCounter(option);
              set('staff', option?.id ?? '');
            }}
          />
          <label>
            Created from
            <input type="date" value={filters.from} onChange={(e) => set('from', e.target.value)} />
          </label>
          <label>
            Created before
            <input type="date" value={filters.to} onChange={(e) => set('to', e.target.value)} />
          </label>
          <label>
            Sort
            <select
              value={filters.sort}
              onChange={(e) => set('sort', e.target.value as Filters['sort'])}
            >
              <option value="-created_at">Newest first</option>
              <option value="created_at">Oldest first</option>
              <option value="name">Name A–Z</option>
              <option value="-name">Name Z–A</option>
              <option value="status">Status</option>
            </select>
          </label>
        </form>
        <div className="toolbar" role="group" aria-label="Bulk actions">
          <span>
            {selected.size} selected · {rows.length} of {total} shown
          </span>
          <button
            type="button"
            disabled={busy || selected.size === 0}
            onClick={() => void askBulk('close')}
          >
            Close selected
          </button>
          <button
            type="button"
            disabled={busy || selected.size === 0}
            onClick={() => void askBulk('reconcile')}
          >
            Reconcile selected
          </button>
          <button
            type="button"
            disabled={busy || selected.size === 0}
            onClick={() => void bulkExport('xlsx')}
          >
            Export selected (Excel)
          </button>
          <button
            type="button"
            disabled={busy || selected.size === 0}
            onClick={() => void bulkExport('csv')}
          >
            Export selected (CSV)
          </button>
        </div>
        <Status error={error} ok={ok} />
        {confirming && (
          <ConfirmDialog
            title={confirming.summary.title}
            confirmLabel={confirming.summary.confirmLabel}
            busy={busy || confirming.summary.applies.length === 0}
            onCancel={() => setConfirming(null)}
            onConfirm={() => void bulk(confirming.action, confirming.ids)}
          >
            <BulkSummaryView summary={confirming.summary} />
          </ConfirmDialog>
        )}
        <VirtualList
          items={rows}
          rowHeight={ROW_HEIGHT}
          height={Math.min(560, Math.max(ROW_HEIGHT * 3, rows.length * ROW_HEIGHT))}
          label="Sessions"
          onNearEnd={loadMore}
          header={
            <div role="row" className="vlist-row vlist-head sessions-cols">
              <span role="columnheader">
                <input
                  type="checkbox"
                  aria-label="Select all shown sessions"
                  checked={allShownSelected}
                  onChange={() =>
                    setSelected(allShownSelected ? new Set() : new Set(rows.map((r) => r.id)))
                  }
                />
              </span>
              <span role="columnheader">Name</span>
              <span role="columnheader">Warehouse</span>
              <span role="columnheader">Mode</span>
              <span role="columnheader">Status</span>
              <span role="columnheader">Created</span>
            </div>
          }
          renderRow={(s) => (
            <div className="sessions-cols" data-session={s.name}>
              <span role="cell">
                <input
                  type="checkbox"
                  aria-label={`Select ${s.name}`}
                  checked={selected.has(s.id)}
                  onChange={() => toggle(s.id)}
                />
              </span>
              <span role="cell">
                <a href={`#/sessions/${encodeURIComponent(s.id)}`}>{s.name}</a>
              </span>
              <span role="cell">{s.warehouse}</span>
              <span role="cell">{s.mode}</span>
              <span role="cell" className={`status status-${s.status.toLowerCase()}`}>
                {s.status.toLowerCase()}
              </span>
              <span role="cell">{dateTime(s.created_at)}</span>
            </div>
          )}
        />
        <p className="hint">Modes: {SESSION_MODES.join(', ')}.</p>
      </section>
    </>
  );
}
