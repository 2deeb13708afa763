import { DEFAULT_TOLERANCE_RULE, toleranceRuleSchema } from '@stockverify/shared';
import type { ToleranceRule } from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import {
  changeWords,
  createBodyFromForm,
  draftRuleFromForm,
  emptyRuleForm,
  fieldErrorsFromDetails,
  formFromRule,
  limitsWords,
  nextDraftId,
  phasesWords,
  previewSentence,
  ruleContentFromForm,
  ruleLabel,
  scopeWords,
  updateBodyFromForm,
} from './rule-form';
import type { RuleForm } from './rule-form';

const rule = (over: Partial<ToleranceRule>): ToleranceRule =>
  toleranceRuleSchema.parse({
    id: 'r-1',
    version: 3,
    scope: { kind: 'everything' },
    thresholds: { shortage: {}, overage: {} },
    on_exceed: 'recount',
    ...over,
  });

function form(over: Partial<RuleForm> = {}): RuleForm {
  return { ...emptyRuleForm(), ...over };
}

describe('rules in words', () => {
  it('names every scope kind as a supervisor reads it', () => {
    expect(scopeWords({ kind: 'item', item_code: 'ITM-1' })).toBe('Item ITM-1');
    expect(scopeWords({ kind: 'category', category: 'Tools' })).toBe('Category Tools');
    expect(scopeWords({ kind: 'value_band', min_cost: 10, max_cost: 50 })).toBe(
      'Unit cost 10.00–50.00',
    );
    expect(scopeWords({ kind: 'value_band', min_cost: 0.0035, max_cost: null })).toBe(
      'Unit cost 0.0035 and above',
    );
    expect(scopeWords({ kind: 'abc_class', abc_class: 'A' })).toBe('ABC class A');
    expect(scopeWords({ kind: 'warehouse', warehouse: 'WH-MAIN' })).toBe('Warehouse WH-MAIN');
    expect(scopeWords({ kind: 'everything' })).toBe('Everything');
  });

  it('writes each side of the limits, and no limit when a side has none', () => {
    expect(limitsWords({ units: 5, percent: 12.5, value: 1000 })).toBe(
      '≤ 5 units · ≤ 12.5 % · ≤ 1,000.00',
    );
    expect(limitsWords({ units: 1 })).toBe('≤ 1 unit');
    expect(limitsWords({ value: 0 })).toBe('≤ 0.00');
    expect(limitsWords({})).toBe('No limit');
  });

  it('counts recount phases and names the default and changes', () => {
    expect(phasesWords(0)).toBe('No recount phase');
    expect(phasesWords(1)).toBe('1 recount phase');
    expect(phasesWords(2)).toBe('2 recount phases');
    expect(ruleLabel(DEFAULT_TOLERANCE_RULE)).toBe('Built-in default');
    expect(
      ruleLabel(rule({ name: 'Scales', scope: { kind: 'category', category: 'Scales' } })),
    ).toBe('Scales (Category Scales)');
    expect(changeWords({ change: 'update', rule_id: 'r-1', rule_version: 4 })).toBe(
      'Edited rule r-1 (now version 4)',
    );
    expect(changeWords({ change: 'create', rule_id: 'r-2', rule_version: 2 })).toBe(
      'Added rule r-2',
    );
    expect(changeWords({ change: 'delete', rule_id: 'r-2', rule_version: 2 })).toBe(
      'Deleted rule r-2 (version 2)',
    );
    expect(changeWords({ change: 'init', rule_id: null, rule_version: null })).toMatch(
      /^Empty table/,
    );
  });

  it('says what a preview would have done, in one sentence', () => {
    expect(previewSentence('Yesterday', { lines: 6, accept: 4, recount: 1, approve: 1 })).toBe(
      'With these rules, session Yesterday would have auto-accepted 4 lines, sent 1 line to recount, 1 line to you (of 6 lines counted).',
    );
  });
});

