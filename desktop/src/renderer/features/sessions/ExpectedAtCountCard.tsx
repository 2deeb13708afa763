import { itemExpectedAnswerSchema } from '@stockverify/shared';
import { useEffect, useState } from 'react';
import { errorText } from '../../api/client';
import { useConsole } from '../../context';
import { Status } from '../../ui/Status';
import { expectedWords, type ExpectedWords } from './expected-words';

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
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setWords(null);
    setError(null);
    client
      .read(
        itemExpectedAnswerSchema,
        `/sessions/${encodeURIComponent(sessionId)}/items/${encodeURIComponent(itemCode)}/expected`,
      )
      .then((a) => live && setWords(expectedWords(a)))
      .catch((e: unknown) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [client, sessionId, itemCode]);

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
        </>
      )}
    </aside>
  );
}
