import { sessionDetailSchema } from '@stockverify/shared';
import type { OpenBin } from '@stockverify/shared';
import { useEffect, useRef, useState } from 'react';
import { RecountsOpenError, reconcileSession } from '../../api/bins';
import { errorText } from '../../api/client';
import { useConsole } from '../../context';
import { atCountTotalsText } from '../reports/at-count-totals';
import { saveResponse } from '../reports/save-response';
import { dateTime, money, qty, signed } from '../../ui/format';
import { useHashRoute, useLoad } from '../../ui/hooks';
import { BinDrawer } from '../recounts/BinDrawer';
import { RecountsTab } from '../recounts/RecountsTab';
import { useRecountTick } from '../recounts/useLivePages';
import { RecountsOpenList } from '../recounts/RecountsOpenList';
import { binFromRoute } from '../recounts/recount-words';
import { Status } from '../../ui/Status';
import { ConflictsPanel, UnknownItemsPanel } from './QueuePanels';
import { LinesPanel } from './LinesPanel';
import { VariancesPanel } from './VariancesPanel';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { bulkSummary, heldRacks } from './bulk-summary';
import type { BulkAction, BulkSummary, HeldRack } from './bulk-summary';
import { BulkSummaryView } from './BulkSummaryView';

const TABS = [
  ['variances', 'Variances'],
  ['lines', 'Lines and review'],
  ['recounts', 'Recounts'],
  ['conflicts', 'Conflicts'],
  ['unknown', 'Unknown items'],
] as const;
type Tab = (typeof TABS)[number][0];

