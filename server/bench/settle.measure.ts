/**
 * What validating the store's own rows cost a settle (issue #16's budget: `bench:sync` with every
 * count doubtful ran at 75.8 % of the throughput without settlement, and a third of `settleBin`
 * was its zod parse), measured in process — not a test, not the sync benchmark. BINS (10,000)
 * bins of 1–12 counts by different counters (phases 0, 1, then 2: the default two recount phases),
 * every count outside tolerance (book 100, ± 5 units; counts 80–94 or 106–125), a tenth with a
 * supervisor's recount decision, go through `makeSettle` twice per round: with the trusted entry
 * (`settleBinTrusted`, what the server runs) and with the validating one (`settleBin`, what it ran
 * before), in alternating order, after WARMUP rounds not counted; then the two consensus entries
 * alone on the same histories. Both paths must give the same outcome for every bin (checked
 * first). Prints the median, fastest and slowest CPU milliseconds per round of BINS settles and
 * the ratios trusted / validating.
 *
 *   npx tsx server/bench/settle.measure.ts [bins=10000] [rounds=15] [warmup=3]
 */
import {
  settleBin,
  settleBinTrusted,
  symmetricThresholds,
  toleranceRuleSchema,
  type ParsedBinHistory,
} from '@stockverify/shared';
import { isDeepStrictEqual } from 'node:util';
import { mulberry32 } from '../src/lib/mulberry32';
import { binCounts, makeSettle, type SettleDeps } from '../src/modules/recounts/settle';
import type { BinSettleInput } from '../src/ports/bins';
import type { CountLineRecord } from '../src/ports/counting';
import { makeLine } from '../test/support/counting-records';

function arg(i: number, fallback: number): number {
  const raw = process.argv[2 + i];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`argument ${i + 1} must be a whole number ≥ 1`);
  return n;
}
const BINS = arg(0, 10_000);
const ROUNDS = arg(1, 15);
const WARMUP = arg(2, 3);

const RULE = toleranceRuleSchema.parse({
  id: 'pm5',
  version: 1,
  scope: { kind: 'everything' },
  thresholds: symmetricThresholds({ units: 5 }),
  on_exceed: 'recount',
});
const T0 = Date.parse('2026-12-06T08:00:00.000Z');
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

function bins(): BinSettleInput[] {
  const r = mulberry32(16);
  const out: BinSettleInput[] = [];
  let n = 0;
  for (let b = 0; b < BINS; b++) {
    const key = { rack: `R${String(b >> 6).padStart(4, '0')}`, item_code: `I${b & 63}` };
    const lines: CountLineRecord[] = [];
    const counts = 1 + Math.floor(r() * 12);
    const first = Math.floor(r() * 20);
    for (let k = 0; k < counts; k++) {
      // Doubtful: outside ± 5 of the book, short or over.
      const qty = r() < 0.5 ? 80 + Math.floor(r() * 15) : 106 + Math.floor(r() * 20);
      n++;
      lines.push(
        makeLine(`00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, {
          id: `line-${n}`,
          session_id: 'S1',
          ...key,
          counted_qty: qty,
          serials: [],
          photo_ids: [],
          book_qty: 100,
          variance: qty - 100,
          value_at_cost: qty - 100,
          value_at_price: qty - 100,
          counted_by: `u-${(first + k) % 20}`,
          counted_by_name: `counter ${(first + k) % 20}`,
          phase: Math.min(k, 2),
          status: 'NEEDS_REVIEW',
          received_at: iso(b * 60 + k),
          counted_at: iso(b * 60 + k),
        }),
      );
    }
    out.push({
      session_id: 'S1',
      key,
      lines,
      decisions:
        b % 10 === 0
          ? [
              {
                kind: 'recount',
                decision_id: `d-${b}`,
                phase: Math.min(counts, 3),
                decided_by: 'u-sup',
                decided_at: iso(b * 60 + counts),
                reason: 'look again',
              },
            ]
          : [],
      split: false,
      open_tasks: [],
      previous: null,
    });
  }
  return out;
}

const deps: SettleDeps = {
  ruleFor: () => ({ rule: RULE, book: 100, unit_cost: 1 }),
  now: () => iso(BINS * 60),
  newTaskId: () => 'task',
  chooseAssignee: () => null,
};
const settles = {
  trusted: makeSettle(deps),
  validating: makeSettle(deps, settleBin),
};
type Path = 'trusted' | 'validating';
const historyOf = (b: BinSettleInput): ParsedBinHistory => ({
  book: 100,
  unit_cost: 1,
  split: b.split,
  counts: binCounts(b.lines),
  decisions: b.decisions,
});
const consensus: Record<Path, (h: ParsedBinHistory) => unknown> = {
  trusted: (h) => settleBinTrusted(h, RULE),
  validating: (h) => settleBin(h, RULE),
};

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * CPU milliseconds of the process per round of `run` over every input, both paths interleaved (CPU
 * rather than wall time: steadier on a machine other work shares).
 */
function timed<T>(inputs: readonly T[], run: Record<Path, (input: T) => unknown>) {
  const ms: Record<Path, number[]> = { trusted: [], validating: [] };
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    const order: Path[] = round % 2 ? ['trusted', 'validating'] : ['validating', 'trusted'];
    for (const path of order) {
      const f = run[path];
      const t = process.cpuUsage();
      for (const input of inputs) f(input);
      const used = process.cpuUsage(t);
      if (round >= WARMUP) ms[path].push((used.user + used.system) / 1000);
    }
  }
  return ms;
}

function main() {
  const inputs = bins();
  const counts = inputs.reduce((n, b) => n + b.lines.length, 0);
  const same = inputs.filter((b) =>
    isDeepStrictEqual(settles.trusted(b), settles.validating(b)),
  ).length;
  console.log(`${BINS} bins, ${counts} counts (all doubtful); same outcome: ${same}/${BINS}`);
  if (same !== BINS) throw new Error('the trusted and validating paths disagree');

  const whole = timed(inputs, settles);
  const histories = inputs.map(historyOf);
  const alone = timed(histories, consensus);
  const row = (ms: number[]) => ({
    'median ms': Number(median(ms).toFixed(1)),
    'µs / bin': Number(((median(ms) * 1000) / BINS).toFixed(1)),
    'fastest ms': Number(Math.min(...ms).toFixed(1)),
    'slowest ms': Number(Math.max(...ms).toFixed(1)),
  });
  console.table({
    'makeSettle, validating (settleBin)': row(whole.validating),
    'makeSettle, trusted (settleBinTrusted)': row(whole.trusted),
    'consensus alone: settleBin': row(alone.validating),
    'consensus alone: settleBinTrusted': row(alone.trusted),
  });
  // The ratio of the medians, and the median of each round's ratio (its two runs side by side).
  const pct = (ms: Record<Path, number[]>) =>
    `${((median(ms.trusted) / median(ms.validating)) * 100).toFixed(1)} % (per round: ${(median(ms.trusted.map((t, i) => t / ms.validating[i]!)) * 100).toFixed(1)} %)`;
  console.log(
    `CPU time, trusted / validating: makeSettle ${pct(whole)}, the consensus alone ${pct(alone)}; ${ROUNDS} rounds of ${BINS} settles each, interleaved, medians, after ${WARMUP} warm-up rounds`,
  );
}

main();
