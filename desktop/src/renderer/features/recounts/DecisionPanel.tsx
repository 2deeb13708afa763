import type { BinDetail } from '@stockverify/shared';
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { decideBin } from '../../api/bins';
import { ApiError, errorText } from '../../api/client';
import { useConsole } from '../../context';
import { qty } from '../../ui/format';
import { Status } from '../../ui/Status';
import { AssigneeChooser } from './AssigneeChooser';
import { countRole, decisionErrorsFrom, decisionRequest, phaseWords } from './recount-words';
import type { DecisionFieldErrors, DecisionForm } from './recount-words';

/** A labelled control with its error beside it (aria-invalid, aria-describedby). */
function Field({
  label,
  error,
  children,
}: {
  label: string;
  error?: string;
  children: (props: {
    id: string;
    'aria-invalid': boolean;
    'aria-describedby': string | undefined;
  }) => ReactNode;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        'aria-invalid': Boolean(error),
        'aria-describedby': error ? `${id}-error` : undefined,
      })}
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

const EMPTY: DecisionForm = { kind: 'take', count_id: '', quantity: '', reason: '', assign_to: '' };

/**
 * Decide a bin (issue #16 items 3–4): take one count's figure or type the quantity, always with a
 * reason (audited), or ask for one more blind recount, optionally for a named counter. A decided
 * bin can only be overridden, with a reason too. The client checks the form as the server will;
 * the server's refusals show on their fields.
 */
export function DecisionPanel({
  sessionId,
  warehouse = null,
  detail,
  onDecided,
}: {
  sessionId: string;
  warehouse?: string | null;
  detail: BinDetail;
  onDecided(): Promise<void>;
}) {
  const { client } = useConsole();
  const { bin, counts } = detail;
  const decided = bin.state === 'decided';
  const [form, setForm] = useState<DecisionForm>(EMPTY);
  const [errors, setErrors] = useState<DecisionFieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [ok, setOk] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const choices = counts.filter((c) => countRole(c) !== 'superseded');
  const set = <K extends keyof DecisionForm>(key: K, value: DecisionForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
  };
  // After the errors are on the page: focus the first field at fault.
  const [refused, setRefused] = useState(0);
  useEffect(() => {
    if (refused > 0) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [refused]);
  const focusFirstError = () => setRefused((n) => n + 1);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setOk(null);
    const request = decisionRequest(form);
    if (!request.ok) {
      setErrors(request.errors);
      focusFirstError();
      return;
    }
    setBusy(true);
    try {
      await decideBin(client, sessionId, bin.rack, bin.item_code, request.body);
      setErrors({});
      setForm(EMPTY);
      setOk(
        request.body.kind === 'recount'
          ? 'Recount asked: a blind task for another counter.'
          : decided
            ? 'Override saved.'
            : 'Decision saved.',
      );
      await onDecided();
    } catch (err) {
      if (err instanceof ApiError) {
        const { fields, other } = decisionErrorsFrom(err.code, err.message, err.details);
        setErrors(fields);
        setError(other);
        focusFirstError();
      } else {
        setError(errorText(err));
      }
    } finally {
      setBusy(false);
    }
  }

  const title = decided ? 'Override the decision' : 'Decide';
  const kinds: Array<[DecisionForm['kind'], string, string | null]> = [
    ['take', 'Take a count’s figure', null],
    ['quantity', 'Type the quantity', null],
    [
      'recount',
      'Ask for another recount',
      decided ? 'a decided bin changes only by an override' : null,
    ],
  ];
  return (
    <form
      ref={formRef}
      className="decision-panel"
      aria-label={title}
      onSubmit={(e) => void submit(e)}
      noValidate
    >
      <h3>{title}</h3>
      {decided && (
        <p className="hint">
          This bin is decided at {qty(bin.quantity)}. An override replaces that figure and is
          audited: say why.
        </p>
      )}
      <fieldset className="decision-kinds" aria-label="What to do">
        {kinds.map(([kind, label, why]) => (
          <label key={kind} className="check">
            <input
              type="radio"
              name="decision-kind"
              value={kind}
              checked={form.kind === kind}
              disabled={why !== null}
              onChange={() => {
                setForm((f) => ({ ...f, kind }));
                setErrors({});
              }}
            />
            {label}
            {why && <span className="hint"> ({why})</span>}
          </label>
        ))}
      </fieldset>
      {form.kind === 'take' && (
        <Field label="Count to take" error={errors.count_id}>
          {(props) => (
            <select
              {...props}
              value={form.count_id}
              onChange={(e) => set('count_id', e.target.value)}
            >
              <option value="">Choose a count…</option>
              {choices.map((c) => (
                <option key={c.op_id} value={c.op_id}>
                  {`${phaseWords(c.phase)} · ${c.counted_by_name} · ${qty(c.quantity)}`}
                  {c.late ? ' (late)' : ''}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {form.kind === 'quantity' && (
        <Field label="Quantity (counted less written-off damage)" error={errors.quantity}>
          {(props) => (
            <input
              {...props}
              inputMode="decimal"
              value={form.quantity}
              onChange={(e) => set('quantity', e.target.value)}
            />
          )}
        </Field>
      )}
      {form.kind === 'recount' && (
        <AssigneeChooser
          legend="Who recounts it"
          excluded={bin.counters}
          warehouse={warehouse}
          current={null}
          value={form.assign_to}
          onChange={(id) => set('assign_to', id)}
          error={errors.assign_to}
        />
      )}
      <Field
        label={form.kind === 'recount' ? 'Note for the counter (optional)' : 'Reason (required)'}
        error={errors.reason}
      >
        {(props) => (
          <textarea
            {...props}
            rows={2}
            maxLength={1000}
            value={form.reason}
            onChange={(e) => set('reason', e.target.value)}
          />
        )}
      </Field>
      <div className="toolbar">
        <button type="submit" disabled={busy}>
          {form.kind === 'recount' ? 'Ask for the recount' : decided ? 'Override' : 'Decide'}
        </button>
      </div>
      <Status error={error} ok={ok} />
    </form>
  );
}
