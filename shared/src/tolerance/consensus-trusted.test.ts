/**
 * The trusted entry of the consensus (docs/design.md §12 "When"): `settleBinTrusted` settles
 * counts and decisions already of the parsed shape (the server's own rows) without validating
 * them again, and must settle every valid history exactly as `settleBin` does — shuffled and
 * duplicated deliveries included — while still refusing one id given twice with different
 * content. `parseBinHistory` is the validation half: what it returns is the trusted shape.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  binCountSchema,
  binDecisionSchema,
  binHistorySchema,
  parseBinHistory,
  settleBin,
  settleBinTrusted,
  type BinCount,
  type BinDecision,
  type BinHistory,
} from './consensus';
import {
  NUM_RUNS,
  at,
  delivered,
  eventsOf,
  historyArb,
  historyOf,
} from './consensus-histories.test-support';
import { ToleranceInputError } from './evaluate';
import { symmetricThresholds, toleranceRuleSchema } from './rules';

const RULE = toleranceRuleSchema.parse({
  id: 'pm5',
  version: 2,
  scope: { kind: 'everything' },
  thresholds: symmetricThresholds({ units: 5 }),
  on_exceed: 'recount',
});

/** `fn()`'s ToleranceInputError as { code, path }, or null when it did not throw one. */
function errorOf(fn: () => unknown): { code: string; path: string } | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (!(e instanceof ToleranceInputError)) throw e;
    return { code: e.code, path: e.path };
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('settleBinTrusted settles every valid history as settleBin does', () => {
  it(`${NUM_RUNS} random histories, in order and shuffled with duplicates`, () => {
    let histories = 0;
    fc.assert(
      fc.property(historyArb, (h) => {
        histories++;
        const inOrder = historyOf(h, eventsOf(h));
        const expected = settleBin(inOrder, h.rule, h.phaseLimit);
        expect(settleBinTrusted(inOrder, h.rule, h.phaseLimit)).toEqual(expected);
        const shuffled: BinHistory = {
          ...inOrder,
          counts: delivered(inOrder.counts, h.keys, h.dupes),
          decisions: delivered(inOrder.decisions ?? [], [...h.keys].reverse(), h.dupes),
        };
        expect(settleBinTrusted(shuffled, h.rule, h.phaseLimit)).toEqual(expected);
      }),
      { numRuns: NUM_RUNS },
    );
    expect(histories).toBeGreaterThanOrEqual(NUM_RUNS);
  }, 120_000);

  it(`${NUM_RUNS} histories as a phone might write them: what parseBinHistory returns settles the same`, () => {
    // Padded ids and reasons, instants with an offset, `supersedes`/`count_id` left out or null:
    // everything the parse normalises. Its output is the trusted shape.
    const pad = (s: string, n: number) => `${' '.repeat(n % 2)}${s}${' '.repeat(n % 3)}`;
    const offset = (iso: string) =>
      new Date(Date.parse(iso) + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
    fc.assert(
      fc.property(historyArb, fc.nat(), (h, n) => {
        const history = historyOf(h, eventsOf(h));
        const raw: BinHistory = {
          ...history,
          counts: history.counts.map((c, i): BinCount => ({
            ...c,
            count_id: pad(c.count_id, n + i),
            counter_id: pad(c.counter_id, n + 2 * i),
            received_at: (n + i) % 2 ? offset(c.received_at) : c.received_at,
            ...(c.supersedes ? { supersedes: pad(c.supersedes, n) } : {}),
          })),
          decisions: (history.decisions ?? []).map((d, i): BinDecision =>
            d.kind === 'set'
              ? {
                  ...d,
                  decision_id: pad(d.decision_id, n + i),
                  decided_by: pad(d.decided_by, n + i + 2),
                  reason: pad(d.reason, n + i + 1),
                  decided_at: (n + i) % 2 ? offset(d.decided_at) : d.decided_at,
                  ...((n + i) % 3 === 0 ? { count_id: null } : {}),
                }
              : { ...d, decided_by: pad(d.decided_by, n + i) },
          ),
        };
        const expected = settleBin(raw, h.rule, h.phaseLimit);
        expect(settleBinTrusted(parseBinHistory(raw), h.rule, h.phaseLimit)).toEqual(expected);
      }),
      { numRuns: NUM_RUNS },
    );
  }, 120_000);
});

describe('settleBinTrusted does not validate with zod', () => {
  const counts: BinCount[] = Array.from({ length: 50 }, (_, i) => ({
    count_id: `c${i}`,
    counter_id: `u-${i % 7}`,
    phase: i % 3,
    quantity: 95 + (i % 11),
    received_at: at(i),
    supersedes: null,
  }));
  const decisions: BinDecision[] = [
    { kind: 'recount', decision_id: 'd1', phase: 1, decided_by: 'u-sup', decided_at: at(5) },
    {
      kind: 'set',
      decision_id: 'd2',
      quantity: 100,
      decided_by: 'u-sup',
      decided_at: at(30),
      reason: 'side by side',
      count_id: 'c3',
    },
  ];
  const history: BinHistory = { book: 100, unit_cost: 1, counts, decisions };

  it('a bin of 50 counts and two decisions: no schema parse at all', () => {
    const spies = [binCountSchema, binDecisionSchema, binHistorySchema].map((s) =>
      vi.spyOn(s, 'safeParse'),
    );
    const trusted = settleBinTrusted(history, RULE);
    expect(spies.map((s) => s.mock.calls.length)).toEqual([0, 0, 0]);
    // The spies see the public entry's parses (so the zero above is not a spy that sees nothing).
    expect(settleBin(history, RULE)).toEqual(trusted);
    expect(spies.map((s) => s.mock.calls.length)).toEqual([50, 2, 1]);
    expect(trusted).toMatchObject({ state: 'decided', quantity: 100 });
  });
});

describe('settleBinTrusted still de-duplicates by id', () => {
  const count: BinCount = {
    count_id: 'c1',
    counter_id: 'u-ann',
    phase: 0,
    quantity: 100,
    received_at: at(1),
    supersedes: null,
  };
  const set: BinDecision = {
    kind: 'set',
    decision_id: 'd1',
    quantity: 99,
    decided_by: 'u-sup',
    decided_at: at(9),
    reason: 'checked',
  };

  it('the same count or decision twice is one', () => {
    const once = settleBinTrusted({ book: 100, unit_cost: 1, counts: [count] }, RULE);
    const twice = settleBinTrusted(
      { book: 100, unit_cost: 1, counts: [count, { ...count }] },
      RULE,
    );
    expect(twice).toEqual(once);
    expect(once.voices).toHaveLength(1);
    const decided = settleBinTrusted(
      { book: 100, unit_cost: 1, counts: [count], decisions: [set, { ...set }] },
      RULE,
    );
    expect(decided.decision).toMatchObject({ decision_id: 'd1', overrides: [] });
  });

  it('one id given twice with different content is refused, as settleBin refuses it', () => {
    const counts = [count, { ...count, counter_id: 'u-bob' }];
    const decisions = [set, { ...set, quantity: 98 }];
    for (const settle of [settleBin, settleBinTrusted]) {
      expect(errorOf(() => settle({ book: 100, unit_cost: 1, counts }, RULE))).toEqual({
        code: 'TOLERANCE_ID_REUSED',
        path: 'counts.1',
      });
      expect(
        errorOf(() => settle({ book: 100, unit_cost: 1, counts: [count], decisions }, RULE)),
      ).toEqual({ code: 'TOLERANCE_ID_REUSED', path: 'decisions.1' });
    }
  });

  it('a phase limit that is not a whole number ≥ 0 is refused', () => {
    expect(
      errorOf(() => settleBinTrusted({ book: 100, unit_cost: 1, counts: [] }, RULE, -1)),
    ).toEqual({ code: 'TOLERANCE_BAD_INPUT', path: 'phaseLimit' });
  });
});

describe('parseBinHistory', () => {
  it('bad input: the code and the field path, as settleBin reports them', () => {
    const bad = {
      book: 100,
      unit_cost: 1,
      counts: [{ count_id: 'c1', counter_id: 'u', phase: 0, quantity: -1, received_at: at(1) }],
    };
    const expected = { code: 'TOLERANCE_BAD_INPUT', path: 'counts.0.quantity' };
    expect(errorOf(() => parseBinHistory(bad))).toEqual(expected);
    expect(errorOf(() => settleBin(bad, RULE))).toEqual(expected);
    expect(errorOf(() => parseBinHistory({ ...bad, book: Number.NaN }))).toEqual({
      code: 'TOLERANCE_BAD_INPUT',
      path: 'book',
    });
  });
});
