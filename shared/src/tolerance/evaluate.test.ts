import { describe, expect, it } from 'vitest';
import { roundMoney, varianceValue } from '../quantity';
import { ToleranceInputError, agreementAllowanceMilli, evaluate, toMilli } from './evaluate';
import {
  DEFAULT_TOLERANCE_RULE,
  makeRuleSet,
  ruleSetHash,
  symmetricThresholds,
  toleranceRuleSchema,
  toleranceRuleSetSchema,
  type ToleranceRule,
  type ToleranceRuleInput,
} from './rules';

function rule(input: Partial<ToleranceRuleInput>): ToleranceRule {
  return toleranceRuleSchema.parse({
    id: 'r1',
    version: 1,
    scope: { kind: 'everything' },
    thresholds: symmetricThresholds({}),
    on_exceed: 'recount',
    ...input,
  });
}

// design §12, "Worked examples — one count against the book".
const asymmetric = rule({
  thresholds: { shortage: { units: 5, percent: 10 }, overage: { units: 10, value: 50 } },
});
const at = (counted: number, book = 40, unitCost = 2.35) =>
  evaluate(asymmetric, { book, counted, unitCost });

describe('evaluate: asymmetric limits (design §12 worked examples, book 40, cost 2.35)', () => {
  it('36: −4 is within 5 units and within 10 % of 40 (= 4, inclusive) → accept', () => {
    const e = at(36);
    expect(e).toMatchObject({ within: true, exceededBy: [], action: 'accept' });
    expect(e).toMatchObject({ direction: 'shortage', variance: -4, varianceValue: -9.4 });
    expect(e.thresholds).toEqual({ units: 5, percent: 10 });
    expect(e.allowance).toEqual({ units: 5, percent: 4, value: null });
  });
  it('35: −5 is within 5 units but 12.5 % of book → recount, by percent', () => {
    expect(at(35)).toMatchObject({ within: false, exceededBy: ['percent'], action: 'recount' });
  });
  it('50: +10 is within the overage limits (10 units, 23.50 ≤ 50.00) → accept', () => {
    expect(at(50)).toMatchObject({ within: true, direction: 'overage', varianceValue: 23.5 });
  });
  it('61: +21 exceeds 10 units, its value 49.35 is within → units only', () => {
    expect(at(61).exceededBy).toEqual(['units']);
  });
  it('62: +22 exceeds units and value (51.70 > 50.00)', () => {
    expect(at(62)).toMatchObject({ exceededBy: ['units', 'value'], varianceValue: 51.7 });
  });
  it('34: a shortage of 6 is judged by the shortage side only (5 units, 10 %), not by 10 units', () => {
    expect(at(34).exceededBy).toEqual(['units', 'percent']);
    expect(at(34).thresholds).toEqual({ units: 5, percent: 10 });
  });
  it('counted = book is within whatever the limits, with no side applied', () => {
    const strict = rule({ thresholds: symmetricThresholds({ units: 0, percent: 0, value: 0 }) });
    const e = evaluate(strict, { book: 7, counted: 7, unitCost: 3 });
    expect(e).toMatchObject({ within: true, direction: 'none', variance: 0, thresholds: {} });
  });
  it('a limit of 0 accepts nothing but an exact count', () => {
    const strict = rule({ thresholds: symmetricThresholds({ units: 0 }) });
    expect(evaluate(strict, { book: 7, counted: 7.001, unitCost: 0 }).exceededBy).toEqual([
      'units',
    ]);
  });
  it('a limit stored as null (as a document store may keep an absent field) is no limit, not 0', () => {
    const fromStore = rule({});
    (fromStore.thresholds.overage as Record<string, unknown>).units = null;
    (fromStore.thresholds.overage as Record<string, unknown>).value = null;
    expect(evaluate(fromStore, { book: 1, counted: 50, unitCost: 2 }).within).toBe(true);
  });
  it('no limits at all accepts anything', () => {
    expect(evaluate(rule({}), { book: 1, counted: 1e6, unitCost: 99 }).within).toBe(true);
  });
});

