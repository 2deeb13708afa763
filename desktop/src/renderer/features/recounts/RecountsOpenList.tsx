import type { OpenBin } from '@stockverify/shared';
import { countOf } from '../../ui/format';
import { binHref, stateWords } from './recount-words';

/**
 * Why reconcile was refused (409 RECOUNTS_OPEN, issue #16 item 6): every bin still open, waiting
 * for a supervisor or holding late counts nobody acknowledged, each a link to its history where
 * it can be decided.
 */
export function RecountsOpenList({
  sessionId,
  bins,
  total = bins.length,
}: {
  sessionId: string;
  bins: OpenBin[];
  /** All the open bins, when the answer lists only the first ones. */
  total?: number;
}) {
  return (
    <div className="recounts-open" role="region" aria-label="Bins still open">
      <p>
        Reconcile waits for {countOf(total, 'bin')}: settle or decide each, then reconcile again.
        {total > bins.length &&
          ` The first ${bins.length} are listed; the Recounts tab has every task and bin.`}
      </p>
      <ul>
        {bins.map((b) => (
          <li key={`${b.rack}\u0000${b.item_code}`}>
            <a href={binHref(sessionId, b.rack, b.item_code)}>
              {b.item_code} on {b.rack}
            </a>{' '}
            — {stateWords(b.state).toLowerCase()}
            {b.task_id ? ', a recount task is open' : ''}
            {b.late_counts > 0
              ? `, ${countOf(b.late_counts, 'late count')} to acknowledge or override`
              : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}
