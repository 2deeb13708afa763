/**
 * The settle callback takes the consensus's trusted entry (docs/design.md §12 "When"): the lines
 * and decisions it settles are the store's own rows, validated when they were written, so it does
 * not parse them with zod again (a third of a settle's time in the worst case of `bench:sync`,
 * issue #16's budget). What the store gives must therefore already be the parsed shape: over
 * generated bins written to and read back from SQLite (corrections, recount phases, `set`
 * decisions naming a count or not, `recount` decisions with and without a reason), the
 * settlement `makeSettle` answers equals what the validating `settleBin` makes of the same rows.
 */
import {
  binCountSchema,
  binDecisionSchema,
  binHistorySchema,
  settleBin,
  symmetricThresholds,
  toleranceRuleSchema,
  type BinDecision,
} from '@stockverify/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeLine, makeSession, makeSnapshotRow } from '../../../test/support/counting-records';
import { createSqliteStore } from '../../adapters/store/sqlite';
import { mulberry32 } from '../../lib/mulberry32';
import type { BinSettleInput, BinSettleOutcome } from '../../ports/bins';
import type { CountLineRecord } from '../../ports/counting';
import { binCounts, makeSettle, type SettleDeps } from './settle';

const RULE = toleranceRuleSchema.parse({
  id: 'pm5',
  version: 1,
  scope: { kind: 'everything' },
  thresholds: symmetricThresholds({ units: 5 }),
  on_exceed: 'recount',
});
const T0 = Date.UTC(2026, 11, 6, 8, 0);
const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();

const deps = (): SettleDeps => {
  let tasks = 0;
  return {
    ruleFor: () => ({ rule: RULE, book: 100, unit_cost: 1 }),
    now: () => at(600),
    newTaskId: () => `task-${++tasks}`,
    chooseAssignee: () => null,
  };
};

/** What the validating entry makes of the same input. */
const validated = (input: BinSettleInput) =>
  settleBin(
    {
      book: 100,
      unit_cost: 1,
      split: input.split,
      counts: binCounts(input.lines),
      decisions: input.decisions,
    },
    RULE,
  );

afterEach(() => {
  vi.restoreAllMocks();
});

describe('makeSettle does not validate the store rows again', () => {
  it('a bin of 50 counts and two decisions: no binCountSchema, binDecisionSchema or binHistorySchema parse', () => {
    const lines: CountLineRecord[] = Array.from({ length: 50 }, (_, i) =>
      makeLine(`op-${i}`, {
        id: `line-${i}`,
        rack: 'A-01',
        item_code: 'ITM-A',
        counted_qty: 95 + (i % 11),
        serials: [],
        counted_by: `u-${i % 7}`,
        phase: i % 3,
        received_at: at(i),
        counted_at: at(i),
      }),
    );
    // As the SQLite store reads them back (toDecision): a recount's missing reason is null.
    const decisions: BinDecision[] = [
      {
        kind: 'recount',
        decision_id: 'd1',
        phase: 1,
        decided_by: 'u-sup',
        decided_at: at(5),
        reason: null,
      },
      {
        kind: 'set',
        decision_id: 'd2',
        quantity: 100,
        decided_by: 'u-sup',
        decided_at: at(30),
        reason: 'side by side',
        count_id: 'op-5',
      },
    ];
    const input: BinSettleInput = {
      session_id: 'S1',
      key: { rack: 'A-01', item_code: 'ITM-A' },
      lines,
      decisions,
      split: false,
      open_tasks: [],
      previous: null,
    };
    const spies = [binCountSchema, binDecisionSchema, binHistorySchema].map((s) =>
      vi.spyOn(s, 'safeParse'),
    );
    const out = makeSettle(deps())(input);
    expect(spies.map((s) => s.mock.calls.length)).toEqual([0, 0, 0]);
    expect(out.settlement).toMatchObject({ state: 'decided', quantity: 100 });
    // The spies do see the validating entry's parses, and it settles the bin the same.
    expect(validated(input)).toEqual(out.settlement);
    expect(spies.map((s) => s.mock.calls.length)).toEqual([50, 2, 1]);
  });
});

