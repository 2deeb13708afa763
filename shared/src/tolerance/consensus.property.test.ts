/**
 * Consensus property (issue #16): random histories of counts, recounts and corrections from
 * several counters and phases plus supervisor decisions, delivered shuffled and duplicated, settle
 * exactly as the same events in time order; every count id is accounted for once; a decision,
 * once made, stands whatever arrives after it; and a consensus is the best agreeing group a brute
 * force over every subset of counters finds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { settleBin, type BinHistory, type Settlement } from './consensus';
import {
  NUM_RUNS,
  delivered,
  eventsOf,
  historyArb,
  historyOf,
  host,
} from './consensus-histories.test-support';
import { agreementAllowanceMilli, toMilli, unitCostMicro } from './evaluate';
import type { ToleranceRule } from './rules';

/** Independent reference: the best agreeing set of counters by trying every subset. */
function bruteForceGroup(
  voices: readonly { counter_id: string; phase: number; m: number }[],
  allowance: number,
  minPhase: number,
): { size: number; spread: number; low: number } | null {
  let best: { size: number; spread: number; low: number } | null = null;
  for (let mask = 1; mask < 1 << voices.length; mask++) {
    const group = voices.filter((_, i) => mask & (1 << i));
    if (group.length < 2 || !group.some((v) => v.phase >= minPhase)) continue;
    const ms = group.map((v) => v.m);
    const low = Math.min(...ms);
    const spread = Math.max(...ms) - low;
    if (spread > allowance) continue;
    const better =
      best === null ||
      group.length > best.size ||
      (group.length === best.size &&
        (spread < best.spread || (spread === best.spread && low < best.low)));
    if (better) best = { size: group.length, spread, low };
  }
  return best;
}

function idsIn(s: Settlement): string[] {
  return [
    ...s.voices.flatMap((v) => [...v.count_ids, ...v.replaced_count_ids]),
    ...s.superseded,
    ...s.conflicts.filter((c) => c.code === 'late_after_decision').map((c) => c.id),
  ];
}

describe('consensus property: order, duplicates, decisions', () => {
  it(`settles ${NUM_RUNS} random histories as they settle in order`, () => {
    let histories = 0;
    const reached = new Map<string, number>();
    const seen = (what: string) => reached.set(what, (reached.get(what) ?? 0) + 1);
    fc.assert(
      fc.property(historyArb, (h) => {
        histories++;
        const rule: ToleranceRule = h.rule;
        const events = eventsOf(h);
        const inOrder = historyOf(h, events);
        const expected = settleBin(inOrder, rule, h.phaseLimit);
        seen(expected.reason);
        if (expected.conflicts.length) seen('conflict');
        if (expected.superseded.length) seen('correction');
        if (expected.voices.some((v) => v.replaced_count_ids.length))
          seen('replaced_by_later_phase');
        if (expected.decision?.overrides.length) seen('override');

        // 1. Shuffled and duplicated delivery settles the same.
        const shuffled: BinHistory = {
          ...inOrder,
          counts: delivered(inOrder.counts, h.keys, h.dupes),
          decisions: delivered(inOrder.decisions ?? [], [...h.keys].reverse(), h.dupes),
        };
        expect(settleBin(shuffled, rule, h.phaseLimit)).toEqual(expected);

        // 2. Every count id is accounted for exactly once.
        const ids = idsIn(expected);
        expect([...ids].sort()).toEqual(inOrder.counts.map((c) => c.count_id).sort());

        // 3. Growing the history in time order: once decided, always decided, at the quantity of
        //    the latest decision; every count received after the first decision is a conflict.
        let firstSetAt: number | null = null;
        let standing: number | null = null;
        for (let k = 1; k <= events.length; k++) {
          const e = events[k - 1]!;
          if (e.kind === 'decision' && e.decision.kind === 'set') {
            firstSetAt ??= e.minute;
            standing = e.decision.quantity;
          }
          const s = settleBin(historyOf(h, events.slice(0, k)), rule, h.phaseLimit);
          if (standing === null) {
            expect(s.state).not.toBe('decided');
            continue;
          }
          expect(s).toMatchObject({ state: 'decided', quantity: standing });
          for (const c of events.slice(0, k)) {
            if (c.kind !== 'count') continue;
            const late = s.conflicts.some(
              (x) => x.id === c.count.count_id && x.code === 'late_after_decision',
            );
            expect(late).toBe(c.minute > firstSetAt!);
          }
        }

        // 4. A settled quantity is one somebody counted (or the split sum), and a consensus is the
        //    best group of counters whose counts all agree.
        if (expected.state !== 'settled') return;
        const voices = expected.voices.map((v) => ({ ...v, m: toMilli(v.quantity) }));
        if (h.split) {
          expect(toMilli(expected.quantity!)).toBe(voices.reduce((s, v) => s + v.m, 0));
          return;
        }
        expect(voices.map((v) => v.quantity)).toContain(expected.quantity);
        if (expected.reason !== 'consensus') return;
        const allowance = agreementAllowanceMilli(rule, toMilli(h.book), unitCostMicro(h.cost));
        const minPhase = Math.max(
          0,
          ...(inOrder.decisions ?? []).map((d) => (d.kind === 'recount' ? d.phase : 0)),
        );
        const best = bruteForceGroup(voices, allowance, minPhase)!;
        const group = voices.filter((v) =>
          v.count_ids.every((id) => expected.agreeing.includes(id)),
        );
        const ms = group.map((v) => v.m).sort((a, b) => a - b);
        expect(new Set(group.map((v) => v.counter_id)).size).toBe(group.length);
        expect({ size: ms.length, spread: ms.at(-1)! - ms[0]!, low: ms[0]! }).toEqual(best);
        expect(toMilli(expected.quantity!)).toBe(ms[Math.floor((ms.length - 1) / 2)]);
      }),
      { numRuns: NUM_RUNS },
    );
    host.console.info('consensus property: what the histories reached', {
      histories,
      ...Object.fromEntries(reached),
    });
    expect(histories).toBeGreaterThanOrEqual(NUM_RUNS);
    if (NUM_RUNS >= 1000) {
      for (const what of [
        'no_counts',
        'within_tolerance',
        'consensus',
        'exceeds_tolerance',
        'disagreement',
        'awaiting_recount',
        'approval_required',
        'phase_limit_reached',
        'split_additive',
        'supervisor_decided',
        'conflict',
        'correction',
        'replaced_by_later_phase',
        'override',
      ]) {
        expect(reached.get(what) ?? 0, what).toBeGreaterThan(0);
      }
    }
  }, 120_000);
});
