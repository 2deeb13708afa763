import { MOVED_DECISIONS_MAX_ITEMS, movedDecisionsAnswerSchema } from '@stockverify/shared';
import type { MovedLineChoice } from '@stockverify/shared';
import { useState } from 'react';
import { useConsole } from '../../context';
import { DecisionReason } from './DecisionReason';
import { movedBulkDone } from './moved-decision-words';
import { movedErrorText } from './moved-refusal';

/**
 * Decisions for moved items in bulk (issue #17 item 3, docs/design.md §13): the items selected in
 * the variances list, one mode for all, one reason — `POST /sessions/:id/moved-decisions`. The
 * server takes all or none: a refusal names the item and why, in words.
 */
export function MovedDecisionsBar({
  sessionId,
  selected,
  onClear,
}: {
  sessionId: string;
  selected: readonly string[];
  onClear: () => void;
}) {
  const { client } = useConsole();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  const tooMany = selected.length > MOVED_DECISIONS_MAX_ITEMS;

  async function decide(mode: MovedLineChoice) {
    setBusy(true);
    setDone(null);
    setRefused(null);
    try {
      const answer = await client.write(
        movedDecisionsAnswerSchema,
        `/sessions/${encodeURIComponent(sessionId)}/moved-decisions`,
        {
          items: selected.map((item_code) => ({ item_code, mode })),
          ...(reason.trim() !== '' ? { reason: reason.trim() } : {}),
        },
      );
      setDone(movedBulkDone(answer.decisions));
    } catch (e: unknown) {
      setRefused(movedErrorText(e, { bulk: true }));
    } finally {
      setBusy(false);
    }
  }

  if (selected.length === 0 && done === null && refused === null) return null;
  return (
    <fieldset className="bulk-bar" aria-label="Decide the selected items">
      <legend>Moved after the count: decide the selected items</legend>
      <span>
        {selected.length.toLocaleString('en')} selected
        {tooMany && ` (at most ${MOVED_DECISIONS_MAX_ITEMS.toLocaleString('en')} at once)`}
      </span>{' '}
      <DecisionReason
        ariaLabel="Reason for the selected items"
        value={reason}
        onChange={setReason}
      />{' '}
      <button
        type="button"
        disabled={busy || selected.length === 0 || tooMany}
        onClick={() => void decide('keep_counted')}
      >
        Keep counted
      </button>{' '}
      <button
        type="button"
        disabled={busy || selected.length === 0 || tooMany}
        onClick={() => void decide('keep_difference')}
      >
        Keep difference
      </button>{' '}
      <button type="button" disabled={busy || selected.length === 0} onClick={onClear}>
        Clear selection
      </button>
      {done !== null && <p role="status">{done}</p>}
      {refused !== null && <p role="alert">{refused}</p>}
    </fieldset>
  );
}
