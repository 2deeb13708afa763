import { DEFAULT_TOLERANCE_RULE } from '@stockverify/shared';
import type { ToleranceRule, ToleranceScopeKind } from '@stockverify/shared';
import type { ReactNode } from 'react';
import { ACTION_WORDS, SCOPE_KINDS, limitsWords, phasesWords, scopeWords } from './rule-form';

const RANK = new Map<ToleranceScopeKind, number>(SCOPE_KINDS.map(([kind], i) => [kind, i]));

/** Most specific scope first (design §12's order), then by id: the order a rule is chosen in. */
export function bySpecificity(a: ToleranceRule, b: ToleranceRule): number {
  const rank = (RANK.get(a.scope.kind) ?? 9) - (RANK.get(b.scope.kind) ?? 9);
  return rank !== 0 ? rank : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * A rule table: scope in words, the shortage and overage limits per axis, the action and the
 * recount phases. An empty table shows the built-in default that then applies to everything.
 */
export function RulesTable({
  rules,
  label,
  actions,
}: {
  rules: readonly ToleranceRule[];
  label: string;
  /** The buttons of a row (none: read only). */
  actions?: (rule: ToleranceRule) => ReactNode;
}) {
  const shown = rules.length === 0 ? [DEFAULT_TOLERANCE_RULE] : [...rules].sort(bySpecificity);
  return (
    <div className="scroll-x">
      <table className="grid tolerance-rules" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Applies to</th>
            <th scope="col">Name</th>
            <th scope="col">Shortage (counted below book)</th>
            <th scope="col">Overage (counted above book)</th>
            <th scope="col">When outside tolerance</th>
            <th scope="col">Recount phases</th>
            <th scope="col">Rule · version</th>
            {actions && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {shown.map((rule) => {
            const builtIn = rules.length === 0;
            return (
              <tr
                key={rule.id}
                data-rule={rule.id}
                className={builtIn ? 'rule-default' : undefined}
              >
                <td>{scopeWords(rule.scope)}</td>
                <td>{builtIn ? 'Built-in default (no rule in the table)' : (rule.name ?? '')}</td>
                <td>{limitsWords(rule.thresholds.shortage)}</td>
                <td>{limitsWords(rule.thresholds.overage)}</td>
                <td>{ACTION_WORDS[rule.on_exceed]}</td>
                <td>{phasesWords(rule.recount_phases)}</td>
                <td className="mono">
                  {rule.id} · v{rule.version}
                </td>
                {actions && <td className="actions">{builtIn ? null : actions(rule)}</td>}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
