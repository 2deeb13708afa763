import { CONDITIONS } from '@stockverify/shared';
import type { ErrorDetail, User } from '@stockverify/shared';
import { useEffect, useId, useState } from 'react';
import type { FormEvent, KeyboardEvent } from 'react';
import { useServices } from '../../app/context';
import {
  addSerial,
  buildCountRecord,
  emptyDraft,
  initialDraft,
  liveVariance,
  serialsLabel,
} from '../../count/count-draft';
import type { CountContext, CountDraft } from '../../count/count-draft';
import type { OutboxEntry } from '../../db/device-db';
import type { LookupResult } from '../../items/lookup';
import type { NewPhoto } from '../../outbox/outbox';
import { fieldError, QtyField } from './fields';
import { PhotoPicker } from './PhotoPicker';

const REASONS = [
  'Damaged',
  'Expired',
  'Misplaced in another rack',
  'Not received',
  'Sold or issued, not posted',
  'Theft or loss suspected',
  'Unit of measure mix-up',
];

type Found = Extract<LookupResult, { kind: 'found' }>;

/**
 * The count form (issue #4). Standard sessions show book and live variance; strict sessions ask
 * for confirmation and a reason when the variance is not zero; blind sessions show neither.
 * Saving writes to the outbox first; only then does the screen say "saved on this phone".
 */