describe('evaluate: percent of a book of 0 (design §12)', () => {
  const pct = rule({ thresholds: symmetricThresholds({ percent: 50 }) });
  it('any stock found against a book of 0 exceeds a percent limit', () => {
    expect(evaluate(pct, { book: 0, counted: 1, unitCost: 1 }).exceededBy).toEqual(['percent']);
    expect(evaluate(pct, { book: 0, counted: 0.001, unitCost: 1 }).within).toBe(false);
  });
  it('nothing found against a book of 0 is within', () => {
    expect(evaluate(pct, { book: 0, counted: 0, unitCost: 1 }).within).toBe(true);
  });
  it('a negative book is measured by its size: −10 with 50 % allows 5 either way', () => {
    expect(evaluate(pct, { book: -10, counted: -5, unitCost: 0 }).within).toBe(true);
    expect(evaluate(pct, { book: -10, counted: -4.999, unitCost: 0 }).within).toBe(false);
  });
});

describe('evaluate: integer arithmetic (thousandths, hundredths of a percent, cents)', () => {
  it('the value axis compares the value rounded to the cent: +4.257 × 2.35 = 10.00, +4.258 = 10.01', () => {
    const v = rule({ thresholds: symmetricThresholds({ value: 10 }) });
    const within = evaluate(v, { book: 10, counted: 14.257, unitCost: 2.35 });
    expect(within).toMatchObject({ within: true, varianceValue: 10 });
    expect(within.allowance.value).toBe(4.257);
    const over = evaluate(v, { book: 10, counted: 14.258, unitCost: 2.35 });
    expect(over).toMatchObject({ within: false, exceededBy: ['value'], varianceValue: 10.01 });
    // The same figure the console shows for the variance value.
    expect(varianceValue(4.258, { cost: 2.35, price: 0 }).at_cost).toBe(10.01);
  });
  it('sub-cent unit costs keep their value: 287 screws at 0.0035 = 1.00, 288 = 1.01', () => {
    const v = rule({ thresholds: symmetricThresholds({ value: 1 }) });
    expect(evaluate(v, { book: 0, counted: 287, unitCost: 0.0035 }).within).toBe(true);
    expect(evaluate(v, { book: 0, counted: 288, unitCost: 0.0035 })).toMatchObject({
      within: false,
      varianceValue: 1.01,
    });
  });
  it('float noise never decides: 0.1 + 0.2 counted against 0.3 is exact', () => {
    const strict = rule({ thresholds: symmetricThresholds({ units: 0 }) });
    expect(evaluate(strict, { book: 0.3, counted: 0.1 + 0.2, unitCost: 1 }).within).toBe(true);
  });
  it('percent limits with hundredths: 2.5 % of 200 allows 5, not 5.001', () => {
    const p = rule({ thresholds: symmetricThresholds({ percent: 2.5 }) });
    expect(evaluate(p, { book: 200, counted: 205, unitCost: 0 }).within).toBe(true);
    expect(evaluate(p, { book: 200, counted: 205.001, unitCost: 0 }).within).toBe(false);
  });
  it('large figures stay exact (a billion units at a million each)', () => {
    const v = rule({ thresholds: symmetricThresholds({ value: 1e12, percent: 100_000 }) });
    const e = evaluate(v, { book: 1e9, counted: 0, unitCost: 1000 });
    expect(e).toMatchObject({ within: true, varianceValue: -1e12 });
    expect(evaluate(v, { book: 1e9, counted: 0, unitCost: 1000.01 }).exceededBy).toEqual(['value']);
  });
  it('a cost of 0 puts no value on any difference', () => {
    const v = rule({ thresholds: symmetricThresholds({ value: 0 }) });
    expect(evaluate(v, { book: 0, counted: 5000, unitCost: 0 }).within).toBe(true);
  });
  it('the rounding matches roundMoney on the examples of design §4', () => {
    for (const [variance, cost] of [
      [-3, 2.35],
      [1.5, 1.005],
      [7, 0.1],
    ] as const) {
      const e = evaluate(rule({}), { book: 0, counted: Math.abs(variance), unitCost: cost });
      expect(e.varianceValue).toBe(roundMoney(Math.abs(variance) * cost));
    }
  });
  it('refuses a non-finite or negative input, naming it', () => {
    expect(() => evaluate(rule({}), { book: Number.NaN, counted: 1, unitCost: 1 })).toThrow(
      ToleranceInputError,
    );
    expect(() => evaluate(rule({}), { book: 1, counted: 1, unitCost: -1 })).toThrow(/unitCost/);
  });
});

