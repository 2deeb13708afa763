import type { ErrorDetail, User } from '@stockverify/shared';
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useServices } from '../../app/context';
import { buildUnknownItemRecord } from '../../count/count-draft';
import type { OutboxEntry } from '../../db/device-db';
import type { NewPhoto } from '../../outbox/outbox';
import { fieldError, QtyField } from './fields';
import { PhotoPicker } from './PhotoPicker';

/** A barcode the item master does not know: describe it, count it, photograph it. */
export function UnknownItemForm({
  user,
  barcode,
  sessionId,
  rack,
  checkedServer,
  onSaved,
  onCancel,
}: {
  user: User;
  barcode: string;
  sessionId: string;
  rack: string;
  checkedServer: boolean;
  onSaved: (entry: OutboxEntry) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const { outbox, sync } = useServices();
  const [description, setDescription] = useState('');
  const [qty, setQty] = useState(1);
  const [remark, setRemark] = useState('');
  const [photos, setPhotos] = useState<NewPhoto[]>([]);
  const [errors, setErrors] = useState<ErrorDetail[]>([]);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const built = buildUnknownItemRecord(
      { barcode, description, counted_qty: qty, remark },
      { sessionId, rack },
      {
        opId: crypto.randomUUID(),
        countedAt: new Date().toISOString(),
        photoIds: photos.map((p) => p.id),
      },
    );
    if (!built.ok) {
      setErrors(built.errors);
      return;
    }
    const entry = await outbox.enqueue({
      userId: user.id,
      record: built.record,
      summary: `Unknown ${barcode} · ${description.trim()} · ${qty}`,
      photos,
    });
    void sync.syncNow(true);
    onSaved(entry);
  }

  return (
    <form className="card" onSubmit={save} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Unknown barcode {barcode}</h2>
      <p className="muted">
        {checkedServer
          ? 'Neither this phone nor the server knows this code.'
          : 'Not in the offline item list, and the server could not be asked.'}{' '}
        Record it for your supervisor.
      </p>
      <label htmlFor={`${id}-description`}>What is it?</label>
      <input
        id={`${id}-description`}
        value={description}
        autoFocus
        onChange={(e) => setDescription(e.target.value)}
        aria-invalid={fieldError(errors, 'description') !== undefined}
      />
      {fieldError(errors, 'description') && (
        <p className="field-error">{fieldError(errors, 'description')}</p>
      )}
      <QtyField
        name="counted_qty"
        label="Quantity found"
        value={qty}
        onChange={setQty}
        error={fieldError(errors, 'counted_qty')}
      />
      <label htmlFor={`${id}-remark`}>Remark</label>
      <input id={`${id}-remark`} value={remark} onChange={(e) => setRemark(e.target.value)} />
      <PhotoPicker photos={photos} onChange={setPhotos} />
      <div className="actions">
        <button type="submit">Save unknown item</button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
