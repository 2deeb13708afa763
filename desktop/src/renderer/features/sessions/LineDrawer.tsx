import { useId } from 'react';
import type { ReactNode } from 'react';
import type { CountLine } from '@stockverify/shared';
import { useConsole } from '../../context';
import { dateTime, qty, signed } from '../../ui/format';
import { PhotoGallery, usePhotos } from '../../ui/PhotoGallery';
import { toleranceText } from './tolerance-text';
import { useModal } from '../../ui/use-modal';

const none = <span className="hint">—</span>;

function text(value: string | null | undefined): ReactNode {
  return value === null || value === undefined || value === '' ? none : value;
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

const lower = (s: string) => s.toLowerCase().replace('_', ' ');

/**
 * Everything about one count line for review (issue #14 "Evidence in review"): what the counter
 * counted, saw and wrote, where and when, with which claim, the photos full size, and — for a
 * recount — the original beside it. A modal drawer: Escape or Close returns focus to the row.
 */
export function LineDrawer({
  line,
  onClose,
  actions,
  binHref,
}: {
  line: CountLine;
  onClose(): void;
  actions?: ReactNode;
  /** The link to the line's bin history (issue #16): every count of the item in the rack. */
  binHref?: string;
}) {
  const { client } = useConsole();
  const ref = useModal();
  const titleId = useId();
  const photos = usePhotos(client, line.photo_ids);
  const old = line.supersedes_line;
  const item = line.item_name ? `${line.item_code} — ${line.item_name}` : line.item_code;
  return (
    <dialog
      ref={ref}
      className="line-drawer"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div className="toolbar">
        <h2 id={titleId}>
          {item} on {line.rack}
        </h2>
        {binHref && (
          <a href={binHref} aria-label={`History of ${line.item_code} on ${line.rack}`}>
            Bin history
          </a>
        )}
        <button type="button" className="secondary" autoFocus onClick={onClose}>
          Close
        </button>
      </div>
      {old && (
        <table className="grid" aria-label="Original and recount">
          <thead>
            <tr>
              <th scope="col" />
              <th scope="col" className="num">
                Counted
              </th>
              <th scope="col" className="num">
                Damaged
              </th>
              <th scope="col" className="num">
                Variance
              </th>
              <th scope="col">Counter</th>
              <th scope="col">Counted at</th>
              <th scope="col">Reason</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {[
              ['Original', old],
              ['Recount', line],
            ].map(([label, l]) => {
              const row = l as CountLine | NonNullable<CountLine['supersedes_line']>;
              return (
                <tr key={label as string}>
                  <th scope="row">{label as string}</th>
                  <td className="num">{qty(row.counted_qty)}</td>
                  <td className="num">{qty(row.damaged_qty + row.non_returnable_damaged_qty)}</td>
                  <td className="num">{signed(row.variance)}</td>
                  <td>{row.counted_by_name}</td>
                  <td>{dateTime(row.counted_at)}</td>
                  <td>{text(row.variance_reason)}</td>
                  <td>{lower(row.status)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <dl className="metrics line-fields">
        <Field label="Item">{item}</Field>
        <Field label="Barcode">{text(line.barcode)}</Field>
        <Field label="Rack">{line.rack}</Field>
        <Field label="Book">{qty(line.book_qty)}</Field>
        <Field label="Counted">{qty(line.counted_qty)}</Field>
        <Field label="Damaged">{qty(line.damaged_qty)}</Field>
        <Field label="Damaged, not returnable">{qty(line.non_returnable_damaged_qty)}</Field>
        <Field label="Variance">{signed(line.variance)}</Field>
        <Field label="Variance reason">{text(line.variance_reason)}</Field>
        <Field label="Variance confirmed">{line.variance_confirmed ? 'yes' : 'no'}</Field>
        <Field label="Remark">{text(line.remark)}</Field>
        <Field label="Condition">{text(line.condition)}</Field>
        <Field label="Batch">{text(line.batch_no)}</Field>
        <Field label="Manufactured">{text(line.mfg_date)}</Field>
        <Field label="Expires">{text(line.expiry_date)}</Field>
        <Field label={`Serials (${line.serials.length})`}>
          {line.serials.length ? <span className="mono">{line.serials.join(', ')}</span> : none}
        </Field>
        <Field label="Status">{lower(line.status)}</Field>
        <Field label="Why flagged">{line.review_reasons.join(', ') || none}</Field>
        <Field label="Tolerance rule">{text(toleranceText(line.tolerance))}</Field>
        <Field label="Review note">{text(line.review_note)}</Field>
        <Field label="Reviewed">{line.reviewed_at ? dateTime(line.reviewed_at) : none}</Field>
        <Field label="Counted by">{line.counted_by_name}</Field>
        <Field label="Device">{text(line.device_id)}</Field>
        <Field label="Counted at">{dateTime(line.counted_at)}</Field>
        <Field label="Received at">{dateTime(line.received_at)}</Field>
        <Field label="Fencing token">
          {line.fencing_token === null ? 'none (accepted from a conflict)' : line.fencing_token}
        </Field>
        <Field label="Corrects">
          {line.supersedes ? <span className="mono">{line.supersedes}</span> : none}
        </Field>
        <Field label="Corrected by">
          {line.superseded_by ? <span className="mono">{line.superseded_by}</span> : none}
        </Field>
        <Field label="Operation id">
          <span className="mono">{line.op_id}</span>
        </Field>
      </dl>
      <h3>Photos</h3>
      <PhotoGallery photos={photos} label={`Photos of ${line.item_code} on ${line.rack}`} />
      {actions}
    </dialog>
  );
}