describe('form ↔ rule', () => {
  const rules: ToleranceRule[] = [
    rule({
      name: 'Tools',
      scope: { kind: 'category', category: 'Tools' },
      thresholds: { shortage: { units: 5, percent: 10 }, overage: { value: 50 } },
      on_exceed: 'approve',
      recount_phases: 0,
    }),
    rule({ scope: { kind: 'item', item_code: 'ITM-1' } }),
    rule({ scope: { kind: 'value_band', min_cost: 10, max_cost: null } }),
    rule({ scope: { kind: 'value_band', min_cost: 0.5, max_cost: 99.999999 } }),
    rule({ scope: { kind: 'abc_class', abc_class: 'B' } }),
    rule({ scope: { kind: 'warehouse', warehouse: 'WH-MAIN' }, recount_phases: 5 }),
    rule({
      scope: { kind: 'everything' },
      thresholds: { shortage: { units: 0.125 }, overage: {} },
    }),
  ];

  it.each(rules.map((r) => [scopeWords(r.scope), r] as const))(
    'a rule shown in the form and read back is the same rule (%s)',
    (_, r) => {
      const back = draftRuleFromForm(formFromRule(r), r.id, r.version);
      expect(back).toEqual({ ok: true, rule: r });
    },
  );

  it('keeps the limits asymmetric and leaves empty axes out (no limit)', () => {
    const f = form();
    f.limits.shortage.units = '5';
    f.limits.overage.percent = '2.5';
    f.limits.overage.value = '1,000';
    const result = ruleContentFromForm(f);
    expect(result.ok && result.content.thresholds).toEqual({
      shortage: { units: 5 },
      overage: { percent: 2.5, value: 1000 },
    });
  });

  it('sends the id only when typed, and the edited version on an edit', () => {
    expect(createBodyFromForm(form())).toEqual({
      ok: true,
      body: {
        scope: { kind: 'everything' },
        thresholds: { shortage: {}, overage: {} },
        on_exceed: 'recount',
        recount_phases: 2,
      },
    });
    const withId = createBodyFromForm(form({ id: ' tools-1 ', name: ' Tools ' }));
    expect(withId.ok && withId.body.id).toBe('tools-1');
    expect(withId.ok && withId.body.name).toBe('Tools');
    const edit = updateBodyFromForm(formFromRule(rules[0]!), 7);
    expect(edit.ok && edit.body.version).toBe(7);
    expect(edit.ok && edit.body.on_exceed).toBe('approve');
  });
});

describe('validation, on the fields', () => {
  const errorsOf = (f: RuleForm) => {
    const result = createBodyFromForm(f);
    return result.ok ? {} : result.errors;
  };

  it('asks for what the scope kind needs', () => {
    expect(errorsOf(form({ scopeKind: 'item' }))).toEqual({ 'scope.item_code': 'required' });
    expect(errorsOf(form({ scopeKind: 'category', category: '  ' }))).toEqual({
      'scope.category': 'required',
    });
    expect(errorsOf(form({ scopeKind: 'warehouse' }))).toEqual({ 'scope.warehouse': 'required' });
    expect(errorsOf(form({ scopeKind: 'value_band' }))).toEqual({ 'scope.min_cost': 'required' });
    expect(errorsOf(form({ scopeKind: 'abc_class', abcClass: 'AB' }))).toEqual({
      'scope.abc_class': 'one letter A–Z',
    });
    expect(errorsOf(form({ scopeKind: 'abc_class', abcClass: 'b' }))).toEqual({});
  });

  it('refuses a band whose top is not above its bottom, and text in a number', () => {
    expect(errorsOf(form({ scopeKind: 'value_band', minCost: '50', maxCost: '10' }))).toEqual({
      'scope.max_cost': 'max_cost must be above min_cost (the band is [min_cost, max_cost))',
    });
    const f = form();
    f.limits.overage.units = 'ten';
    expect(errorsOf(f)).toEqual({ 'thresholds.overage.units': 'must be a number' });
  });

  it('holds limits to the schema: not negative, decimals, bounds', () => {
    const f = form();
    f.limits.shortage.units = '-1';
    f.limits.shortage.percent = '1.234';
    f.limits.overage.value = '0.001';
    expect(errorsOf(f)).toEqual({
      'thresholds.shortage.units': 'must not be negative',
      'thresholds.shortage.percent': 'at most 2 decimals',
      'thresholds.overage.value': 'at most 2 decimals',
    });
    const big = form();
    big.limits.overage.percent = '100001';
    expect(errorsOf(big)).toEqual({ 'thresholds.overage.percent': 'must be at most 100000' });
  });

  it('holds recount phases to 0–5 whole, and the id and name to their rules', () => {
    expect(Object.keys(errorsOf(form({ recountPhases: '6' })))).toEqual(['recount_phases']);
    expect(errorsOf(form({ recountPhases: '1.5' }))).toEqual({ recount_phases: 'a whole number' });
    expect(errorsOf(form({ recountPhases: '' }))).toEqual({ recount_phases: 'required' });
    expect(errorsOf(form({ id: 'has space' }))).toEqual({
      id: 'letters, digits and . _ : - only',
    });
    expect(errorsOf(form({ name: 'x'.repeat(121) }))).toEqual({ name: 'at most 120 characters' });
  });

  it("puts the server's 400 details beside their fields and keeps the rest", () => {
    expect(
      fieldErrorsFromDetails([
        { path: 'thresholds.overage.units', message: 'must be at most 1000000' },
        { path: 'scope.item_code', message: 'required' },
        { path: 'body.recount_phases', message: 'too big' },
        { path: 'version', message: 'is 2; the rule is at version 3' },
      ]),
    ).toEqual({
      fields: {
        'thresholds.overage.units': 'must be at most 1000000',
        'scope.item_code': 'required',
        recount_phases: 'too big',
      },
      other: ['version: is 2; the rule is at version 3'],
    });
  });

  it('names draft rules of a preview without clashing', () => {
    expect(nextDraftId([])).toBe('draft-1');
    expect(nextDraftId([{ id: 'draft-1' }, { id: 'r-9' }])).toBe('draft-2');
  });
});
