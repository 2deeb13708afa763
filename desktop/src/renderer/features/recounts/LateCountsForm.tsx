import type { BinDetail } from '@stockverify/shared';
import { useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { acknowledgeLateCounts } from '../../api/bins';
import { ApiError, errorText } from '../../api/client';
import { useConsole } from '../../context';
import { countOf, qty } from '../../ui/format';
import { Status } from '../../ui/Status';

/**
 * Keep the bin's figure having looked at its late counts (issue #16 item 3, docs/design.md §11
 * "Late counts"): a reason is required (audited); the decision form beside it overrides instead.
 * Shown only while the bin holds late counts nobody acknowledged.
 */
export function LateCountsForm({
  sessionId,
  detail,
  onDone,
}: {
  sessionId: string;
  detail: BinDetail;
  onDone(): Promise<void>;
}) {
  const { client } = useConsole();
  const { bin, counts } = detail;
  const waiting = counts.filter((c) => c.late && !c.late_acknowledged);
  const [reason, setReason] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ok, setOk] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  if (bin.late_unacknowledged === 0) {
    return ok ? <Status ok={ok} /> : null;
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setOk(null);
    if (reason.trim() === '') {
      setFieldError('acknowledging needs a reason');
      reasonRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      await acknowledgeLateCounts(client, sessionId, bin.rack, bin.item_code, {
        reason: reason.trim(),
        ...(waiting.length > 0 ? { count_ids: waiting.map((c) => c.op_id) } : {}),
      });
      setReason('');
      setFieldError(null);
      setOk('Late counts acknowledged; the figure stands.');
      await onDone();
    } catch (err) {
      const onReason =
        err instanceof ApiError ? err.details.find((d) => /(^|\.)reason$/.test(d.path)) : null;
      if (onReason) {
        setFieldError(onReason.message);
        reasonRef.current?.focus();
      } else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const figure =
    bin.state === 'decided' ? `decided at ${qty(bin.quantity)}` : `at ${qty(bin.quantity)}`;
  return (
    <form
      className="decision-panel late-counts-form"
      aria-label="Keep the decision"
      onSubmit={(e) => void submit(e)}
      noValidate
    >
      <h3>Late counts</h3>
      <p className="hint">
        {countOf(bin.late_unacknowledged, 'count')} came late for this bin, which stays {figure}:{' '}
        {waiting.map((c) => `${qty(c.quantity)} by ${c.counted_by_name}`).join(', ')}. Keep the
        figure (say why), or override it below.
      </p>
      <div className="field">
        <label htmlFor={id}>Why the figure stands (required)</label>
        <textarea
          id={id}
          ref={reasonRef}
          rows={2}
          maxLength={1000}
          value={reason}
          aria-invalid={fieldError !== null}
          aria-describedby={fieldError ? `${id}-error` : undefined}
          onChange={(e) => {
            setReason(e.target.value);
            setFieldError(null);
          }}
        />
        {fieldError && (
          <span id={`${id}-error`} className="field-error">
            {fieldError}
          </span>
        )}
      </div>
      <div className="toolbar">
        <button type="submit" disabled={busy}>
          Keep decision (acknowledge)
        </button>
      </div>
      <Status error={error} ok={ok} />
    </form>
  );
}
