import type { BulkSummary } from './bulk-summary';

/** What a close or reconcile will do, as the confirmation dialog shows it (issue #14). */
export function BulkSummaryView({ summary }: { summary: BulkSummary }) {
  return (
    <>
      {summary.applies.length > 0 ? (
        <>
          <p>It applies to:</p>
          <ul>
            {summary.applies.map((name) => (
              <li key={name}>{name}</li>
            ))}
          </ul>
        </>
      ) : (
        <p>None of the selected sessions can be changed this way.</p>
      )}
      {summary.held.length > 0 && (
        <div role="alert" className="warning">
          <p>Counters still hold racks; closing ends their work there:</p>
          <ul>
            {summary.held.map((h) => (
              <li key={h.name}>
                {h.name}: {h.racks.map((r) => `${r.rack} (${r.username})`).join(', ')}
              </li>
            ))}
          </ul>
        </div>
      )}
      {summary.refused.length > 0 && (
        <>
          <p>Left as they are:</p>
          <ul>
            {summary.refused.map((r) => (
              <li key={r.name}>
                {r.name} — {r.why}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
