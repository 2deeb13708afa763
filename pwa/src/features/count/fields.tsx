import type { ErrorDetail } from '@stockverify/shared';
import { useId } from 'react';

/** The message for one field, if any error names it. */
export function fieldError(errors: readonly ErrorDetail[], path: string): string | undefined {
  return errors.find((e) => e.path === path || e.path.startsWith(`${path}.`))?.message;
}

/** A quantity with large − / + buttons (gloved hands) and a typed value. */
export function QtyField({
  label,
  value,
  onChange,
  step = 1,
  error,
  autoFocus = false,
  name,
}: {
  label: string;
  value: number;
  onChange: (value: number) => void;
  step?: number;
  error?: string;
  autoFocus?: boolean;
  name: string;
}) {
  const id = useId();
  const set = (next: number) => onChange(Math.max(0, Math.round(next * 1000) / 1000));
  return (
    <div className="qty-field">
      <label htmlFor={id}>{label}</label>
      <div className="qty-row">
        <button
          type="button"
          aria-label={`${label}: minus ${step}`}
          onClick={() => set(value - step)}
        >
          −
        </button>
        <input
          id={id}
          name={name}
          type="number"
          inputMode="decimal"
          min={0}
          step="any"
          value={Number.isFinite(value) ? value : ''}
          autoFocus={autoFocus}
          onFocus={(e) => e.target.select()}
          onChange={(e) => onChange(e.target.value === '' ? Number.NaN : Number(e.target.value))}
          aria-invalid={error !== undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        <button
          type="button"
          aria-label={`${label}: plus ${step}`}
          onClick={() => set(value + step)}
        >
          +
        </button>
      </div>
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
