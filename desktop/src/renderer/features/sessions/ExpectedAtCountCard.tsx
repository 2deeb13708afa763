import {
  itemExpectedAnswerSchema,
  movedDecisionsAnswerSchema,
  type ItemExpectedAnswer,
  type MovedLineChoice,
} from '@stockverify/shared';
import { useEffect, useState } from 'react';
import { errorText } from '../../api/client';
import { useConsole } from '../../context';
import { Status } from '../../ui/Status';
import { DecisionReason } from './DecisionReason';
import { expectedWords, type ExpectedWords } from './expected-words';
import { movedDecisionDone, movedDecisionOffer } from './moved-decision-words';
import { movedErrorText } from './moved-refusal';

/**
 * One item's variance against the book at the moment it was counted, beside the snapshot one, with
 * the movements that explain the difference (issue #17, docs/design.md §13). Loaded on demand
 * (`GET /sessions/:id/items/:code/expected`): the variances list stays one paged read.
 */
export function ExpectedAtCountCard({
  sessionId,
  itemCode,
  onClose,
}: {
  sessionId: string;
  itemCode: string;
  onClose: () => void;
}) {
  const { client } = useConsole();
  const [words, setWords] = useState<ExpectedWords | null>(null);
  const [answer, setAnswer] = useState<ItemExpectedAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string | null>(null);
  // The server's refusal of a decision, in words (design §13).
  const [refused, setRefused] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let live = true;
    setWords(null);
    setAnswer(null);
    setError(null);
    setDone(null);
    setRefused(null);
    client
      .read(
        itemExpectedAnswerSchema,
        `/sessions/${encodeURIComponent(sessionId)}/items/${encodeURIComponent(itemCode)}/expected`,
      )
      .then((a) => {
        if (!live) return;
        setWords(expectedWords(a));
        setAnswer(a);
      })
      .catch((e: unknown) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [client, sessionId, itemCode]);

  // Keep counted / keep the difference for an item that moved after its count (design §13).
  const offer = answer === null ? null : movedDecisionOffer(answer);
  async function decide(mode: MovedLineChoice) {
    setBusy(true);
    setDone(null);
    setRefused(null);
    try {
      const r = await client.write(
        movedDecisionsAnswerSchema,
        `/sessions/${encodeURIComponent(sessionId)}/items/${encodeURIComponent(itemCode)}/moved-decision`,
        { mode, ...(reason.trim() !== '' ? { reason: reason.trim() } : {}) },
      );
      setDone(r.decisions[0] ? movedDecisionDone(r.decisions[0]) : null);
    } catch (e: unknown) {
      setRefused(movedErrorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <aside className="panel" aria-label={`Expected at count of ${itemCode}`}>
      <h3>
        {itemCode}: variance at count{' '}
        <button type="button" onClick={onClose} aria-label="Close expected at count">
          ×
        </button>
      </h3>
      <Status error={error} />
      {words === null ? (
        error === null && <p>Loading…</p>
      ) : (
        <>
          <dl>
            <dt>Against the snapshot</dt>
            <dd>{words.snapshot}</dd>
            <dt>Against the book when counted</dt>
            <dd>{words.atCount}</dd>
          </dl>
          <p>{words.note}</p>
          {words.evidence.length > 0 && (
            <ul aria-label="Movements">
              {words.evidence.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          )}
          {words.hints.length > 0 && (
            <ul aria-label="Hints">
              {words.hints.map((h) => (
                <li key={h}>{h}</li>
              ))}
            </ul>
          )}
          {offer?.offered && (
            <fieldset aria-label="Moved after the count">
              <legend>Moved after the count</legend>
              <p>{offer.liveBook}</p>
              <DecisionReason
                ariaLabel="Decision reason"
                value={reason}
                onChange={setReason}
              />{' '}
              <button
                type="button"
                disabled={busy || !offer.keepCounted.enabled}
                title={offer.keepCounted.text}
                onClick={() => void decide('keep_counted')}
              >
                Keep counted ({offer.keepCounted.text})
              </button>{' '}
              <button
                type="button"
                disabled={busy || !offer.keepDifference.enabled}
                title={offer.keepDifference.text}
                onClick={() => void decide('keep_difference')}
              >
                Keep difference ({offer.keepDifference.text})
              </button>
              {done !== null && <p role="status">{done}</p>}
              {refused !== null && <p role="alert">{refused}</p>}
            </fieldset>
          )}
        </>
      )}
    </aside>
  );
}
