import { conflictPageSchema, unknownItemPageSchema } from '@stockverify/shared';
import type { Conflict, UnknownItem } from '@stockverify/shared';
import { useState } from 'react';
import { errorText } from '../../api/client';
import { resolveConflict, resolveUnknownItem } from '../../api/review';
import { useConsole } from '../../context';
import { dateTime, qty } from '../../ui/format';
import { useLoad } from '../../ui/hooks';
import { Status } from '../../ui/Status';

/** Sync conflicts of a session: accept the phone's record as a line, or discard it. */
export function ConflictsPanel({ sessionId }: { sessionId: string }) {
  const { client } = useConsole();
  const [error, setError] = useState<string | null>(null);
  const [conflicts, reload] = useLoad(
    () => client.read(conflictPageSchema, '/conflicts', { session: sessionId, page_size: 200 }),
    [client, sessionId],
  );
  async function resolve(conflict: Conflict, action: 'accept' | 'discard') {
    setError(null);
    try {
      await resolveConflict(client, conflict.id, action);
      await reload();
    } catch (e) {
      setError(errorText(e));
    }
  }
  const items = conflicts.value?.items ?? [];
  return (
    <section className="panel">
      <Status error={error ?? (conflicts.state === 'error' ? conflicts.error : null)} />
      <table className="grid" aria-label="Conflicts">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Counter</th>
            <th scope="col">Rack</th>
            <th scope="col">Problem</th>
            <th scope="col">Item / qty</th>
            <th scope="col">Status</th>
            <th scope="col">Resolve</th>
          </tr>
        </thead>
        <tbody>
          {items.length === 0 && (
            <tr>
              <td colSpan={7}>No conflicts.</td>
            </tr>
          )}
          {items.map((c) => (
            <tr key={c.id}>
              <td>{dateTime(c.created_at)}</td>
              <td>{c.username}</td>
              <td>{c.rack ?? '—'}</td>
              <td>
                {c.code}: {c.message}
              </td>
              <td>
                {String(c.record.item_code ?? c.record.barcode ?? '—')} ×{' '}
                {String(c.record.counted_qty ?? '—')}
              </td>
              <td>{c.status.toLowerCase()}</td>
              <td className="actions">
                {c.status === 'OPEN' && (
                  <>
                    <button
                      type="button"
                      onClick={() => void resolve(c, 'accept')}
                      aria-label={`Accept conflict from ${c.username}`}
                    >
                      Accept
                    </button>
                    <button
                      type="button"
                      onClick={() => void resolve(c, 'discard')}
                      aria-label={`Discard conflict from ${c.username}`}
                    >
                      Discard
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Barcodes the item master did not know: map each to an item, or mark it "not ours". */
export function UnknownItemsPanel({ sessionId }: { sessionId: string }) {
  const { client } = useConsole();
  const [error, setError] = useState<string | null>(null);
  const [codes, setCodes] = useState<Record<string, string>>({});
  const [unknowns, reload] = useLoad(
    () =>
      client.read(unknownItemPageSchema, '/unknown-items', { session: sessionId, page_size: 200 }),
    [client, sessionId],
  );
  async function resolve(item: UnknownItem, action: 'map' | 'not_ours') {
    setError(null);
    const code = codes[item.id]?.trim() ?? '';
    if (action === 'map' && code === '') {
      setError(`Enter the item code to map ${item.barcode} to.`);
      return;
    }
    try {
      await resolveUnknownItem(
        client,
        item.id,
        action === 'map' ? { action, item_code: code } : { action },
      );
      await reload();
    } catch (e) {
      setError(errorText(e));
    }
  }
  const items = unknowns.value?.items ?? [];
  return (
    <section className="panel">
      <Status error={error ?? (unknowns.state === 'error' ? unknowns.error : null)} />
      <table className="grid" aria-label="Unknown items">
        <thead>
          <tr>
            <th scope="col">Barcode</th>
            <th scope="col">Description</th>
            <th scope="col">Rack</th>
            <th scope="col" className="num">
              Qty
            </th>
            <th scope="col">Counter</th>
            <th scope="col">Status</th>
            <th scope="col">Resolve</th>
          </tr>
        </thead>
        <tbody>
          {items.length === 0 && (
            <tr>
              <td colSpan={7}>No unknown items.</td>
            </tr>
          )}
          {items.map((u) => (
            <tr key={u.id}>
              <td>{u.barcode}</td>
              <td>{u.description}</td>
              <td>{u.rack}</td>
              <td className="num">{qty(u.counted_qty)}</td>
              <td>{u.counted_by_name}</td>
              <td>
                {u.status === 'MAPPED'
                  ? `mapped to ${u.mapped_item_code}`
                  : u.status.toLowerCase().replace('_', ' ')}
              </td>
              <td className="actions">
                {u.status === 'OPEN' && (
                  <>
                    <input
                      aria-label={`Item code for barcode ${u.barcode}`}
                      placeholder="Item code"
                      value={codes[u.id] ?? ''}
                      onChange={(e) => setCodes((c) => ({ ...c, [u.id]: e.target.value }))}
                    />
                    <button type="button" onClick={() => void resolve(u, 'map')}>
                      Map
                    </button>
                    <button type="button" onClick={() => void resolve(u, 'not_ours')}>
                      Not ours
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
