import type { ItemVariance } from '../../api/types';
import { useConsole } from '../../context';
import { money, qty, signed } from '../../ui/format';
import { useLoad } from '../../ui/hooks';
import { Status } from '../../ui/Status';

/** Per-item variances: book, counted, damaged, variance and its value. */
export function VariancesPanel({ sessionId }: { sessionId: string }) {
  const { client } = useConsole();
  const [variances] = useLoad(
    () =>
      client
        .get<{ items: ItemVariance[] }>(`/sessions/${encodeURIComponent(sessionId)}/variances`)
        .then((r) => r.items),
    [client, sessionId],
  );
  const items = variances.value ?? [];
  return (
    <section className="panel">
      <Status error={variances.state === 'error' ? variances.error : null} />
      <table className="grid" aria-label="Variances by item">
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Name</th>
            <th scope="col">Category</th>
            <th scope="col" className="num">
              Book
            </th>
            <th scope="col" className="num">
              Counted
            </th>
            <th scope="col" className="num">
              Damaged
            </th>
            <th scope="col" className="num">
              Written off
            </th>
            <th scope="col" className="num">
              Variance
            </th>
            <th scope="col" className="num">
              Value (cost)
            </th>
            <th scope="col">Racks</th>
          </tr>
        </thead>
        <tbody>
          {items.length === 0 && (
            <tr>
              <td colSpan={10}>
                {variances.state === 'loading' ? 'Loading…' : 'Nothing counted yet.'}
              </td>
            </tr>
          )}
          {items.map((v) => (
            <tr key={v.item_code}>
              <td>{v.item_code}</td>
              <td>{v.name}</td>
              <td>{v.category ?? '—'}</td>
              <td className="num">{qty(v.book_qty)}</td>
              <td className="num">{qty(v.counted_qty)}</td>
              <td className="num">{qty(v.damaged_qty)}</td>
              <td className="num">{qty(v.non_returnable_damaged_qty)}</td>
              <td className={`num ${v.variance < 0 ? 'neg' : v.variance > 0 ? 'pos' : ''}`}>
                {signed(v.variance)}
              </td>
              <td className="num">{money(v.value_at_cost)}</td>
              <td>{v.racks.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
