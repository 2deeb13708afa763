/**
 * Startup checks (issue #7): before listening, every configured dependency is tried once and
 * reported on one line: ok with its latency, or what is wrong and what to do. A required
 * dependency that fails stops the start (main.ts exits 3); an optional one (the ERP: the mirror
 * serves lookups meanwhile) only warns.
 */

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** What a probe may add to an "ok": a detail, or a warning that does not stop the start. */
export interface ProbeReport {
  detail?: string;
  warning?: string;
}

export interface DependencyCheck {
  /** Short name shown first on the line: store, coordination, erp, tls, data-dir. */
  name: string;
  /** What was checked, secrets removed (`sqlite /srv/data/stockverify.db`, `redis://host:6379`). */
  target: string;
  /** A failure stops the start (else it is a warning). */
  required: boolean;
  /** What to do when it fails. */
  hint: string;
  /** Throws when the dependency is not usable. */
  probe: () => Promise<ProbeReport | void>;
}

export interface CheckOutcome {
  name: string;
  target: string;
  required: boolean;
  status: CheckStatus;
  latency_ms: number;
  message: string;
  hint: string | null;
}

export interface RunOptions {
  timeoutMs: number;
  now?: () => number;
}

function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return [...new Set(err.errors.map(describeError))].join('; ');
  }
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = err.message || err.name;
    return code && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return String(err);
}

async function runOne(check: DependencyCheck, options: RunOptions): Promise<CheckOutcome> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${Math.round(options.timeoutMs / 1000)} s`)),
      options.timeoutMs,
    );
    timer.unref();
  });
  const base = { name: check.name, target: check.target, required: check.required };
  try {
    const report = (await Promise.race([check.probe(), timeout])) ?? {};
    const latency = Math.round(now() - started);
    if (report.warning) {
      return { ...base, status: 'warn', latency_ms: latency, message: report.warning, hint: null };
    }
    return { ...base, status: 'ok', latency_ms: latency, message: report.detail ?? '', hint: null };
  } catch (err) {
    return {
      ...base,
      status: check.required ? 'fail' : 'warn',
      latency_ms: Math.round(now() - started),
      message: describeError(err),
      hint: check.hint,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once (each with its own timeout); outcomes in the order given. */
export function runChecks(
  checks: readonly DependencyCheck[],
  options: RunOptions,
): Promise<CheckOutcome[]> {
  return Promise.all(checks.map((check) => runOne(check, options)));
}

/** One line per outcome, e.g. `ok    store         sqlite /srv/data/stockverify.db (3 ms)`. */
export function formatOutcome(outcome: CheckOutcome): string {
  const label = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' }[outcome.status];
  const head = `  ${label}  ${outcome.name.padEnd(13)} ${outcome.target}`;
  if (outcome.status === 'ok') {
    return `${head} (${outcome.latency_ms} ms)${outcome.message ? ` ${outcome.message}` : ''}`;
  }
  const hint = outcome.hint ? ` → ${outcome.hint}` : '';
  return `${head}: ${outcome.message} (after ${outcome.latency_ms} ms)${hint}`;
}

/** The checks that stop the start. */
export function fatalOutcomes(outcomes: readonly CheckOutcome[]): CheckOutcome[] {
  return outcomes.filter((o) => o.status === 'fail');
}

/** A URL without its password (and user), for printing. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    // ADO-style connection strings: drop Password=…; keep the rest.
    return url.replace(/(password|pwd)\s*=\s*[^;]*/gi, '$1=***');
  }
}
