import { SETTLEMENT_STATES } from '@stockverify/shared';
import type { BinRecord, SettlementState } from '@stockverify/shared';
import { useState } from 'react';
import type { CSSProperties } from 'react';
import { readBins } from '../../api/bins';
import { useConsole } from '../../context';
import { dateTime, qty } from '../../ui/format';
import { Status } from '../../ui/Status';
import { VirtualList } from '../../ui/VirtualList';
import { binHref, phaseWords, reasonWords, stateWords } from './recount-words';
import { useLivePages } from './useLivePages';

const PAGE_SIZE = 200;
const ROW_HEIGHT = 40;

const COLUMNS: CSSProperties = {
  display: 'grid',
  gridTemplateColumns: '6rem 2fr 7rem 2fr repeat(3, 6rem) 9rem 5rem',
  alignItems: 'center',
  columnGap: '0.5rem',
  width: '100%',
  padding: '0 0.5rem',
  borderBottom: '1px solid #f1f5f9',
};
const NUM: CSSProperties = { textAlign: 'right' };

/**
 * The session's bins by settlement state (issue #16 items 3–4): by default those waiting for a
 * supervisor — no recount task stands for them, so the task queue alone would not show them.
 * Paged by the server, virtualized, reloaded from the session's live events; each row opens the
 * bin's history, where it is decided.
 */
export function BinsPanel({ sessionId, tick }: { sessionId: string; tick: number }) {
  const { client } = useConsole();
  const [state, setState] = useState<SettlementState | ''>('needs_supervisor');
  const [rack, setRack] = useState('');
  const filterKey = JSON.stringify([state, rack.trim()]);
  const { rows, total, error, more } = useLivePages<BinRecord>(
    `${filterKey}#${tick}`,
    PAGE_SIZE,
    (page) =>
      readBins(client, sessionId, {
        page,
        page_size: PAGE_SIZE,
        state: state || undefined,
        rack: rack.trim() || undefined,
      }),
  );
  return (
    <section className="panel" aria-label="Bins">
      <h3>Bins</h3>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter bins">
        <label>
          Settlement{' '}
          <select
            aria-label="Bin state"
            value={state}
            onChange={(e) => setState(e.target.value as SettlementState | '')}
          >
            <option value="">Any</option>
            {SETTLEMENT_STATES.map((s) => (
              <option key={s} value={s}>
                {stateWords(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Rack{' '}
          <input
            aria-label="Bin rack filter"
            value={rack}
            onChange={(e) => setRack(e.target.value)}
          />
        </label>
        <span aria-live="polite">
          {total === null
            ? 'Loading…'
            : `${rows.length.toLocaleString('en')} of ${total.toLocaleString('en')} bins`}
        </span>
      </form>
      <Status error={error} />
      {total === 0 ? (
        <p>{state === 'needs_supervisor' ? 'No bin waits for you.' : 'No bin matches.'}</p>
      ) : (
        <VirtualList
          key={filterKey}
          items={rows}
          rowHeight={ROW_HEIGHT}
          height={Math.min(480, Math.max(ROW_HEIGHT * 3, rows.length * ROW_HEIGHT))}
          label="Bins by settlement"
          onNearEnd={more}
          header={
            <div role="row" className="vlist-row vlist-head" style={COLUMNS}>
              <span role="columnheader">Rack</span>
              <span role="columnheader">Item</span>
              <span role="columnheader">State</span>
              <span role="columnheader">Why</span>
              <span role="columnheader" style={NUM}>
                Book
              </span>
              <span role="columnheader" style={NUM}>
                Quantity
              </span>
              <span role="columnheader" style={NUM}>
                Proposed
              </span>
              <span role="columnheader">Phase</span>
              <span role="columnheader">History</span>
            </div>
          }
          renderRow={(b) => (
            <div style={COLUMNS} data-bin={`${b.rack}/${b.item_code}`}>
              <span role="cell">{b.rack}</span>
              <span role="cell" title={b.item_name ?? undefined}>
                <span className="mono">{b.item_code}</span>
                {b.item_name && <span className="item-name"> {b.item_name}</span>}
              </span>
              <span role="cell">{stateWords(b.state)}</span>
              <span role="cell">{reasonWords(b.reason)}</span>
              <span role="cell" style={NUM}>
                {qty(b.book_qty)}
              </span>
              <span role="cell" style={NUM}>
                {qty(b.quantity)}
              </span>
              <span role="cell" style={NUM}>
                {qty(b.proposed_quantity)}
              </span>
              <span role="cell" title={`updated ${dateTime(b.updated_at)}`}>
                {phaseWords(b.phase)}
              </span>
              <span role="cell">
                <a
                  href={binHref(sessionId, b.rack, b.item_code)}
                  aria-label={`History of ${b.item_code} on ${b.rack}`}
                >
                  Open
                </a>
              </span>
            </div>
          )}
        />
      )}
    </section>
  );
}
