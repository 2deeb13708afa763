/**
 * The pure side of the tolerance rules screen (issue #16 items 1 and 4, docs/design.md §12): rules in
 * words, the form a rule is edited in and back, and the form's field errors — the client's own
 * (the shared schemas, before sending) and the server's 400 details, on the same field keys.
 */
import {
  DEFAULT_RECOUNT_PHASES,
  DEFAULT_TOLERANCE_RULE,
  TOLERANCE_AXES,
  createToleranceRuleSchema,
  updateToleranceRuleSchema,
} from '@stockverify/shared';
import type {
  CreateToleranceRuleInput,
  ToleranceAction,
  ToleranceAxis,
  ToleranceLimits,
  ToleranceRule,
  ToleranceScope,
  ToleranceScopeKind,
  ToleranceVersion,
} from '@stockverify/shared';

export const SIDES = ['shortage', 'overage'] as const;
export type Side = (typeof SIDES)[number];

/** Scope kinds in the order of design §12 (most specific first), with their label in the form. */
export const SCOPE_KINDS: ReadonlyArray<readonly [ToleranceScopeKind, string]> = [
  ['item', 'One item'],
  ['category', 'A category'],
  ['value_band', 'A unit-cost band'],
  ['abc_class', 'An ABC class'],
  ['warehouse', 'A warehouse'],
  ['everything', 'Everything'],
];

export const ACTION_WORDS: Record<ToleranceAction, string> = {
  recount: 'Blind recount by another counter',
  approve: 'Supervisor approval',
};

export const AXIS_LABELS: Record<ToleranceAxis, string> = {
  units: 'Units',
  percent: '% of book',
  value: 'Value at cost',
};

const costFormat = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 6,
});
const moneyFormat = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

/** "Item ITM-1", "Category Tools", "Unit cost 10.00–50.00", "ABC class A", "Warehouse WH-MAIN". */
export function scopeWords(scope: ToleranceScope): string {
  switch (scope.kind) {
    case 'item':
      return `Item ${scope.item_code}`;
    case 'category':
      return `Category ${scope.category}`;
    case 'value_band':
      return scope.max_cost === null
        ? `Unit cost ${costFormat.format(scope.min_cost)} and above`
        : `Unit cost ${costFormat.format(scope.min_cost)}–${costFormat.format(scope.max_cost)}`;
    case 'abc_class':
      return `ABC class ${scope.abc_class}`;
    case 'warehouse':
      return `Warehouse ${scope.warehouse}`;
    case 'everything':
      return 'Everything';
  }
}

/** One side's limits: "≤ 5 units · ≤ 10 % · ≤ 50.00", or "No limit" when the side has none. */
export function limitsWords(limits: ToleranceLimits): string {
  const parts: string[] = [];
  if (limits.units !== undefined) {
    parts.push(`≤ ${numberFormat.format(limits.units)} ${limits.units === 1 ? 'unit' : 'units'}`);
  }
  if (limits.percent !== undefined) parts.push(`≤ ${numberFormat.format(limits.percent)} %`);
  if (limits.value !== undefined) parts.push(`≤ ${moneyFormat.format(limits.value)}`);
  return parts.length === 0 ? 'No limit' : parts.join(' · ');
}

/** "No recount: straight to a supervisor", "1 recount phase", "2 recount phases". */
export function phasesWords(phases: number): string {
  if (phases === 0) return 'No recount phase';
  return `${phases} recount ${phases === 1 ? 'phase' : 'phases'}`;
}

/** A rule's name for a person: its name, else its scope in words. */
export function ruleLabel(rule: Pick<ToleranceRule, 'id' | 'name' | 'scope'>): string {
  if (rule.id === DEFAULT_TOLERANCE_RULE.id) return 'Built-in default';
  return rule.name ? `${rule.name} (${scopeWords(rule.scope)})` : scopeWords(rule.scope);
}

/** What made a version of the table, in words. */
export function changeWords(change: Pick<ToleranceVersion, 'change' | 'rule_id' | 'rule_version'>) {
  const rule = `rule ${change.rule_id ?? '?'}`;
  switch (change.change) {
    case 'init':
      return 'Empty table (the built-in default applies to everything)';
    case 'create':
      return `Added ${rule}`;
    case 'update':
      return `Edited ${rule} (now version ${change.rule_version ?? '?'})`;
    case 'delete':
      return `Deleted ${rule} (version ${change.rule_version ?? '?'})`;
  }
}

