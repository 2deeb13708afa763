import type { BinCountView, BinDetail } from '@stockverify/shared';
import { useEffect, useId, useRef } from 'react';
import type { ReactNode } from 'react';
import { readBin } from '../../api/bins';
import { useConsole } from '../../context';
import { dateTime, qty } from '../../ui/format';
import { useLoad } from '../../ui/hooks';
import { PhotoGallery, usePhotos } from '../../ui/PhotoGallery';
import { Status } from '../../ui/Status';
import { toleranceText } from '../sessions/tolerance-text';
import { DecisionPanel } from './DecisionPanel';
import { LateCountsForm } from './LateCountsForm';
import {
  COUNT_ROLE_WORDS,
  bookWords,
  conflictWords,
  countRole,
  holderWords,
  phaseWords,
  reasonWords,
  settlementSentence,
  stateWords,
} from './recount-words';
import { useModal } from '../../ui/use-modal';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function CountPhotos({ count }: { count: BinCountView }) {
  const { client } = useConsole();
  const photos = usePhotos(client, count.photo_ids);
  return (
    <div>
      <h4>
        {phaseWords(count.phase)} · {count.counted_by_name} · {qty(count.quantity)}
      </h4>
      <PhotoGallery
        photos={photos}
        label={`Photos of the ${phaseWords(count.phase).toLowerCase()} by ${count.counted_by_name}`}
      />
    </div>
  );
}

/**
 * One bin's whole history (issue #16 item 4, docs/design.md §12): the settlement in words, every
 * count side by side (phase, counter, device, time, quantity, photos; taken, candidate,
 * superseded or late), the supervisors' decisions with who, when and why, the recount tasks, the
 * rule with its limits and the agreement allowance, the conflicts — and the decision form. A modal
 * drawer: Escape or Close returns focus to what opened it.
 */
export function BinDrawer({
  sessionId,
  rack,
  item,
  onClose,
  onChanged,
  tick = 0,
  warehouse = null,
}: {
  sessionId: string;
  /** The session's warehouse, for whom a recount may be given to. */
  warehouse?: string | null;
  rack: string;
  item: string;
  onClose(): void;
  onChanged?(): void;
  /** Grows when a live event may have changed the session's bins: the history reloads. */
  tick?: number;
}) {
  const { client } = useConsole();
  const ref = useModal();
  const titleId = useId();
  const [detail, reload] = useLoad(
    () => readBin(client, sessionId, rack, item),
    [client, sessionId, rack, item],
  );
  const seen = useRef(tick);
  useEffect(() => {
    if (tick === seen.current) return;
    seen.current = tick;
    void reload();
  }, [tick, reload]);
  const d = detail.value;
  const name = d?.bin.item_name ? `${item} — ${d.bin.item_name}` : item;
  return (
    <dialog
      ref={ref}
      className="line-drawer bin-drawer"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div className="toolbar">
        <h2 id={titleId}>
          History of {name} on {rack}
        </h2>
        <button type="button" className="secondary" onClick={() => void reload()}>
          Reload
        </button>
        <button type="button" className="secondary" autoFocus onClick={onClose}>
          Close
        </button>
      </div>
      <Status
        error={detail.state === 'error' ? detail.error : null}
        info={d === null ? 'Loading the bin…' : null}
      />
      {d && (
        <BinHistory
          detail={d}
          decide={
            <>
              <LateCountsForm
                sessionId={sessionId}
                detail={d}
                onDone={async () => {
                  await reload();
                  onChanged?.();
                }}
              />
              <DecisionPanel
                sessionId={sessionId}
                warehouse={warehouse}
                detail={d}
                onDecided={async () => {
                  await reload();
                  onChanged?.();
                }}
              />
            </>
          }
        />
      )}
    </dialog>
  );
}

