import { SESSION_MODES, countSessionSchema, createSessionSchema } from '@stockverify/shared';
import type { CountSession, WarehouseSummary } from '@stockverify/shared';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { errorText } from '../../api/client';
import { useConsole } from '../../context';
import { Status } from '../../ui/Status';

const codes = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((c) => c.trim())
    .filter((c) => c !== '');

/** Create a count session: warehouse, name, mode and an optional scope of floors or racks. */
export function CreateSession({
  warehouses,
  onCreated,
}: {
  warehouses: WarehouseSummary[];
  onCreated(session: CountSession): void;
}) {
  const { client } = useConsole();
  const [warehouse, setWarehouse] = useState('');
  const [name, setName] = useState('');
  const [mode, setMode] = useState<(typeof SESSION_MODES)[number]>('standard');
  const [floors, setFloors] = useState('');
  const [racks, setRacks] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = {
      warehouse: warehouse || (warehouses[0]?.id ?? ''),
      name,
      mode,
      scope: { floors: codes(floors), racks: codes(racks) },
    };
    const parsed = createSessionSchema.safeParse(input);
    if (!parsed.success) {
      setError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onCreated(await client.write(countSessionSchema, '/sessions', parsed.data));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="stack inset" onSubmit={submit} aria-label="New session" noValidate>
      <label>
        Warehouse
        <select value={warehouse} onChange={(e) => setWarehouse(e.target.value)}>
          {warehouses.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name} ({w.id})
            </option>
          ))}
        </select>
      </label>
      <label>
        Session name
        <input value={name} onChange={(e) => setName(e.target.value)} maxLength={120} />
      </label>
      <label>
        Mode
        <select value={mode} onChange={(e) => setMode(e.target.value as typeof mode)}>
          {SESSION_MODES.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </label>
      <label>
        Floors in scope (blank: all)
        <input value={floors} onChange={(e) => setFloors(e.target.value)} placeholder="GF, F1" />
      </label>
      <label>
        Racks in scope (blank: all)
        <input value={racks} onChange={(e) => setRacks(e.target.value)} placeholder="A-01, A-02" />
      </label>
      <button type="submit" disabled={busy}>
        Create session
      </button>
      <Status error={error} />
    </form>
  );
}
