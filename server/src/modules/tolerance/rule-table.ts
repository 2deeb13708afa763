/**
 * The rule table's versions (issue #16, docs/design.md §12): the version in force, and the first
 * version written on first use. Sessions read it when they are created (sessions.service.ts), so
 * it lives apart from the management service.
 */
import { ruleSetHash } from '@stockverify/shared';
import type { Store } from '../../ports/store';
import type { ToleranceVersionRecord } from '../../ports/tolerance';

/**
 * The version in force. Before any rule was written that is version 1, the empty table (the
 * built-in default applies to everything), written now so that sessions and the versions list
 * name a version that exists. Two first readers at once write it once (the store refuses the
 * second) and both read the one written.
 */
export async function ruleSetInForce(
  store: Pick<Store, 'tolerance'>,
  clock: () => Date,
): Promise<ToleranceVersionRecord> {
  const head = await store.tolerance.current();
  if (head) return head;
  await store.tolerance.append({
    version: 1,
    hash: ruleSetHash([]),
    taken_at: clock().toISOString(),
    rules: [],
    change: 'init',
    rule_id: null,
    rule_version: null,
    changed_by: null,
    changed_by_name: null,
  });
  const first = await store.tolerance.current();
  if (!first) throw new Error('the tolerance rule table has no version after writing version 1');
  return first;
}
