import type { UserDirectoryEntry } from '@stockverify/shared';
import { useEffect, useId, useRef, useState } from 'react';
import { searchCounters } from '../../api/bins';
import { errorText } from '../../api/client';
import { useConsole } from '../../context';
import { assigneeOptions } from './recount-words';

/**
 * Choose who counts a recount (issue #16 item 2): "offered to every eligible counter" or one
 * counter found by name. Counters who already counted the bin are listed but cannot be chosen,
 * with the reason beside them (a recount is blind and by somebody else).
 */
export function AssigneeChooser({
  excluded,
  current,
  value,
  onChange,
  error,
  legend = 'Who counts it',
  warehouse = null,
}: {
  excluded: readonly string[];
  /** Who holds the task now (listed, not chosen again). */
  current: string | null;
  /** A user id, or '' for everyone eligible. */
  value: string;
  onChange(userId: string): void;
  error?: string;
  legend?: string;
  /** The session's warehouse: counters bound to another one cannot be chosen. */
  warehouse?: string | null;
}) {
  const { client } = useConsole();
  const [q, setQ] = useState('');
  const [people, setPeople] = useState<UserDirectoryEntry[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const generation = useRef(0);
  const name = useId();
  const errorId = `${name}-error`;

  useEffect(() => {
    const mine = ++generation.current;
    const timer = setTimeout(() => {
      searchCounters(client, q)
        .then((found) => {
          if (mine !== generation.current) return;
          setPeople(found);
          setLoadError(null);
        })
        .catch((e: unknown) => {
          if (mine === generation.current) setLoadError(errorText(e));
        });
    }, 150);
    return () => clearTimeout(timer);
  }, [client, q]);

  const options = assigneeOptions(people, excluded, current, warehouse);
  return (
    <fieldset
      className="assignee-chooser"
      aria-invalid={error ? true : undefined}
      aria-describedby={error ? errorId : undefined}
    >
      <legend>{legend}</legend>
      <label className="field">
        Find a counter
        <input type="search" value={q} onChange={(e) => setQ(e.target.value)} />
      </label>
      <div role="radiogroup" aria-label={legend} className="assignee-list">
        <label className="check">
          <input type="radio" name={name} checked={value === ''} onChange={() => onChange('')} />
          Offer to every eligible counter
        </label>
        {options.map((o) => (
          <label key={o.id} className={o.disabled ? 'check disabled' : 'check'}>
            <input
              type="radio"
              name={name}
              value={o.id}
              checked={value === o.id}
              disabled={o.disabled}
              aria-describedby={o.why ? `${name}-${o.id}-why` : undefined}
              onChange={() => onChange(o.id)}
            />
            {o.label}
            {o.detail && <span className="hint"> {o.detail}</span>}
            {o.why && (
              <span id={`${name}-${o.id}-why`} className="hint">
                {' '}
                — {o.why}
              </span>
            )}
          </label>
        ))}
        {loadError && <p className="hint">Could not list counters: {loadError}</p>}
        {!loadError && options.length === 0 && <p className="hint">No counter matches.</p>}
      </div>
      {error && (
        <span id={errorId} className="field-error">
          {error}
        </span>
      )}
    </fieldset>
  );
}
