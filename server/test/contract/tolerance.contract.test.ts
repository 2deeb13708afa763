/**
 * Tolerance rule table store contract (issue #16, docs/design.md §12): versions written once and
 * read back whole, the second of two writers on one version refused, the versions list newest
 * first, and a session keeping the rule-set version it was created with. Runs on SQLite always and
 * on MongoDB when MONGODB_URI points at a server.
 */
import { makeRuleSet, symmetricThresholds, type ToleranceRuleInput } from '@stockverify/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { at, makeSession } from '../support/counting-records';
import { storeAdapters, type StoreFixture } from '../support/store-adapters';
import type { Store } from '../../src/ports/store';
import type { ToleranceVersionRecord } from '../../src/ports/tolerance';

const adapters = storeAdapters('tolerance');

function rule(id: string, version: number, units: number): ToleranceRuleInput {
  return {
    id,
    version,
    name: `Rule ${id}`,
    scope: id === 'tools' ? { kind: 'category', category: 'Tools' } : { kind: 'everything' },
    thresholds: symmetricThresholds({ units, percent: 12.5 }),
    on_exceed: 'recount',
    recount_phases: 2,
  };
}

function version(
  n: number,
  rules: ToleranceRuleInput[],
  change: ToleranceVersionRecord['change'] = 'create',
): ToleranceVersionRecord {
  const set = makeRuleSet(rules, n, at(n));
  return {
    ...set,
    change,
    rule_id: rules.at(-1)?.id ?? null,
    rule_version: rules.at(-1)?.version ?? null,
    changed_by: change === 'init' ? null : 'u-sup',
    changed_by_name: change === 'init' ? null : 'sup',
  };
}

describe.each(adapters)('tolerance store contract: $name', (adapter) => {
  let f: StoreFixture;
  let store: Store;
  beforeEach(async () => {
    f = await adapter.open();
    store = f.store;
  });
  afterEach(async () => {
    await f.dispose();
  });

  it('has no version before one is written', async () => {
    expect(await store.tolerance.current()).toBeNull();
    expect(await store.tolerance.get(1)).toBeNull();
    expect(await store.tolerance.versions({ page: 1, page_size: 10 })).toEqual({
      items: [],
      total: 0,
    });
  });

  it('reads every version back whole, the newest as current, across a restart', async () => {
    const v1 = version(1, [], 'init');
    const v2 = version(2, [rule('all', 2, 5)]);
    const v3 = version(3, [rule('all', 2, 5), rule('tools', 3, 1.5)]);
    for (const v of [v1, v2, v3]) expect(await store.tolerance.append(v)).toBe(true);
    expect(await store.tolerance.current()).toEqual(v3);
    store = await f.reopen();
    expect(await store.tolerance.current()).toEqual(v3);
    expect(await store.tolerance.get(1)).toEqual(v1);
    expect(await store.tolerance.get(2)).toEqual(v2);
    expect(await store.tolerance.get(4)).toBeNull();
  });

  it('refuses a version number already taken and keeps the first one written', async () => {
    const first = version(1, [rule('all', 1, 5)]);
    const second = version(1, [rule('all', 1, 9)]);
    const [a, b] = await Promise.all([
      store.tolerance.append(first),
      store.tolerance.append(second),
    ]);
    expect([a, b].sort()).toEqual([false, true]);
    const kept = a ? first : second;
    expect(await store.tolerance.get(1)).toEqual(kept);
    expect((await store.tolerance.versions({ page: 1, page_size: 10 })).total).toBe(1);
  });

  it('lists versions newest first, paged, with the number of rules and no rules', async () => {
    const rules: ToleranceRuleInput[] = [];
    await store.tolerance.append(version(1, [], 'init'));
    for (let n = 2; n <= 6; n++) {
      rules.push(rule(`r${n}`, n, n));
      await store.tolerance.append(version(n, [...rules]));
    }
    const first = await store.tolerance.versions({ page: 1, page_size: 4 });
    expect(first.total).toBe(6);
    expect(first.items.map((v) => [v.version, v.rules_count])).toEqual([
      [6, 5],
      [5, 4],
      [4, 3],
      [3, 2],
    ]);
    expect(first.items[0]).toEqual({
      version: 6,
      hash: version(6, rules).hash,
      taken_at: at(6),
      rules_count: 5,
      change: 'create',
      rule_id: 'r6',
      rule_version: 6,
      changed_by: 'u-sup',
      changed_by_name: 'sup',
    });
    const second = await store.tolerance.versions({ page: 2, page_size: 4 });
    expect(second.items.map((v) => [v.version, v.change])).toEqual([
      [2, 'create'],
      [1, 'init'],
    ]);
  });

  it('keeps the rule-set version a session was created with; sessions from before have none', async () => {
    await store.sessions.create(
      makeSession('s-new', { tolerance_rule_set: { version: 3, hash: '0123456789abcdef' } }),
      [],
    );
    await store.sessions.create(makeSession('s-old'), []);
    expect((await store.sessions.get('s-new'))?.tolerance_rule_set).toEqual({
      version: 3,
      hash: '0123456789abcdef',
    });
    expect((await store.sessions.get('s-old'))?.tolerance_rule_set ?? null).toBeNull();
    const closed = await store.sessions.transition('s-new', ['OPEN'], 'CLOSED', {
      closed_at: at(9),
      updated_at: at(9),
    });
    expect(closed?.tolerance_rule_set).toEqual({ version: 3, hash: '0123456789abcdef' });
    const listed = await store.sessions.list({ page: 1, page_size: 10, sort: 'created_at' });
    expect(listed.items.find((s) => s.id === 's-new')?.tolerance_rule_set?.version).toBe(3);
  });
});