function BinHistory({ detail, decide }: { detail: BinDetail; decide: ReactNode }) {
  const { bin, counts, decisions, tasks, rule, conflicts } = detail;
  const withPhotos = counts.filter((c) => c.photo_ids.length > 0);
  const byId = new Map(counts.map((c) => [c.op_id, c]));
  return (
    <>
      <p className={`settlement settlement-${bin.state}`} data-testid="settlement">
        <span className={`badge bin-state-${bin.state}`}>{stateWords(bin.state)}</span>{' '}
        {settlementSentence(bin)}
      </p>
      <dl className="metrics line-fields">
        <Fact label="Book">{bookWords(bin.book_qty, detail.book)}</Fact>
        <Fact label={bin.state === 'decided' ? 'Decided quantity' : 'Settled quantity'}>
          {qty(bin.quantity)}
        </Fact>
        {bin.proposed_quantity !== null && (
          <Fact label="Proposed">{qty(bin.proposed_quantity)}</Fact>
        )}
        <Fact label="First count">{qty(bin.first_count_qty)}</Fact>
        <Fact label="Phase">
          {bin.state === 'open' ? `${phaseWords(bin.phase)} awaited` : phaseWords(bin.phase)}
        </Fact>
        <Fact label="Recounts used">{bin.recounts}</Fact>
        <Fact label="Overturned">
          {bin.overturned ? 'yes: differs from the first count' : 'no'}
        </Fact>
        <Fact label="Split rack">{bin.split ? 'yes: counts add up' : 'no'}</Fact>
        <Fact label="Rule">
          {rule ? toleranceText(rule) : `${bin.rule_id} v${bin.rule_version}`}
        </Fact>
        <Fact label="Counts agree within">
          {detail.agreement_allowance === null
            ? 'no limit'
            : `${qty(detail.agreement_allowance)} units of each other`}
        </Fact>
        <Fact label="Settled at">{dateTime(bin.settled_at)}</Fact>
        <Fact label="Updated">{dateTime(bin.updated_at)}</Fact>
      </dl>

      <h3>Counts</h3>
      {counts.length === 0 ? (
        <p className="hint">Nothing counted yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="grid" aria-label="Counts side by side">
            <thead>
              <tr>
                <th scope="col">Phase</th>
                <th scope="col">Counter</th>
                <th scope="col">Device</th>
                <th scope="col">Counted at</th>
                <th scope="col">Received at</th>
                <th scope="col" className="num">
                  Quantity
                </th>
                <th scope="col" className="num">
                  Counted
                </th>
                <th scope="col" className="num">
                  Photos
                </th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {counts.map((c) => {
                const role = countRole(c);
                return (
                  <tr key={c.op_id} data-count={c.op_id} className={`count-${role}`}>
                    <td>{phaseWords(c.phase)}</td>
                    <td>{c.counted_by_name}</td>
                    <td>{c.device_id ?? '—'}</td>
                    <td>{dateTime(c.counted_at)}</td>
                    <td>{dateTime(c.received_at)}</td>
                    <td className="num">{qty(c.quantity)}</td>
                    <td className="num">{qty(c.counted_qty)}</td>
                    <td className="num">{c.photo_ids.length}</td>
                    <td>
                      <span className={`badge role-${role}`}>{COUNT_ROLE_WORDS[role]}</span>
                      {c.superseded_by && <span className="hint"> by a correction</span>}
                      {c.late && (
                        <span className="hint">
                          {c.late_acknowledged ? ' · acknowledged' : ' · waits for you'}
                        </span>
                      )}
                    </td>
                    <td>{c.status.toLowerCase().replace('_', ' ')}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      <h3>Decisions</h3>
      {decisions.length === 0 ? (
        <p className="hint">No supervisor has decided on this bin.</p>
      ) : (
        <table className="grid" aria-label="Decisions">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Decision</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {decisions.map((x) => {
              const taken = x.count_id ? byId.get(x.count_id) : undefined;
              const what =
                x.kind === 'recount'
                  ? `Asked for ${x.phase ? phaseWords(x.phase).toLowerCase() : 'a recount'}`
                  : taken
                    ? `Took ${qty(x.quantity)} (${phaseWords(taken.phase).toLowerCase()} by ${taken.counted_by_name})`
                    : `Set ${qty(x.quantity)}`;
              return (
                <tr key={x.decision_id} data-decision={x.decision_id}>
                  <td>{dateTime(x.decided_at)}</td>
                  <td>{x.decided_by_name ?? x.decided_by}</td>
                  <td>
                    {what}
                    {x.override && <span className="badge warn"> override</span>}
                  </td>
                  <td>{x.reason ?? '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}

      {conflicts.length > 0 && (
        <>
          <h3>Conflicts</h3>
          <ul className="bin-conflicts" aria-label="Conflicts">
            {conflicts.map((c) => {
              const count = byId.get(c.id);
              return (
                <li key={`${c.code}:${c.id}`}>
                  {count
                    ? `${phaseWords(count.phase)} by ${count.counted_by_name} (${qty(count.quantity)}): `
                    : `${c.id}: `}
                  {conflictWords(c.code)}
                </li>
              );
            })}
          </ul>
        </>
      )}

      {tasks.length > 0 && (
        <>
          <h3>Recount tasks</h3>
          <table className="grid" aria-label="Recount tasks of this bin">
            <thead>
              <tr>
                <th scope="col">Phase</th>
                <th scope="col">Why</th>
                <th scope="col">Held by</th>
                <th scope="col">State</th>
                <th scope="col">Opened</th>
                <th scope="col">Closed</th>
              </tr>
            </thead>
            <tbody>
              {tasks.map((t) => (
                <tr key={t.task_id} data-task={t.task_id}>
                  <td>{phaseWords(t.phase)}</td>
                  <td>
                    {reasonWords(t.reason)}
                    {t.note && <span className="hint"> — {t.note}</span>}
                  </td>
                  <td>{holderWords(t)}</td>
                  <td>{t.state}</td>
                  <td>{dateTime(t.created_at)}</td>
                  <td>{dateTime(t.closed_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      {decide}

      {withPhotos.length > 0 && (
        <>
          <h3>Photos</h3>
          {withPhotos.map((c) => (
            <CountPhotos key={c.op_id} count={c} />
          ))}
        </>
      )}
    </>
  );
}
