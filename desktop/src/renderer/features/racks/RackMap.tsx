import { rackMapSchema, sessionPageSchema, warehousesSchema } from '@stockverify/shared';
import type { CountSession, RackView } from '@stockverify/shared';
import { useState } from 'react';
import { errorText } from '../../api/client';
import { useConsole } from '../../context';
import { ago, countOf } from '../../ui/format';
import { useLoad, useNow } from '../../ui/hooks';
import { Status } from '../../ui/Status';

const STATE_LABEL: Record<RackView['state'], string> = {
  not_started: 'not started',
  claimed: 'claimed',
  paused: 'paused',
  completed: 'completed',
  recount: 'recount',
  available: 'released',
};

/** The state a tile shows: variances override a completed rack (issue #5). */
export function tileState(rack: RackView): string {
  if (rack.state === 'completed' && rack.has_variances === true) return 'has variances';
  return STATE_LABEL[rack.state];
}

/**
 * Who holds a rack, for its tile: the claimant and how long since their phone was heard from; a
 * rack held split (counted in parts, design §12 "Split claims") names every part's counter.
 */
export function holdersText(rack: RackView, now: number): string | null {
  const holders = rack.holders ?? (rack.claimant ? [rack.claimant] : []);
  if (holders.length === 0) return null;
  const each = holders.map((h) => `${h.username} · ${ago(Date.parse(h.last_heartbeat_at), now)}`);
  return rack.split ? `split: ${each.join(', ')}` : (each[0] ?? null);
}

/** Per warehouse and floor, each rack of a session with its state; force-release and reopen. */
export function RackMap() {
  const { client } = useConsole();
  const now = useNow(5000);
  const [warehouse, setWarehouse] = useState('');
  const [sessionId, setSessionId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [ok, setOk] = useState<string | null>(null);
  const [warehouses] = useLoad(
    () => client.read(warehousesSchema, '/warehouses').then((r) => r.items),
    [client],
  );
  const chosenWarehouse = warehouse || (warehouses.value?.[0]?.id ?? '');
  const [sessions] = useLoad(
    () =>
      chosenWarehouse === ''
        ? Promise.resolve([] as CountSession[])
        : client
            .read(sessionPageSchema, '/sessions', {
              warehouse: chosenWarehouse,
              status: 'OPEN',
              page_size: 100,
            })
            .then((r) => r.items),
    [client, chosenWarehouse],
  );
  const chosenSession = sessionId || (sessions.value?.[0]?.id ?? '');
  const [racks, reload] = useLoad(
    () =>
      chosenSession === '' || chosenWarehouse === ''
        ? Promise.resolve([] as RackView[])
        : client
            .read(rackMapSchema, `/warehouses/${encodeURIComponent(chosenWarehouse)}/racks`, {
              session: chosenSession,
            })
            .then((r) => r.items),
    [client, chosenWarehouse, chosenSession, now - (now % 15_000)],
  );

  async function act(rack: RackView, action: 'release' | 'reopen') {
    const question =
      action === 'release'
        ? `Force-release ${rack.code} from ${rack.claimant?.username ?? 'its counter'}? Their unsynced counts will need review.`
        : `Reopen ${rack.code} for a recount?`;
    if (!window.confirm(question)) return;
    setError(null);
    setOk(null);
    try {
      await client.post(
        `/sessions/${encodeURIComponent(chosenSession)}/racks/${encodeURIComponent(rack.code)}/${action}`,
      );
      setOk(action === 'release' ? `${rack.code} released.` : `${rack.code} reopened for recount.`);
      await reload();
    } catch (e) {
      setError(errorText(e));
    }
  }

  const wh = warehouses.value?.find((w) => w.id === chosenWarehouse);
  const floors = wh?.floors ?? [];
  const items = racks.value ?? [];
  const floorCodes = [...new Set([...floors.map((f) => f.code), ...items.map((r) => r.floor)])];
  return (
    <section className="panel" aria-labelledby="racks-title">
      <h2 id="racks-title">Rack map</h2>
      <div className="filters" role="group" aria-label="Choose a session">
        <label>
          Warehouse
          <select
            value={chosenWarehouse}
            onChange={(e) => {
              setWarehouse(e.target.value);
              setSessionId('');
            }}
          >
            {(warehouses.value ?? []).map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Open session
          <select value={chosenSession} onChange={(e) => setSessionId(e.target.value)}>
            {(sessions.value ?? []).length === 0 && <option value="">No open session</option>}
            {(sessions.value ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Status error={error ?? (racks.state === 'error' ? racks.error : null)} ok={ok} />
      <ul className="legend" aria-label="Legend">
        {[
          'not started',
          'claimed',
          'paused',
          'completed',
          'has variances',
          'recount',
          'released',
        ].map((s) => (
          <li key={s} className={`rack rack-${s.replace(' ', '-')}`}>
            {s}
          </li>
        ))}
      </ul>
      {floorCodes.map((floor) => {
        const onFloor = items.filter((r) => r.floor === floor);
        if (onFloor.length === 0) return null;
        const done = onFloor.filter((r) => r.state === 'completed').length;
        return (
          <section key={floor} aria-label={`Floor ${floor}`}>
            <h3>
              {floors.find((f) => f.code === floor)?.name ?? floor} — {done} of {onFloor.length}{' '}
              racks done
            </h3>
            <ul className="rack-grid">
              {onFloor.map((rack) => {
                const state = tileState(rack);
                return (
                  <li
                    key={rack.code}
                    className={`rack rack-${state.replace(' ', '-')}`}
                    data-rack={rack.code}
                  >
                    <strong>{rack.code}</strong>
                    <span>{state}</span>
                    <span>{countOf(rack.lines, 'line')}</span>
                    {holdersText(rack, now) && <span>{holdersText(rack, now)}</span>}
                    {(rack.state === 'claimed' || rack.state === 'paused') && (
                      <button
                        type="button"
                        onClick={() => void act(rack, 'release')}
                        aria-label={`Force-release ${rack.code}`}
                      >
                        Force release
                      </button>
                    )}
                    {rack.state === 'completed' && (
                      <button
                        type="button"
                        onClick={() => void act(rack, 'reopen')}
                        aria-label={`Reopen ${rack.code} for recount`}
                      >
                        Reopen for recount
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </section>
  );
}