describe("the store's rows are the parsed shape: makeSettle's settlement equals settleBin's", () => {
  it('generated bins written to SQLite and settled through BinRepo.settle', async () => {
    const store = createSqliteStore({ file: ':memory:' });
    await store.init();
    try {
      const items = Array.from({ length: 40 }, (_, i) => `ITM-${i}`);
      await store.sessions.create(
        makeSession('S1', { racks: ['A-01'] }),
        items.map((code) => makeSnapshotRow('S1', code, { book_qty: 100 })),
      );
      const r = mulberry32(16);
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
      const counters = ['u-ana', 'u-ben', 'u-cara', 'u-dan'];
      let n = 0;
      for (const item of items) {
        const key = { rack: 'A-01', item_code: item };
        const lines: CountLineRecord[] = [];
        for (let k = 0, count = 1 + Math.floor(r() * 8); k < count; k++) {
          const counted = r() < 0.3 ? Math.round(r() * 150_000) / 1000 : 95 + Math.floor(r() * 11);
          const earlier = lines.filter((l) => l.superseded_by === null);
          const corrects = earlier.length > 0 && r() < 0.2 ? pick(earlier) : null;
          const line = makeLine(`op-${++n}`, {
            id: `line-${n}`,
            ...key,
            counted_qty: counted,
            non_returnable_damaged_qty: r() < 0.2 ? Math.round(r() * counted * 300) / 1000 : 0,
            serials: [],
            photo_ids: [],
            counted_by: corrects ? corrects.counted_by : pick(counters),
            phase: corrects ? corrects.phase : Math.floor(r() * 3),
            supersedes: corrects ? corrects.op_id : null,
            status: r() < 0.1 ? 'NEEDS_REVIEW' : 'PENDING',
            received_at: at(n),
            counted_at: at(n),
          });
          if (corrects) corrects.superseded_by = line.op_id;
          lines.push(line);
          await store.lines.insertMany([line]);
        }
        const decide = r();
        if (decide < 0.25) {
          await store.bins!.addDecision('S1', key, {
            kind: 'recount',
            decision_id: `d-${n}-r`,
            phase: 1 + Math.floor(r() * 2),
            decided_by: 'u-sup',
            decided_at: at(n + 1),
            reason: r() < 0.5 ? null : 'look again',
          });
        } else if (decide < 0.5) {
          const named = r() < 0.5 ? pick(lines) : null;
          await store.bins!.addDecision('S1', key, {
            kind: 'set',
            decision_id: `d-${n}-s`,
            quantity: named ? named.counted_qty : 100,
            decided_by: 'u-sup',
            decided_at: at(n + 1),
            reason: 'checked on the shelf',
            ...(named ? { count_id: named.op_id } : {}),
          });
        }
      }
      const seen: { input: BinSettleInput; out: BinSettleOutcome }[] = [];
      const settle = makeSettle(deps());
      await store.bins!.settle(
        'S1',
        items.map((item_code) => ({ rack: 'A-01', item_code })),
        (input) => {
          const out = settle(input);
          seen.push({ input, out });
          return out;
        },
      );
      expect(seen).toHaveLength(items.length);
      const reasons = new Set<string>();
      for (const { input, out } of seen) {
        expect(out.settlement).toEqual(validated(input));
        reasons.add(out.settlement.reason);
      }
      // The generated bins reach decisions, recounts, consensus and disagreement.
      expect([...reasons].sort()).toEqual(
        expect.arrayContaining(['awaiting_recount', 'consensus', 'supervisor_decided']),
      );
      expect(seen.some(({ input }) => input.lines.some((l) => l.supersedes !== null))).toBe(true);
    } finally {
      await store.close();
    }
  });
});
