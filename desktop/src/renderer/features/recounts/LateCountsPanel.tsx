import type { BinCountView, BinRecord } from '@stockverify/shared';
import { useEffect, useState } from 'react';
import { readBin, readBins } from '../../api/bins';
import { errorText } from '../../api/client';
import { useConsole } from '../../context';
import { countOf, dateTime, qty } from '../../ui/format';
import { Status } from '../../ui/Status';
import { binHref, phaseWords, stateWords } from './recount-words';

/** How many bins the list shows with their counts (the total is said beside). */
const SHOWN = 50;

interface LateBin {
  bin: BinRecord;
  /** Its late counts no supervisor acknowledged yet. */
  late: BinCountView[];
}

/**
 * Late counts (issue #16 item 3, docs/design.md §11 "Late counts"): the bins holding counts that
 * came after a supervisor decided them, or that answered a recount task already closed, and that
 * nobody acknowledged yet — each with its figure, the late counts (counter, quantity, when) and a
 * link to its history, where the supervisor keeps the decision or overrides it. Reloaded by the
 * session's live events (`bin` `late_count`, `late_acknowledged`); reconcile waits for them.
 */
export function LateCountsPanel({ sessionId, tick }: { sessionId: string; tick: number }) {
  const { client } = useConsole();
  const [rows, setRows] = useState<LateBin[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    void (async () => {
      try {
        const page = await readBins(client, sessionId, {
          attention: 'late',
          page: 1,
          page_size: SHOWN,
        });
        const details = await Promise.all(
          page.items.map((b) => readBin(client, sessionId, b.rack, b.item_code)),
        );
        if (!current) return;
        setRows(
          details.map((d) => ({
            bin: d.bin,
            late: d.counts.filter((c) => c.late && !c.late_acknowledged),
          })),
        );
        setTotal(page.total);
        setError(null);
      } catch (e) {
        if (current) setError(errorText(e));
      }
    })();
    return () => {
      current = false;
    };
  }, [client, sessionId, tick]);

  return (
    <section className="panel" aria-label="Late counts">
      <h3>Late counts</h3>
      <Status error={error} info={rows === null && error === null ? 'Loading…' : null} />
      {rows !== null && rows.length === 0 && <p>No late count waits for you.</p>}
      {rows !== null && rows.length > 0 && (
        <>
          <p className="hint">
            {countOf(total, 'bin')} received counts after their figure was fixed. Each keeps its
            figure until you look: keep the decision (acknowledge, with a reason) or override it.
            Reconcile waits for them.
            {total > rows.length && ` The first ${rows.length} are listed.`}
          </p>
          <table className="grid" aria-label="Bins with late counts">
            <thead>
              <tr>
                <th scope="col">Rack</th>
                <th scope="col">Item</th>
                <th scope="col">State</th>
                <th scope="col" className="num">
                  Quantity
                </th>
                <th scope="col">Late counts</th>
                <th scope="col">History</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ bin, late }) => (
                <tr
                  key={`${bin.rack}\u0000${bin.item_code}`}
                  data-late-bin={`${bin.rack}/${bin.item_code}`}
                >
                  <td>{bin.rack}</td>
                  <td title={bin.item_name ?? undefined}>
                    <span className="mono">{bin.item_code}</span>
                    {bin.item_name && <span className="item-name"> {bin.item_name}</span>}
                  </td>
                  <td>{stateWords(bin.state)}</td>
                  <td className="num">{qty(bin.quantity)}</td>
                  <td>
                    <ul className="late-counts">
                      {late.map((c) => (
                        <li key={c.op_id} data-late-count={c.op_id}>
                          {`${qty(c.quantity)} by ${c.counted_by_name} (${phaseWords(c.phase).toLowerCase()}), received ${dateTime(c.received_at)}`}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    <a
                      href={binHref(sessionId, bin.rack, bin.item_code)}
                      aria-label={`Late counts of ${bin.item_code} on ${bin.rack}`}
                    >
                      Open
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
