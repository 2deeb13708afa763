/**
 * Random bin histories for the consensus property tests (issue #16): counts, recounts and
 * corrections from several counters and phases plus supervisor decisions, the rule they are judged
 * by, and a shuffled, duplicated delivery of them. Used by consensus.property.test.ts and
 * consensus-trusted.test.ts.
 */
import fc from 'fast-check';
import type { BinCount, BinDecision, BinHistory } from './consensus';
import { toleranceRuleSchema } from './rules';

// shared is compiled without Node's types: reach the environment and console through globalThis.
export const host = globalThis as unknown as {
  process?: { env?: Record<string, string | undefined> };
  console: { info: (...args: unknown[]) => void };
};
export const NUM_RUNS = Number(host.process?.env?.TOLERANCE_PROPERTY_RUNS ?? 1000);
export const COUNTERS = ['u-ann', 'u-bob', 'u-cat', 'u-dan', 'u-eve'] as const;
export const T0 = Date.parse('2026-12-06T08:00:00.000Z');
export const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();

const optionalInt = (max: number) => fc.option(fc.integer({ min: 0, max }), { nil: undefined });
const limitsArb = fc.record({
  units: optionalInt(20),
  percent: optionalInt(50),
  value: optionalInt(60),
});
export const ruleArb = fc
  .record({
    shortage: limitsArb,
    overage: limitsArb,
    on_exceed: fc.constantFrom('recount' as const, 'recount' as const, 'approve' as const),
    recount_phases: fc.integer({ min: 0, max: 3 }),
  })
  .map(({ shortage, overage, on_exceed, recount_phases }) =>
    toleranceRuleSchema.parse({
      id: 'prop',
      version: 1,
      scope: { kind: 'everything' },
      thresholds: { shortage: strip(shortage), overage: strip(overage) },
      on_exceed,
      recount_phases,
    }),
  );
function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** A count as an offset from the book (most land near it, so counts agree and disagree). */
const qtyArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -8, max: 8 }) },
  { weight: 2, arbitrary: fc.integer({ min: -60, max: 60 }) },
  { weight: 1, arbitrary: fc.integer({ min: -8000, max: 8000 }).map((m) => m / 1000) },
);
const eventArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('count' as const),
      counter: fc.integer({ min: 0, max: COUNTERS.length - 1 }),
      phase: fc.integer({ min: 0, max: 3 }),
      qty: qtyArb,
      minute: fc.integer({ min: 0, max: 120 }),
      /** A correction of one of the counter's earlier counts, when they have one. */
      corrects: fc.option(fc.nat(), { nil: null, freq: 4 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      qty: qtyArb,
      minute: fc.integer({ min: 0, max: 120 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('recount' as const),
      phase: fc.integer({ min: 1, max: 4 }),
      minute: fc.integer({ min: 0, max: 120 }),
    }),
  },
);
export const historyArb = fc.record({
  book: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.constant(2.5)),
  cost: fc.constantFrom(0, 0.0035, 1, 2.35),
  split: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, fc.constant(true)),
  rule: ruleArb,
  phaseLimit: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  /** Short histories too, so a lone first count (accepted or sent to recount) is common. */
  events: fc.oneof(
    fc.array(eventArb, { minLength: 1, maxLength: 2 }),
    fc.array(eventArb, { minLength: 0, maxLength: 10 }),
  ),
  /** Most histories have no supervisor decision, so the counts' own settling is exercised. */
  decides: fc.oneof({ weight: 2, arbitrary: fc.constant(false) }, fc.constant(true)),
  /** Delivery: a sort key per record and the records sent twice. */
  keys: fc.array(fc.nat(), { minLength: 30, maxLength: 30 }),
  dupes: fc.array(fc.nat(), { maxLength: 6 }),
});

export type Event = { minute: number; id: string } & (
  { kind: 'count'; count: BinCount } | { kind: 'decision'; decision: BinDecision }
);

/** Turns generated steps into events with ids, in time order (the "in order" delivery). */
export type Generated = typeof historyArb extends fc.Arbitrary<infer T> ? T : never;

export function eventsOf(h: Generated): Event[] {
  const events: Event[] = [];
  const qty = (offset: number) => Math.max(0, Math.round((h.book + offset) * 1000) / 1000);
  const steps = h.events.filter((s) => h.decides || s.kind === 'count');
  const byCounter = new Map<string, BinCount[]>();
  steps.forEach((s, i) => {
    if (s.kind === 'count') {
      const counter = COUNTERS[s.counter]!;
      const mine = byCounter.get(counter) ?? [];
      const target =
        s.corrects === null || mine.length === 0 ? null : mine[s.corrects % mine.length]!;
      const count: BinCount = {
        count_id: `c${i}`,
        counter_id: counter,
        phase: target ? target.phase : s.phase,
        quantity: qty(s.qty),
        received_at: at(s.minute),
        supersedes: target ? target.count_id : null,
      };
      byCounter.set(counter, [...mine, count]);
      events.push({ kind: 'count', count, minute: s.minute, id: count.count_id });
    } else if (s.kind === 'set') {
      const decision: BinDecision = {
        kind: 'set',
        decision_id: `d${i}`,
        quantity: qty(s.qty),
        decided_by: 'u-sup',
        decided_at: at(s.minute),
        reason: 'decided from the counts side by side',
      };
      events.push({ kind: 'decision', decision, minute: s.minute, id: decision.decision_id });
    } else {
      const decision: BinDecision = {
        kind: 'recount',
        decision_id: `d${i}`,
        phase: s.phase,
        decided_by: 'u-sup',
        decided_at: at(s.minute),
      };
      events.push({ kind: 'decision', decision, minute: s.minute, id: decision.decision_id });
    }
  });
  return events.sort((a, b) => a.minute - b.minute || (a.id < b.id ? -1 : 1));
}

export function historyOf(
  h: { book: number; cost: number; split: boolean },
  events: readonly Event[],
): BinHistory {
  return {
    book: h.book,
    unit_cost: h.cost,
    split: h.split,
    counts: events.flatMap((e) => (e.kind === 'count' ? [e.count] : [])),
    decisions: events.flatMap((e) => (e.kind === 'decision' ? [e.decision] : [])),
  };
}

/** The same records, shuffled by the generated keys, some sent twice. */
export function delivered<T>(
  items: readonly T[],
  keys: readonly number[],
  dupes: readonly number[],
): T[] {
  const withDupes = [...items, ...(items.length ? dupes.map((d) => items[d % items.length]!) : [])];
  return withDupes
    .map((item, i) => ({ item, key: keys[i % keys.length]! * 64 + i }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.item);
}