describe('agreement allowance between two counts', () => {
  it('takes the tighter side on every axis: 5 units (shortage) and 10 % of 40 → 4', () => {
    expect(agreementAllowanceMilli(asymmetric, toMilli(40), 2_350_000)).toBe(4000);
  });
  it('is unlimited when the rule sets no limit', () => {
    expect(agreementAllowanceMilli(rule({}), 0, 0)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('rule schema', () => {
  it('defaults the recount phases to 2 and upper-cases an ABC class', () => {
    const r = rule({ scope: { kind: 'abc_class', abc_class: ' b ' } });
    expect(r.recount_phases).toBe(2);
    expect(r.scope).toEqual({ kind: 'abc_class', abc_class: 'B' });
  });
  it('refuses bad input with the field at fault', () => {
    const bad = (input: Partial<ToleranceRuleInput>) =>
      toleranceRuleSchema.safeParse({ ...asymmetric, ...input }).error?.issues[0]?.path.join('.');
    expect(bad({ thresholds: { shortage: { units: -1 }, overage: {} } })).toBe(
      'thresholds.shortage.units',
    );
    expect(bad({ thresholds: { shortage: { percent: 1.005 }, overage: {} } })).toBe(
      'thresholds.shortage.percent',
    );
    expect(bad({ thresholds: { shortage: {}, overage: { value: 0.001 } } })).toBe(
      'thresholds.overage.value',
    );
    expect(bad({ thresholds: { shortage: { unit: 5 }, overage: {} } as never })).toBe(
      'thresholds.shortage',
    );
    expect(bad({ scope: { kind: 'value_band', min_cost: 10, max_cost: 10 } })).toBe(
      'scope.max_cost',
    );
    expect(bad({ scope: { kind: 'abc_class', abc_class: 'AB' } })).toBe('scope.abc_class');
    expect(bad({ on_exceed: 'auto_accept' as never })).toBe('on_exceed');
    expect(bad({ recount_phases: 6 })).toBe('recount_phases');
    expect(bad({ id: 'has space' })).toBe('id');
  });
  it('the built-in default is a valid rule', () => {
    expect(toleranceRuleSchema.parse(DEFAULT_TOLERANCE_RULE)).toEqual(DEFAULT_TOLERANCE_RULE);
  });
});

describe('rule-set snapshot', () => {
  const a = rule({ id: 'a' });
  const b = rule({ id: 'b', on_exceed: 'approve' });
  it('hashes content, not order', () => {
    expect(ruleSetHash([a, b])).toBe(ruleSetHash([b, a]));
    expect(ruleSetHash([a, b])).toMatch(/^[0-9a-f]{16}$/);
    expect(ruleSetHash([a, { ...b, version: 2 }])).not.toBe(ruleSetHash([a, b]));
    expect(ruleSetHash([a, { ...b, on_exceed: 'recount' }])).not.toBe(ruleSetHash([a, b]));
  });
  it('makeRuleSet builds a snapshot that parses; a changed rule no longer matches its hash', () => {
    const set = makeRuleSet([a, b], 3, '2026-12-06T08:00:00Z');
    expect(set).toMatchObject({ version: 3, taken_at: '2026-12-06T08:00:00.000Z' });
    expect(toleranceRuleSetSchema.parse(set)).toEqual(set);
    const tampered = { ...set, rules: [a, { ...b, on_exceed: 'recount' }] };
    expect(toleranceRuleSetSchema.safeParse(tampered).error?.issues[0]?.path).toEqual(['hash']);
  });
  it('refuses a rule id used twice', () => {
    const r = toleranceRuleSetSchema.safeParse({
      version: 1,
      hash: ruleSetHash([a, a]),
      taken_at: '2026-12-06T08:00:00Z',
      rules: [a, a],
    });
    expect(r.error?.issues[0]?.path).toEqual(['rules', 1, 'id']);
  });
});