export function CountForm({
  user,
  found,
  ctx,
  onSaved,
  onCancel,
}: {
  user: User;
  found: Found;
  ctx: CountContext;
  onSaved: (entry: OutboxEntry) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const { outbox, sync } = useServices();
  const { item } = found;
  const [draft, setDraft] = useState<CountDraft>(() => emptyDraft(initialDraft(found)));
  const [serialInput, setSerialInput] = useState('');
  const [photos, setPhotos] = useState<NewPhoto[]>([]);
  const [errors, setErrors] = useState<ErrorDetail[]>([]);
  const [earlier, setEarlier] = useState<OutboxEntry[]>([]);
  const [replaces, setReplaces] = useState<string | null>(null);
  const task = ctx.recountTask;
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    // A recount is blind: not even this phone's earlier counts of the item are shown.
    if (task) return;
    void outbox
      .rackEntries(ctx.sessionId, ctx.rack)
      .then((entries) =>
        setEarlier(
          entries.filter((e) => e.record.type === 'count' && e.record.item_code === item.item_code),
        ),
      );
  }, [outbox, ctx.sessionId, ctx.rack, item.item_code, task]);

  const set = <K extends keyof CountDraft>(key: K, value: CountDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));
  const variance = liveVariance(draft, ctx);
  const showBook = ctx.mode !== 'blind' && ctx.bookQty !== null;
  const step = item.decimal_qty ? 0.5 : 1;

  function onSerialKey(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    const next = addSerial(draft.serials, serialInput);
    if (Array.isArray(next)) {
      set('serials', next);
      if (item.serialized) set('counted_qty', next.length);
      setErrors((e) => e.filter((x) => x.path !== 'serials'));
    } else {
      setErrors([next]);
    }
    setSerialInput('');
  }

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (saving) return;
    const built = buildCountRecord(item, draft, ctx, {
      opId: crypto.randomUUID(),
      countedAt: new Date().toISOString(),
      photoIds: photos.map((p) => p.id),
      supersedes: task ? null : replaces,
    });
    if (!built.ok) {
      setErrors(built.errors);
      return;
    }
    setSaving(true);
    try {
      const unit = item.uom;
      const entry = await outbox.enqueue({
        userId: user.id,
        record: built.record,
        summary: `${task ? 'Recount: ' : ''}${item.name} · ${draft.counted_qty} ${unit}`,
        photos,
      });
      void sync.syncNow(true);
      onSaved(entry);
    } catch (error) {
      setErrors([
        {
          path: 'form',
          message: `Not saved: this phone's storage refused the count (${
            error instanceof Error ? error.message : String(error)
          }). Free some space and try again.`,
        },
      ]);
    } finally {
      setSaving(false);
    }
  }

  const err = (path: string) => fieldError(errors, path);

  return (
    <form className="card count-form" onSubmit={save} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{item.name}</h2>
      <p className="muted">
        {item.item_code} · {found.matched}
        {found.barcodeKind === 'pack' ? ` · pack of ${found.packQty}` : ''} · {item.uom}
        {found.source === 'server' ? ' · from server' : ''}
      </p>
      {task && (
        <p role="status" className="banner warning">
          Recount{task.note ? `: ${task.note}` : ''}. Count everything of this item in rack{' '}
          {ctx.rack}; your count is compared with the others, it does not add to them.
        </p>
      )}
      {earlier.length > 0 && !task && (
        <div role="alert" className="banner warning">
          <span>
            Already counted in this rack:{' '}
            {earlier.map((e) => e.summary.split(' · ').pop()).join(', ')}. Saving adds to that count
            unless you replace it.
          </span>
          <label className="choice">
            <input
              type="checkbox"
              checked={replaces !== null}
              onChange={(e) =>
                setReplaces(e.target.checked ? (earlier.at(-1)?.op_id ?? null) : null)
              }
            />
            This count replaces my earlier one
          </label>
        </div>
      )}
      {showBook && (
        <p className="book" aria-live="polite">
          Book <strong>{ctx.bookQty}</strong> · Variance{' '}
          <strong className={variance === 0 ? 'ok' : 'off'}>
            {variance !== null && variance > 0 ? `+${variance}` : variance}
          </strong>
        </p>
      )}
      <QtyField
        name="counted_qty"
        label="Counted quantity"
        value={draft.counted_qty}
        onChange={(v) => set('counted_qty', v)}
        step={found.barcodeKind === 'pack' ? found.packQty : step}
        error={err('counted_qty')}
        autoFocus
      />
      <QtyField
        name="damaged_qty"
        label="Of which damaged (returnable)"
        value={draft.damaged_qty}
        onChange={(v) => set('damaged_qty', v)}
        step={step}
        error={err('damaged_qty')}
      />
      <QtyField
        name="non_returnable_damaged_qty"
        label="Of which damaged (write-off)"
        value={draft.non_returnable_damaged_qty}
        onChange={(v) => set('non_returnable_damaged_qty', v)}
        step={step}
        error={err('non_returnable_damaged_qty')}
      />
      {(item.serialized || draft.serials.length > 0) && (
        <div>
          <label htmlFor={`${id}-serial`}>
            {serialsLabel(draft.serials.length, item.serialized ? draft.counted_qty : null)} — scan
            each, Enter adds
          </label>
          <input
            id={`${id}-serial`}
            value={serialInput}
            autoComplete="off"
            onChange={(e) => setSerialInput(e.target.value)}
            onKeyDown={onSerialKey}
            aria-invalid={err('serials') !== undefined}
          />
          {err('serials') && <p className="field-error">{err('serials')}</p>}
          <ul className="plain serials">
            {draft.serials.map((serial) => (
              <li key={serial}>
                {serial}{' '}
                <button
                  type="button"
                  className="link"
                  aria-label={`Remove serial ${serial}`}
                  onClick={() => {
                    const next = draft.serials.filter((s) => s !== serial);
                    set('serials', next);
                    if (item.serialized) set('counted_qty', next.length);
                  }}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <details open={item.batch_tracked || Boolean(found.gs1)}>
        <summary>Batch, dates and condition</summary>
        <label htmlFor={`${id}-batch`}>Batch</label>
        <input
          id={`${id}-batch`}
          value={draft.batch_no}
          onChange={(e) => set('batch_no', e.target.value)}
        />
        <label htmlFor={`${id}-mfg`}>Manufactured</label>
        <input
          id={`${id}-mfg`}
          type="date"
          value={draft.mfg_date}
          onChange={(e) => set('mfg_date', e.target.value)}
        />
        <label htmlFor={`${id}-exp`}>Expires</label>
        <input
          id={`${id}-exp`}
          type="date"
          value={draft.expiry_date}
          onChange={(e) => set('expiry_date', e.target.value)}
          aria-invalid={err('expiry_date') !== undefined}
        />
        {err('expiry_date') && <p className="field-error">{err('expiry_date')}</p>}
        <label htmlFor={`${id}-condition`}>Condition</label>
        <select
          id={`${id}-condition`}
          value={draft.condition}
          onChange={(e) => set('condition', e.target.value as CountDraft['condition'])}
        >
          {CONDITIONS.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </details>
      {ctx.mode === 'strict' && variance !== null && variance !== 0 && (
        <label className="choice strict-confirm">
          <input
            type="checkbox"
            checked={draft.variance_confirmed}
            onChange={(e) => set('variance_confirmed', e.target.checked)}
          />
          I confirm the variance of {variance}
        </label>
      )}
      {err('variance_confirmed') && <p className="field-error">{err('variance_confirmed')}</p>}
      {ctx.mode !== 'blind' && (
        <>
          <label htmlFor={`${id}-reason`}>
            Variance reason{ctx.mode === 'strict' && variance ? ' (required)' : ''}
          </label>
          <input
            id={`${id}-reason`}
            list={`${id}-reasons`}
            value={draft.variance_reason}
            onChange={(e) => set('variance_reason', e.target.value)}
            aria-invalid={err('variance_reason') !== undefined}
          />
          <datalist id={`${id}-reasons`}>
            {REASONS.map((r) => (
              <option key={r} value={r} />
            ))}
          </datalist>
          {err('variance_reason') && <p className="field-error">{err('variance_reason')}</p>}
        </>
      )}
      <label htmlFor={`${id}-remark`}>Remark</label>
      <input
        id={`${id}-remark`}
        value={draft.remark}
        onChange={(e) => set('remark', e.target.value)}
      />
      <PhotoPicker photos={photos} onChange={setPhotos} />
      {err('form') && (
        <p role="alert" className="error">
          {err('form')}
        </p>
      )}
      {errors.length > 0 && !err('form') && (
        <p role="alert" className="error">
          Check the highlighted fields.
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={saving} aria-busy={saving}>
          Save count
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