/** The rule form: every field as typed (text), keyed as the API's field paths are. */
export interface RuleForm {
  id: string;
  name: string;
  scopeKind: ToleranceScopeKind;
  itemCode: string;
  category: string;
  minCost: string;
  maxCost: string;
  abcClass: string;
  warehouse: string;
  limits: Record<Side, Record<ToleranceAxis, string>>;
  onExceed: ToleranceAction;
  recountPhases: string;
}

const noLimits = (): Record<ToleranceAxis, string> => ({ units: '', percent: '', value: '' });

export function emptyRuleForm(): RuleForm {
  return {
    id: '',
    name: '',
    scopeKind: 'everything',
    itemCode: '',
    category: '',
    minCost: '',
    maxCost: '',
    abcClass: '',
    warehouse: '',
    limits: { shortage: noLimits(), overage: noLimits() },
    onExceed: 'recount',
    recountPhases: String(DEFAULT_RECOUNT_PHASES),
  };
}

const text = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));

/** The form showing `rule` (for an edit, or a copy). */
export function formFromRule(rule: ToleranceRule): RuleForm {
  const form = emptyRuleForm();
  form.id = rule.id;
  form.name = rule.name ?? '';
  form.scopeKind = rule.scope.kind;
  const scope = rule.scope;
  if (scope.kind === 'item') form.itemCode = scope.item_code;
  if (scope.kind === 'category') form.category = scope.category;
  if (scope.kind === 'value_band') {
    form.minCost = text(scope.min_cost);
    form.maxCost = text(scope.max_cost);
  }
  if (scope.kind === 'abc_class') form.abcClass = scope.abc_class;
  if (scope.kind === 'warehouse') form.warehouse = scope.warehouse;
  for (const side of SIDES) {
    for (const axis of TOLERANCE_AXES) form.limits[side][axis] = text(rule.thresholds[side][axis]);
  }
  form.onExceed = rule.on_exceed;
  form.recountPhases = String(rule.recount_phases);
  return form;
}

/** Field key → message. Keys are the API's paths: `scope.item_code`, `thresholds.overage.value`… */
export type FieldErrors = Record<string, string>;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** zod's wording where a person needs plainer words ("required" for an empty text). */
function readable(issue: { code: string; message: string; minimum?: unknown; origin?: unknown }) {
  if (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1) {
    return 'required';
  }
  if (issue.code === 'too_big' && issue.origin === 'string') {
    return `at most ${String((issue as { maximum?: unknown }).maximum)} characters`;
  }
  return issue.message;
}

/** The form as the body of a rule change, or the field errors the client already sees. */
export function ruleContentFromForm(
  form: RuleForm,
):
  { ok: true; content: Omit<CreateToleranceRuleInput, 'id'> } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const number = (key: string, value: string, required: boolean): number | undefined => {
    const t = value.trim().replace(/,/g, '');
    if (t === '') {
      if (required) errors[key] = 'required';
      return undefined;
    }
    if (!NUMBER.test(t)) {
      errors[key] = 'must be a number';
      return undefined;
    }
    return Number(t);
  };

  let scope: unknown;
  switch (form.scopeKind) {
    case 'item':
      scope = { kind: 'item', item_code: form.itemCode };
      break;
    case 'category':
      scope = { kind: 'category', category: form.category };
      break;
    case 'value_band':
      scope = {
        kind: 'value_band',
        min_cost: number('scope.min_cost', form.minCost, true),
        max_cost: number('scope.max_cost', form.maxCost, false) ?? null,
      };
      break;
    case 'abc_class':
      scope = { kind: 'abc_class', abc_class: form.abcClass };
      break;
    case 'warehouse':
      scope = { kind: 'warehouse', warehouse: form.warehouse };
      break;
    case 'everything':
      scope = { kind: 'everything' };
      break;
  }

  const thresholds: Record<Side, ToleranceLimits> = { shortage: {}, overage: {} };
  for (const side of SIDES) {
    for (const axis of TOLERANCE_AXES) {
      const v = number(`thresholds.${side}.${axis}`, form.limits[side][axis], false);
      if (v !== undefined) thresholds[side][axis] = v;
    }
  }

  const phasesText = form.recountPhases.trim();
  let phases: number | undefined;
  if (phasesText === '') errors.recount_phases = 'required';
  else if (!/^\d+$/.test(phasesText)) errors.recount_phases = 'a whole number';
  else phases = Number(phasesText);

  const name = form.name.trim();
  const body = {
    ...(name === '' ? {} : { name }),
    scope,
    thresholds,
    on_exceed: form.onExceed,
    recount_phases: phases ?? DEFAULT_RECOUNT_PHASES,
  };
  // The shared schema of a create (the content of an edit is the same): every other rule.
  const parsed = createToleranceRuleSchema.safeParse(body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path.map(String).join('.') || '(root)';
      errors[key] ??= readable(issue);
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  const { id: _none, ...content } = parsed.data;
  return { ok: true, content };
}

