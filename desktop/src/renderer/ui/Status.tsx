/** A polite status line: errors in red, successes in green; announced to screen readers. */
export function Status({
  error,
  ok,
  info,
}: {
  error?: string | null;
  ok?: string | null;
  info?: string | null;
}) {
  const text = error ?? ok ?? info ?? '';
  const tone = error ? 'error' : ok ? 'ok' : 'info';
  return (
    <p role={error ? 'alert' : 'status'} className={text ? `result ${tone}` : 'result'}>
      {text}
    </p>
  );
}
