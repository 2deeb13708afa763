import { TOLERANCE_ACTIONS, TOLERANCE_AXES } from '@stockverify/shared';
import type { ToleranceAction, ToleranceScopeKind } from '@stockverify/shared';
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { Status } from '../../ui/Status';
import { ACTION_WORDS, AXIS_LABELS, SCOPE_KINDS, SIDES } from './rule-form';
import type { FieldErrors, RuleForm } from './rule-form';

/** What a save answers: nothing (done, the dialog closes) or the errors to show. */
export type SaveOutcome = null | { fields?: FieldErrors; error?: string };

const SIDE_LABELS = { shortage: 'Shortage', overage: 'Overage' } as const;

/** A labelled input with its error beside it (aria-invalid, aria-describedby). */
function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string;
  hint?: string;
  children: (props: {
    id: string;
    'aria-invalid': boolean;
    'aria-describedby': string | undefined;
  }) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        'aria-invalid': Boolean(error),
        'aria-describedby': describedBy || undefined,
      })}
      {hint && (
        <span id={hintId} className="hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={errorId} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

/**
 * Add or edit a rule in a modal form (issue #16 item 1): scope, asymmetric limits per axis, the
 * action and the recount phases. `onSave` checks the form (the shared schema) and sends it; its
 * field errors, the client's or the server's 400 details, show beside their fields. Escape
 * cancels; the native <dialog> keeps focus inside.
 */
export function RuleDialog({
  title,
  initial,
  askId,
  saveLabel,
  onSave,
  onCancel,
}: {
  title: string;
  initial: RuleForm;
  /** A new rule may be given an id (left empty, the server names it). */
  askId: boolean;
  saveLabel: string;
  onSave(form: RuleForm): Promise<SaveOutcome>;
  onCancel(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const first = useRef<HTMLSelectElement>(null);
  const titleId = useId();
  const [form, setForm] = useState<RuleForm>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const dialog = ref.current;
    // Focus goes back where it was (the button that opened the form) when the form goes away.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    first.current?.focus();
    return () => {
      dialog?.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const set = (patch: Partial<RuleForm>) => setForm((f) => ({ ...f, ...patch }));
  const setLimit = (
    side: (typeof SIDES)[number],
    axis: (typeof TOLERANCE_AXES)[number],
    v: string,
  ) =>
    setForm((f) => ({
      ...f,
      limits: { ...f.limits, [side]: { ...f.limits[side], [axis]: v } },
    }));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const outcome = await onSave(form);
      if (outcome === null) return;
      setErrors(outcome.fields ?? {});
      const count = Object.keys(outcome.fields ?? {}).length;
      setError(
        outcome.error ??
          (count > 0 ? `Check the ${count === 1 ? 'field' : 'fields'} marked in red.` : null),
      );
      // Focus the first field at fault, so a keyboard user lands on it.
      requestAnimationFrame(() => {
        ref.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      });
    } finally {
      setBusy(false);
    }
  }

  const scopeField = (kind: ToleranceScopeKind) => {
    switch (kind) {
      case 'item':
        return (
          <Field label="Item code" error={errors['scope.item_code']}>
            {(p) => (
              <input
                {...p}
                value={form.itemCode}
                onChange={(e) => set({ itemCode: e.target.value })}
              />
            )}
          </Field>
        );
      case 'category':
        return (
          <Field label="Category" error={errors['scope.category']} hint="Case is ignored">
            {(p) => (
              <input
                {...p}
                value={form.category}
                onChange={(e) => set({ category: e.target.value })}
              />
            )}
          </Field>
        );
      case 'value_band':
        return (
          <>
            <Field label="Unit cost from" error={errors['scope.min_cost']} hint="Included">
              {(p) => (
                <input
                  {...p}
                  inputMode="decimal"
                  value={form.minCost}
                  onChange={(e) => set({ minCost: e.target.value })}
                />
              )}
            </Field>
            <Field
              label="Unit cost below"
              error={errors['scope.max_cost']}
              hint="Not included; empty: no upper bound"
            >
              {(p) => (
                <input
                  {...p}
                  inputMode="decimal"
                  value={form.maxCost}
                  onChange={(e) => set({ maxCost: e.target.value })}
                />
              )}
            </Field>
          </>
        );
      case 'abc_class':
        return (
          <Field label="ABC class" error={errors['scope.abc_class']} hint="One letter">
            {(p) => (
              <input
                {...p}
                maxLength={3}
                value={form.abcClass}
                onChange={(e) => set({ abcClass: e.target.value })}
              />
            )}
          </Field>
        );
      case 'warehouse':
        return (
          <Field label="Warehouse" error={errors['scope.warehouse']}>
            {(p) => (
              <input
                {...p}
                value={form.warehouse}
                onChange={(e) => set({ warehouse: e.target.value })}
              />
            )}
          </Field>
        );
      case 'everything':
        return <p className="hint">Every item no more specific rule covers.</p>;
    }
  };

  return (
    <dialog
      ref={ref}
      className="rule-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <form onSubmit={(e) => void submit(e)} noValidate aria-labelledby={titleId}>
        <h2 id={titleId}>{title}</h2>
        <fieldset>
          <legend>Applies to</legend>
          <div className="rule-row">
            <Field label="Scope" error={errors['scope.kind']}>
              {(p) => (
                <select
                  {...p}
                  ref={first}
                  value={form.scopeKind}
                  onChange={(e) => set({ scopeKind: e.target.value as ToleranceScopeKind })}
                >
                  {SCOPE_KINDS.map(([kind, label]) => (
                    <option key={kind} value={kind}>
                      {label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {scopeField(form.scopeKind)}
          </div>
          <p className="hint">
            The most specific rule wins: item, category, unit-cost band, ABC class, warehouse,
            everything.
          </p>
        </fieldset>

        <fieldset>
          <legend>
            Limits (a count within every limit of its side is accepted; empty = no limit)
          </legend>
          <table className="limits-table">
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">Side</span>
                </th>
                {TOLERANCE_AXES.map((axis) => (
                  <th key={axis} scope="col">
                    {AXIS_LABELS[axis]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {SIDES.map((side) => (
                <tr key={side}>
                  <th scope="row">
                    {SIDE_LABELS[side]}
                    <span className="hint">
                      {side === 'shortage' ? ' counted below book' : ' counted above book'}
                    </span>
                  </th>
                  {TOLERANCE_AXES.map((axis) => (
                    <td key={axis}>
                      <Field
                        label={`${SIDE_LABELS[side]}: ${AXIS_LABELS[axis].toLowerCase()}`}
                        error={errors[`thresholds.${side}.${axis}`]}
                      >
                        {(p) => (
                          <input
                            {...p}
                            inputMode="decimal"
                            value={form.limits[side][axis]}
                            onChange={(e) => setLimit(side, axis, e.target.value)}
                          />
                        )}
                      </Field>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <button
            type="button"
            className="secondary"
            onClick={() =>
              set({
                limits: { shortage: form.limits.shortage, overage: { ...form.limits.shortage } },
              })
            }
          >
            Same limits for overages
          </button>
        </fieldset>

        <fieldset>
          <legend>Outside tolerance</legend>
          <div className="rule-row">
            <Field label="When outside tolerance" error={errors.on_exceed}>
              {(p) => (
                <select
                  {...p}
                  value={form.onExceed}
                  onChange={(e) => set({ onExceed: e.target.value as ToleranceAction })}
                >
                  {TOLERANCE_ACTIONS.map((action) => (
                    <option key={action} value={action}>
                      {ACTION_WORDS[action]}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field
              label="Recount phases"
              error={errors.recount_phases}
              hint="0–5 before a supervisor decides"
            >
              {(p) => (
                <input
                  {...p}
                  inputMode="numeric"
                  value={form.recountPhases}
                  onChange={(e) => set({ recountPhases: e.target.value })}
                />
              )}
            </Field>
          </div>
        </fieldset>

        <fieldset>
          <legend>Name</legend>
          <div className="rule-row">
            <Field label="Name (optional)" error={errors.name}>
              {(p) => (
                <input {...p} value={form.name} onChange={(e) => set({ name: e.target.value })} />
              )}
            </Field>
            {askId && (
              <Field label="Rule id (optional)" error={errors.id} hint="Empty: the server names it">
                {(p) => (
                  <input {...p} value={form.id} onChange={(e) => set({ id: e.target.value })} />
                )}
              </Field>
            )}
          </div>
        </fieldset>

        <Status error={error} />
        <div className="toolbar">
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" disabled={busy}>
            {saveLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