/** The body of `POST /tolerance-rules`: the content, and the id when one was typed. */
export function createBodyFromForm(
  form: RuleForm,
): { ok: true; body: CreateToleranceRuleInput } | { ok: false; errors: FieldErrors } {
  const result = ruleContentFromForm(form);
  const id = form.id.trim();
  const body = { ...(result.ok ? result.content : {}), ...(id === '' ? {} : { id }) };
  const idErrors: FieldErrors = {};
  if (id !== '') {
    const parsed = createToleranceRuleSchema.shape.id.safeParse(id);
    if (!parsed.success) idErrors.id = parsed.error.issues[0]?.message ?? 'invalid';
  }
  if (!result.ok || Object.keys(idErrors).length > 0) {
    return { ok: false, errors: { ...(result.ok ? {} : result.errors), ...idErrors } };
  }
  return { ok: true, body: body as CreateToleranceRuleInput };
}

/** The body of `PUT /tolerance-rules/:id`: the content and the version edited. */
export function updateBodyFromForm(form: RuleForm, version: number) {
  const result = ruleContentFromForm(form);
  if (!result.ok) return result;
  return {
    ok: true as const,
    body: updateToleranceRuleSchema.parse({ version, ...result.content }),
  };
}

/** Every field key of the form (where an error can be shown beside its field). */
export function formFieldKeys(): string[] {
  const keys = ['id', 'name', 'scope.kind', 'on_exceed', 'recount_phases'];
  keys.push('scope.item_code', 'scope.category', 'scope.min_cost', 'scope.max_cost');
  keys.push('scope.abc_class', 'scope.warehouse');
  for (const side of SIDES)
    for (const axis of TOLERANCE_AXES) keys.push(`thresholds.${side}.${axis}`);
  return keys;
}

/**
 * The server's 400 details on the form's fields (`body.` prefixes dropped); what names no field
 * of the form (or a field of another scope kind) is left in `other`, so nothing is lost.
 */
export function fieldErrorsFromDetails(details: ReadonlyArray<{ path: string; message: string }>): {
  fields: FieldErrors;
  other: string[];
} {
  const keys = new Set(formFieldKeys());
  const fields: FieldErrors = {};
  const other: string[] = [];
  for (const detail of details) {
    const key = detail.path.replace(/^body\./, '');
    if (keys.has(key)) fields[key] ??= detail.message;
    else other.push(`${detail.path}: ${detail.message}`);
  }
  return { fields, other };
}

/** A draft rule of the preview, from a form: a whole rule (id and version 1). */
export function draftRuleFromForm(
  form: RuleForm,
  id: string,
  version = 1,
): { ok: true; rule: ToleranceRule } | { ok: false; errors: FieldErrors } {
  const result = ruleContentFromForm(form);
  if (!result.ok) return result;
  return { ok: true, rule: { id, version, ...result.content } };
}

/** The next free draft id (`draft-1`, `draft-2`…) among `rules`. */
export function nextDraftId(rules: ReadonlyArray<{ id: string }>): string {
  const taken = new Set(rules.map((r) => r.id));
  for (let n = 1; ; n++) if (!taken.has(`draft-${n}`)) return `draft-${n}`;
}

/** "With these rules, session X would have auto-accepted N lines, sent M to recount, K to you." */
export function previewSentence(
  sessionName: string,
  counts: { lines: number; accept: number; recount: number; approve: number },
): string {
  const lines = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? 'line' : 'lines'}`;
  return (
    `With these rules, session ${sessionName} would have auto-accepted ${lines(counts.accept)}, ` +
    `sent ${lines(counts.recount)} to recount, ${lines(counts.approve)} to you` +
    ` (of ${lines(counts.lines)} counted).`
  );
}
