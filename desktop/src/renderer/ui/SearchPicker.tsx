import { useEffect, useId, useRef, useState } from 'react';

export interface PickerOption {
  id: string;
  /** What a person recognises: a name. */
  label: string;
  /** A second line: role, warehouse, status… */
  detail?: string;
}

/**
 * A combobox that searches by name and keeps the id (issue #14: names where ids were asked for).
 * Type to search, ↓/↑ to move, Enter to pick, Escape to close; "Clear" empties the choice. The
 * chosen option's name stays in the box; the id is what `onChange` gets.
 */
export function SearchPicker({
  label,
  value,
  onChange,
  search,
  placeholder = 'Type a name',
}: {
  label: string;
  value: PickerOption | null;
  onChange(option: PickerOption | null): void;
  search(q: string): Promise<PickerOption[]>;
  placeholder?: string;
}) {
  const [text, setText] = useState(value?.label ?? '');
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState<PickerOption[]>([]);
  const [active, setActive] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const listId = useId();
  const inputId = useId();
  const generation = useRef(0);

  useEffect(() => setText(value?.label ?? ''), [value]);

  useEffect(() => {
    if (!open) return;
    const mine = ++generation.current;
    const timer = setTimeout(() => {
      search(text.trim())
        .then((found) => {
          if (mine !== generation.current) return;
          setOptions(found);
          setActive(0);
          setError(null);
        })
        .catch((e: unknown) => {
          if (mine === generation.current) setError(e instanceof Error ? e.message : String(e));
        });
    }, 150);
    return () => clearTimeout(timer);
  }, [open, text, search]);

  function pick(option: PickerOption) {
    onChange(option);
    setText(option.label);
    setOpen(false);
  }

  const optionId = (n: number) => `${listId}-${n}`;
  return (
    <div className="picker">
      <label htmlFor={inputId}>{label}</label>
      <div className="picker-row">
        <input
          id={inputId}
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={open && options[active] ? optionId(active) : undefined}
          placeholder={placeholder}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setOpen(true);
            if (value && e.target.value !== value.label) onChange(null);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => setTimeout(() => setOpen(false), 150)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setOpen(true);
              setActive((n) => Math.min(n + 1, Math.max(options.length - 1, 0)));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((n) => Math.max(n - 1, 0));
            } else if (e.key === 'Enter' && open && options[active]) {
              e.preventDefault();
              pick(options[active]);
            } else if (e.key === 'Escape' && open) {
              e.preventDefault();
              setOpen(false);
            }
          }}
        />
        {value && (
          <button
            type="button"
            className="secondary"
            aria-label={`Clear ${label}`}
            onClick={() => {
              onChange(null);
              setText('');
            }}
          >
            Clear
          </button>
        )}
      </div>
      {open && (
        <ul id={listId} role="listbox" aria-label={label} className="picker-list">
          {error && <li className="hint">Search failed: {error}</li>}
          {!error && options.length === 0 && <li className="hint">No match</li>}
          {options.map((option, n) => (
            <li
              key={option.id}
              id={optionId(n)}
              role="option"
              aria-selected={n === active}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(option);
              }}
            >
              <span>{option.label}</span>
              {option.detail && <span className="hint"> {option.detail}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
