import { AT_COUNT_STATUSES, HINT_KINDS, VARIANCE_SORTS } from '@stockverify/shared';
import { variancesPageSchema } from '@stockverify/shared';
import type {
  AtCountStatus,
  HintKind,
  SessionItemVariance,
  VarianceSort,
} from '@stockverify/shared';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CSSProperties } from 'react';
import { errorText } from '../../api/client';
import { useConsole } from '../../context';
import { money, qty, signed } from '../../ui/format';
import { Status } from '../../ui/Status';
import { VirtualList } from '../../ui/VirtualList';
import { binHref } from '../recounts/recount-words';
import { AT_COUNT_STATUS_LABELS, HINT_LABELS, atCountCell, hintsText } from './at-count-words';
import { ExpectedAtCountCard } from './ExpectedAtCountCard';
import { MovedDecisionsBar } from './MovedDecisionsBar';

const PAGE_SIZE = 200;
const ROW_HEIGHT = 36;

const SORT_LABELS: Record<VarianceSort, string> = {
  '-abs_variance': 'Largest variance first',
  abs_variance: 'Smallest variance first',
  '-abs_value': 'Largest value first',
  abs_value: 'Smallest value first',
  item_code: 'Item code A–Z',
  '-item_code': 'Item code Z–A',
  '-variance_at_count': 'Largest variance at count first',
  variance_at_count: 'Smallest variance at count first',
};

type Tristate = '' | 'true' | 'false';

interface Filters {
  sort: VarianceSort;
  has_variance: Tristate;
  needs_review: Tristate;
  category: string;
  rack: string;
  /** Where the variance at count stands (design §13); '' = any. */
  at_count_status: AtCountStatus | '';
  hint: HintKind | '';
}