/** One session: metrics, lifecycle actions, and the review work (lines, conflicts, unknowns). */
export function SessionDetail({ id }: { id: string }) {
  const { client, platform } = useConsole();
  const [detail, reload] = useLoad(
    () => client.read(sessionDetailSchema, `/sessions/${encodeURIComponent(id)}`),
    [client, id],
  );
  const [tab, setTab] = useState<Tab>('variances');
  // One live-event subscription for the recount lists and the bin drawer (issue #16 item 4), the
  // variances list and the figures above it.
  const live = useRecountTick(client, id);
  // The figures above follow the same events (at most one read per tick).
  const seenTick = useRef(live.tick);
  useEffect(() => {
    if (live.tick === seenTick.current) return;
    seenTick.current = live.tick;
    void reload();
  }, [live.tick, reload]);
  // A new status replaces the lifecycle buttons, the one holding the focus too — whether this
  // console changed it or a live read brought the change first: the focus goes to the session's
  // title, not nowhere.
  const status = detail.value?.status;
  const shownStatus = useRef(status);
  useEffect(() => {
    const before = shownStatus.current;
    shownStatus.current = status;
    if (before === undefined || before === status) return;
    const active = document.activeElement;
    if (active === null || active === document.body) {
      document.getElementById('session-title')?.focus();
    }
  }, [status]);
  const [error, setError] = useState<string | null>(null);
  const [ok, setOk] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<BulkSummary | null>(null);
  // Reconcile refused while recounts are open (409 RECOUNTS_OPEN): the bins, each a link.
  const [openBins, setOpenBins] = useState<{ bins: OpenBin[]; total: number }>({
    bins: [],
    total: 0,
  });
  // `#/sessions/:id/bins/:rack/:item` opens the bin's history over the page (issue #16 item 4).
  const bin = binFromRoute(useHashRoute());
  const binOpener = useRef<HTMLElement | null>(null);
  // What had the focus before the drawer opened (a link in a row, in the line drawer…).
  const lastFocus = useRef<HTMLElement | null>(null);
  useEffect(() => {
    const onFocus = (e: FocusEvent) => {
      if (e.target instanceof HTMLElement && !e.target.closest('dialog.bin-drawer')) {
        lastFocus.current = e.target;
      }
    };
    document.addEventListener('focusin', onFocus);
    return () => document.removeEventListener('focusin', onFocus);
  }, []);
  const binKey = bin ? `${bin.rack}\u0000${bin.item}` : null;
  useEffect(() => {
    if (binKey !== null) {
      binOpener.current ??= lastFocus.current;
      return;
    }
    // The drawer is gone (its dialog closed first): focus goes back to what opened it.
    const back = binOpener.current;
    binOpener.current = null;
    if (back?.isConnected) back.focus();
  }, [binKey]);

  /** Close and reconcile ask first, naming the racks counters still hold (issue #14). */
  async function askLifecycle(action: BulkAction) {
    setError(null);
    setOk(null);
    const s = detail.value;
    if (!s) return;
    try {
      const held = new Map<string, HeldRack[]>();
      if (action === 'close') held.set(s.id, await heldRacks(client, s.warehouse, s.id));
      setConfirming(bulkSummary(action, [s], held, { one: true }));
    } catch (e) {
      setError(errorText(e));
    }
  }

  async function lifecycle(action: 'close' | 'reopen' | 'reconcile') {
    setError(null);
    setOk(null);
    setOpenBins({ bins: [], total: 0 });
    try {
      if (action === 'reconcile') await reconcileSession(client, id);
      else await client.post(`/sessions/${encodeURIComponent(id)}/${action}`);
      // The confirmation took the focus with it when it closed, and the button pressed goes with
      // the old status: the focus is on the session's title before the notice shows, whether or
      // not a live read has brought the new status yet.
      document.getElementById('session-title')?.focus();
      setOk(
        `Session ${action === 'reopen' ? 'reopened' : action === 'close' ? 'closed' : 'reconciled'}.`,
      );
      await reload();
      // The button pressed is gone (the status changed): focus the session's title, not nowhere.
      setTimeout(() => document.getElementById('session-title')?.focus(), 0);
    } catch (e) {
      setError(errorText(e));
      if (e instanceof RecountsOpenError) setOpenBins({ bins: e.bins, total: e.total });
    }
  }

  function closeBin() {
    window.location.hash = `#/sessions/${encodeURIComponent(id)}`;
  }

  // The ERP adjustment package of a reconciled session (XLSX with its content hash), issue #7.
  async function downloadAdjustments() {
    setError(null);
    setOk(null);
    try {
      const response = await client.raw(
        `/sessions/${encodeURIComponent(id)}/adjustments?format=xlsx`,
      );
      const saved = await saveResponse(platform, response, `adjustments-${id}.xlsx`, 'xlsx');
      const hash = response.headers.get('X-Content-Hash');
      setOk(hash ? `${saved} Content hash ${hash.slice(0, 16)}…` : saved);
    } catch (e) {
      setError(errorText(e));
    }
  }

  const s = detail.value;
  if (s === null) {
    return (
      <Status error={detail.state === 'error' ? detail.error : null} info="Loading session…" />
    );
  }
  const m = s.metrics;
  // Beside the snapshot variance, the variance at count of the exact items (design §13).
  const atCount = m.at_count ? atCountTotalsText({ ...m.at_count, rows: m.at_count.items }) : null;
  return (
    <div className="stack">
      <section className="panel" aria-labelledby="session-title">
        <p>
          <a href="#/sessions">← All sessions</a>
        </p>
        <div className="toolbar">
          <h2 id="session-title" tabIndex={-1}>
            {s.name}
          </h2>
          <span className={`status status-${s.status.toLowerCase()}`}>
            {s.status.toLowerCase()}
          </span>
          {s.status === 'OPEN' && (
            <button type="button" onClick={() => void askLifecycle('close')}>
              Close session
            </button>
          )}
          {s.status === 'CLOSED' && (
            <>
              <button type="button" onClick={() => void lifecycle('reopen')}>
                Reopen session
              </button>
              <button type="button" onClick={() => void askLifecycle('reconcile')}>
                Reconcile session
              </button>
            </>
          )}
          {s.status === 'RECONCILED' && (
            <button type="button" onClick={() => void downloadAdjustments()}>
              ERP adjustment package (XLSX)
            </button>
          )}
        </div>
        <dl className="metrics">
          <div>
            <dt>Warehouse</dt>
            <dd>{s.warehouse}</dd>
          </div>
          <div>
            <dt>Mode</dt>
            <dd>{s.mode}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>{dateTime(s.created_at)}</dd>
          </div>
          <div>
            <dt>Racks done</dt>
            <dd>
              {m.racks_done} / {m.racks_total} ({m.racks_claimed} claimed)
            </dd>
          </div>
          <div>
            <dt>Items counted</dt>
            <dd>
              {m.items_counted} / {m.items_in_snapshot}
            </dd>
          </div>
          <div>
            <dt>Lines</dt>
            <dd>{m.lines}</dd>
          </div>
          <div>
            <dt>Total variance</dt>
            <dd>{signed(m.total_variance)}</dd>
          </div>
          <div>
            <dt>Variance value (cost)</dt>
            <dd>{money(m.variance_value_at_cost)}</dd>
          </div>
          {atCount?.figures.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        {atCount?.note && (
          <p className="hint" id="session-at-count-note">
            {atCount.note}
          </p>
        )}
        {m.counters.length > 0 && (
          <table className="grid" aria-label="Counters in this session">
            <thead>
              <tr>
                <th scope="col">Counter</th>
                <th scope="col">Lines</th>
                <th scope="col">Items</th>
                <th scope="col">Racks</th>
                <th scope="col">Items/min</th>
              </tr>
            </thead>
            <tbody>
              {m.counters.map((c) => (
                <tr key={c.user_id}>
                  <td>{c.username}</td>
                  <td>{c.lines}</td>
                  <td>{c.items}</td>
                  <td>{c.racks}</td>
                  <td>{qty(c.items_per_minute)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Status error={error ?? (detail.state === 'error' ? detail.error : null)} ok={ok} />
        {openBins.total > 0 && (
          <RecountsOpenList sessionId={id} bins={openBins.bins} total={openBins.total} />
        )}
        {confirming && (
          <ConfirmDialog
            title={confirming.title}
            confirmLabel={confirming.confirmLabel}
            onCancel={() => setConfirming(null)}
            onConfirm={() => {
              setConfirming(null);
              void lifecycle(confirming.action);
            }}
          >
            <BulkSummaryView summary={confirming} />
          </ConfirmDialog>
        )}
      </section>
      <div role="tablist" aria-label="Session work" className="tabs">
        {TABS.map(([key, label]) => (
          <button
            key={key}
            type="button"
            role="tab"
            aria-selected={tab === key}
            onClick={() => setTab(key)}
          >
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {tab === 'variances' && <VariancesPanel sessionId={id} tick={live.tick} />}
        {tab === 'lines' && <LinesPanel sessionId={id} onReviewed={() => void reload()} />}
        {tab === 'recounts' && (
          <RecountsTab
            sessionId={id}
            warehouse={s.warehouse}
            tick={live.tick}
            stream={live.stream}
          />
        )}
        {tab === 'conflicts' && <ConflictsPanel sessionId={id} />}
        {tab === 'unknown' && <UnknownItemsPanel sessionId={id} />}
      </div>
      {bin && (
        <BinDrawer
          key={binKey}
          sessionId={id}
          rack={bin.rack}
          item={bin.item}
          onClose={closeBin}
          tick={live.tick}
          warehouse={s.warehouse}
          onChanged={() => void reload()}
        />
      )}
    </div>
  );
}