// One grid for the header and every row (the list is divs, not a table, so it can virtualize).
const COLUMNS: CSSProperties = {
  display: 'grid',
  gridTemplateColumns:
    '2rem 6.5rem minmax(8rem, 2fr) minmax(5rem, 1fr) repeat(4, 4.8rem) 5.5rem 10rem 5.5rem minmax(6rem, 1.2fr) minmax(4rem, 1fr)',
  alignItems: 'center',
  columnGap: '0.5rem',
  width: '100%',
  padding: '0 0.5rem',
  borderBottom: '1px solid #f1f5f9',
};
const NUM: CSSProperties = { textAlign: 'right' };
// Text cells keep to one line (rows are of one height, for the virtual list): the title has it all.
const CLIP: CSSProperties = { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' };

/**
 * Per-item variances, paged by the server (largest first by default) and virtualized: scrolling
 * near the end follows `next_after`, so a 50,000-item session loads a page at a time.
 */
export function VariancesPanel({ sessionId, tick = 0 }: { sessionId: string; tick?: number }) {
  const { client } = useConsole();
  const [filters, setFilters] = useState<Filters>({
    sort: '-abs_variance',
    has_variance: '',
    needs_review: '',
    category: '',
    rack: '',
    at_count_status: '',
    hint: '',
  });
  const [rows, setRows] = useState<SessionItemVariance[]>([]);
  // The item whose variance against the book at count time is shown (design §13).
  const [atCount, setAtCount] = useState<string | null>(null);
  // Items chosen for a decision in bulk (design §13), kept across sorts and filters.
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const toggle = (code: string, on: boolean) =>
    setSelected((old) => {
      const next = new Set(old);
      if (on) next.add(code);
      else next.delete(code);
      return next;
    });
  const allLoaded = rows.length > 0 && rows.every((r) => selected.has(r.item_code));
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const next = useRef<string | null>(null);
  const loading = useRef(false);
  const generation = useRef(0);
  /** Pages loaded since the list last started from the top. */
  const pages = useRef(0);
  // Figures changed (a live tick) while more than the first page is loaded: re-reading in place
  // would lose the reader's place, so the list offers it instead.
  const [stale, setStale] = useState(false);

  const load = useCallback(
    async (replace: boolean) => {
      if (loading.current && !replace) return;
      if (!replace && next.current === null) return;
      loading.current = true;
      const mine = replace ? ++generation.current : generation.current;
      try {
        const page = await client.read(
          variancesPageSchema,
          `/sessions/${encodeURIComponent(sessionId)}/variances`,
          {
            page_size: PAGE_SIZE,
            sort: filters.sort,
            has_variance: filters.has_variance || undefined,
            needs_review: filters.needs_review || undefined,
            category: filters.category.trim() || undefined,
            rack: filters.rack.trim() || undefined,
            at_count_status: filters.at_count_status || undefined,
            hint: filters.hint || undefined,
            after: replace ? undefined : (next.current ?? undefined),
          },
        );
        if (mine !== generation.current) return;
        next.current = page.next_after;
        pages.current = replace ? 1 : pages.current + 1;
        if (replace) setStale(false);
        setTotal(page.total);
        setRows((old) => (replace ? page.items : [...old, ...page.items]));
        setError(null);
      } catch (e) {
        if (mine === generation.current) setError(errorText(e));
      } finally {
        if (mine === generation.current) loading.current = false;
      }
    },
    [client, sessionId, filters],
  );

  useEffect(() => {
    next.current = null;
    void load(true);
  }, [load]);

  // Live (a tick per burst of the session's events: counts, reviews, figures at count computed):
  // the first page is read again in place, so an item shown `pending` gets its figure and a new
  // count its row without reopening the session; deeper in the list the reader chooses.
  const seenTick = useRef(tick);
  useEffect(() => {
    if (tick === seenTick.current) return;
    seenTick.current = tick;
    if (pages.current <= 1) void load(true);
    else setStale(true);
  }, [tick, load]);

  const set = <K extends keyof Filters>(key: K, value: Filters[K]) =>
    setFilters((old) => ({ ...old, [key]: value }));

  return (
    <section className="panel" aria-label="Variances">
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter variances">
        <FilterSelect
          label="Sort"
          ariaLabel="Sort variances"
          value={filters.sort}
          choices={VARIANCE_SORTS.map((v) => [v, SORT_LABELS[v]] as const)}
          onChange={(v) => set('sort', v)}
        />
        <FilterSelect
          label="Variance"
          ariaLabel="Variance filter"
          value={filters.has_variance}
          choices={[ANY, ['true', 'Has a variance'], ['false', 'Balanced']]}
          onChange={(v) => set('has_variance', v)}
        />
        <FilterSelect
          label="Review"
          ariaLabel="Review filter"
          value={filters.needs_review}
          choices={[ANY, ['true', 'Needs review'], ['false', 'Nothing to review']]}
          onChange={(v) => set('needs_review', v)}
        />
        <label>
          Category{' '}
          <input
            aria-label="Category filter"
            value={filters.category}
            onChange={(e) => set('category', e.target.value)}
          />
        </label>
        <label>
          Rack{' '}
          <input
            aria-label="Rack filter"
            value={filters.rack}
            onChange={(e) => set('rack', e.target.value)}
          />
        </label>
        <FilterSelect
          label="At count"
          ariaLabel="At count filter"
          value={filters.at_count_status}
          choices={[ANY, ...AT_COUNT_STATUSES.map((v) => [v, AT_COUNT_STATUS_LABELS[v]] as const)]}
          onChange={(v) => set('at_count_status', v)}
        />
        <FilterSelect
          label="Hint"
          ariaLabel="Hint filter"
          value={filters.hint}
          choices={[ANY, ...HINT_KINDS.map((v) => [v, HINT_LABELS[v]] as const)]}
          onChange={(v) => set('hint', v)}
        />
        <span aria-live="polite">
          {total === null
            ? 'Loading…'
            : `${rows.length.toLocaleString('en')} of ${total.toLocaleString('en')} items`}
        </span>
      </form>
      <Status error={error} />
      {stale && (
        <p role="status">
          Figures have changed since this list was read.{' '}
          <button type="button" onClick={() => void load(true)}>
            Read the list again
          </button>
        </p>
      )}
      <MovedDecisionsBar
        sessionId={sessionId}
        selected={[...selected]}
        onClear={() => setSelected(new Set())}
      />
      {atCount !== null && (
        <ExpectedAtCountCard
          sessionId={sessionId}
          itemCode={atCount}
          onClose={() => setAtCount(null)}
        />
      )}
      {total === 0 ? (
        <p>
          {rows.length === 0 && hasFilter(filters) ? 'No item matches.' : 'Nothing counted yet.'}
        </p>
      ) : (
        <VirtualList
          // A new sort or filter starts again from the top of the list.
          key={JSON.stringify(filters)}
          items={rows}
          rowHeight={ROW_HEIGHT}
          height={Math.min(560, Math.max(ROW_HEIGHT * 3, rows.length * ROW_HEIGHT))}
          label="Variances by item"
          onNearEnd={() => void load(false)}
          header={
            <div role="row" className="vlist-row vlist-head" style={COLUMNS}>
              <span role="columnheader">
                <input
                  type="checkbox"
                  aria-label="Select every item loaded"
                  checked={allLoaded}
                  onChange={(e) => {
                    const on = e.target.checked;
                    setSelected((old) => {
                      const next = new Set(old);
                      for (const r of rows) {
                        if (on) next.add(r.item_code);
                        else next.delete(r.item_code);
                      }
                      return next;
                    });
                  }}
                />
              </span>
              <span role="columnheader">Item</span>
              <span role="columnheader">Name</span>
              <span role="columnheader">Category</span>
              <span role="columnheader" style={NUM}>
                Book
              </span>
              <span role="columnheader" style={NUM}>
                Counted
              </span>
              <span role="columnheader" style={NUM}>
                Damaged
              </span>
              <span role="columnheader" style={NUM}>
                Written off
              </span>
              <span role="columnheader" style={NUM}>
                Snapshot variance
              </span>
              <span
                role="columnheader"
                style={NUM}
                title="Against the book when the item was counted (design §13)"
              >
                At count
              </span>
              <span role="columnheader" style={NUM}>
                Value (cost)
              </span>
              <span role="columnheader">Hints</span>
              <span role="columnheader">Racks</span>
            </div>
          }
          renderRow={(v) => (
            <div style={COLUMNS} data-item={v.item_code}>
              <span role="cell">
                <input
                  type="checkbox"
                  aria-label={`Select ${v.item_code}`}
                  checked={selected.has(v.item_code)}
                  onChange={(e) => toggle(v.item_code, e.target.checked)}
                />
              </span>
              <span role="cell">{v.item_code}</span>
              <span role="cell" title={v.name} style={CLIP}>
                {v.name}
                {v.needs_review > 0 && ` (${v.needs_review} to review)`}
              </span>
              <span role="cell" style={CLIP}>
                {v.category ?? '—'}
              </span>
              <span role="cell" style={NUM}>
                {qty(v.book_qty)}
              </span>
              <span role="cell" style={NUM}>
                {qty(v.counted_qty)}
              </span>
              <span role="cell" style={NUM}>
                {qty(v.damaged_qty)}
              </span>
              <span role="cell" style={NUM}>
                {qty(v.non_returnable_damaged_qty)}
              </span>
              <span
                role="cell"
                style={NUM}
                className={v.variance < 0 ? 'neg' : v.variance > 0 ? 'pos' : ''}
                data-col="snapshot-variance"
              >
                {signed(v.variance)}
              </span>
              <AtCountCellView v={v} onOpen={() => setAtCount(v.item_code)} />
              <span role="cell" style={NUM}>
                {money(v.value_at_cost)}
              </span>
              <span role="cell" title={hintsText(v.hints).long} data-col="hints" style={CLIP}>
                {hintsText(v.hints).short}
              </span>
              <span role="cell" className="rack-links" style={CLIP}>
                {/* Each rack of the item is a bin: its history, counts and decision. */}
                {v.racks.map((rack, n) => (
                  <span key={rack}>
                    {n > 0 && ', '}
                    <a
                      href={binHref(sessionId, rack, v.item_code)}
                      aria-label={`History of ${v.item_code} on ${rack}`}
                    >
                      {rack}
                    </a>
                  </span>
                ))}
              </span>
            </div>
          )}
        />
      )}
    </section>
  );
}

function hasFilter(f: Filters): boolean {
  return (
    f.has_variance !== '' ||
    f.needs_review !== '' ||
    f.category !== '' ||
    f.rack !== '' ||
    f.at_count_status !== '' ||
    f.hint !== ''
  );
}

/**
 * The variance at count (design §13): the figure, or the range of a flagged item, with its status
 * chip; a button that opens the item's card (the movements that explain it, and the decisions).
 */
function AtCountCellView({ v, onOpen }: { v: SessionItemVariance; onOpen: () => void }) {
  const c = atCountCell(v);
  return (
    <span role="cell" style={{ ...NUM, whiteSpace: 'nowrap' }} data-col="at-count" title={c.title}>
      <button
        type="button"
        className={`link ${c.tone}`}
        // A button's white would hide the figure; it takes the cell's colour.
        style={{ color: c.tone === '' ? 'inherit' : undefined }}
        onClick={onOpen}
        aria-label={`Variance at count of ${v.item_code}`}
      >
        {c.figure}
      </button>{' '}
      <span
        className={c.chipClass}
        data-status={c.chip}
        // Pending and unknown: a neutral chip.
        style={c.chipClass === 'badge' ? { background: '#e2e8f0' } : undefined}
      >
        {c.chip}
        {c.provisional && ', provisional'}
      </span>
    </span>
  );
}

/** A filter's choice of every value. */
const ANY = ['', 'Any'] as const;

/** A labelled select of the filter form: one option per choice, in order. */
function FilterSelect<V extends string>(props: {
  label: string;
  ariaLabel: string;
  value: V;
  choices: ReadonlyArray<readonly [V, string]>;
  onChange: (value: V) => void;
}) {
  return (
    <label>
      {props.label}{' '}
      <select
        aria-label={props.ariaLabel}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as V)}
      >
        {props.choices.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}
