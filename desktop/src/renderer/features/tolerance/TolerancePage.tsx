import { can } from '@stockverify/shared';
import type { ToleranceRule, ToleranceRuleChange, ToleranceRuleSet } from '@stockverify/shared';
import { useState } from 'react';
import { ApiError, errorText } from '../../api/client';
import {
  createToleranceRule,
  deleteToleranceRule,
  isStaleVersion,
  readToleranceRules,
  updateToleranceRule,
} from '../../api/tolerance';
import { useConsole } from '../../context';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { dateTime } from '../../ui/format';
import { useLoad } from '../../ui/hooks';
import { Status } from '../../ui/Status';
import { HistoryPanel } from './HistoryPanel';
import { PreviewPanel } from './PreviewPanel';
import { RuleDialog } from './RuleDialog';
import type { SaveOutcome } from './RuleDialog';
import { RulesTable } from './RulesTable';
import {
  createBodyFromForm,
  emptyRuleForm,
  fieldErrorsFromDetails,
  formFromRule,
  scopeWords,
  updateBodyFromForm,
} from './rule-form';
import type { RuleForm } from './rule-form';

const TABS = [
  ['rules', 'Rules in force'],
  ['history', 'Versions'],
  ['preview', 'Preview'],
] as const;
type Tab = (typeof TABS)[number][0];

/** A refused save, on the form: 400 details beside their fields, anything else above the buttons. */
export function outcomeOf(error: unknown): SaveOutcome {
  if (error instanceof ApiError && error.details.length > 0) {
    const { fields, other } = fieldErrorsFromDetails(error.details);
    return {
      fields,
      error: other.length > 0 ? `${error.message}: ${other.join('; ')}` : error.message,
    };
  }
  return { error: errorText(error) };
}

const staleMessage = (rule: ToleranceRule) =>
  `Someone else changed rule ${rule.id} (${scopeWords(rule.scope)}) since you opened it. ` +
  'The table has been reloaded with their change: check it and make your change again.';

/**
 * Tolerance rules (issue #16 items 1 and 4, docs/design.md §12) for supervisors and admins: the
 * rules in force with add, edit and delete, the versions of the table, and a preview of candidate
 * rules against a session's counts.
 */
export function TolerancePage({ initial }: { initial?: string }) {
  const { client, user } = useConsole();
  const allowed = can(user.role, 'tolerance.manage');
  const [tab, setTab] = useState<Tab>(TABS.find(([key]) => key === initial)?.[0] ?? 'rules');
  const [current, reload] = useLoad(
    () => (allowed ? readToleranceRules(client) : Promise.resolve(null)),
    [client, allowed],
  );
  if (!allowed) {
    return (
      <section className="panel">
        <h2>Tolerance rules</h2>
        <p>Only supervisors and admins manage tolerance rules.</p>
      </section>
    );
  }
  const set = current.value;
  return (
    <div className="stack">
      <div role="tablist" aria-label="Tolerance rules" className="tabs">
        {TABS.map(([key, label]) => (
          <button
            key={key}
            id={`tolerance-tab-${key}`}
            type="button"
            role="tab"
            aria-selected={tab === key}
            aria-controls={`tolerance-panel-${key}`}
            onClick={() => setTab(key)}
          >
            {label}
          </button>
        ))}
      </div>
      {current.state === 'error' && <Status error={`Rules not loaded: ${current.error}`} />}
      {/* Every panel stays mounted (hidden when not chosen), so a preview draft survives a tab switch. */}
      <div
        role="tabpanel"
        id="tolerance-panel-rules"
        aria-labelledby="tolerance-tab-rules"
        hidden={tab !== 'rules'}
      >
        <RulesPanel set={set} loading={current.state === 'loading'} reload={reload} />
      </div>
      <div
        role="tabpanel"
        id="tolerance-panel-history"
        aria-labelledby="tolerance-tab-history"
        hidden={tab !== 'history'}
      >
        {tab === 'history' && <HistoryPanel key={set?.version ?? 0} />}
      </div>
      <div
        role="tabpanel"
        id="tolerance-panel-preview"
        aria-labelledby="tolerance-tab-preview"
        hidden={tab !== 'preview'}
      >
        <PreviewPanel inForce={set} />
      </div>
    </div>
  );
}

type Editing = { kind: 'new'; form: RuleForm } | { kind: 'edit'; rule: ToleranceRule };

function RulesPanel({
  set,
  loading,
  reload,
}: {
  set: ToleranceRuleSet | null;
  loading: boolean;
  reload: () => Promise<void>;
}) {
  const { client } = useConsole();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<ToleranceRule | null>(null);
  const [busy, setBusy] = useState(false);
  const [ok, setOk] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function stale(rule: ToleranceRule) {
    setEditing(null);
    setDeleting(null);
    setOk(null);
    await reload();
    setError(staleMessage(rule));
  }

  async function save(form: RuleForm): Promise<SaveOutcome> {
    if (editing === null) return null;
    try {
      let answer: ToleranceRuleChange;
      if (editing.kind === 'new') {
        const body = createBodyFromForm(form);
        if (!body.ok) return { fields: body.errors };
        answer = await createToleranceRule(client, body.body);
      } else {
        const body = updateBodyFromForm(form, editing.rule.version);
        if (!body.ok) return { fields: body.errors };
        answer = await updateToleranceRule(client, editing.rule.id, body.body);
      }
      setEditing(null);
      setError(null);
      // The message once the table shows the change, so both say the same.
      await reload();
      setOk(
        `${editing.kind === 'new' ? 'Added' : 'Saved'} rule ${answer.rule.id} (${scopeWords(answer.rule.scope)}); the table is now version ${answer.change.version}.`,
      );
      return null;
    } catch (e) {
      if (editing.kind === 'edit' && isStaleVersion(e)) {
        await stale(editing.rule);
        return null;
      }
      return outcomeOf(e);
    }
  }

  async function remove(rule: ToleranceRule) {
    setBusy(true);
    try {
      const answer = await deleteToleranceRule(client, rule.id, rule.version);
      setDeleting(null);
      setError(null);
      await reload();
      setOk(
        `Deleted rule ${rule.id} (${scopeWords(rule.scope)}); the table is now version ${answer.change.version}.`,
      );
    } catch (e) {
      if (isStaleVersion(e)) await stale(rule);
      else {
        setDeleting(null);
        setOk(null);
        setError(errorText(e));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="tolerance-title">
      <div className="toolbar">
        <h2 id="tolerance-title">Tolerance rules</h2>
        {set && (
          <span className="hint" data-testid="table-version">
            Table version {set.version} · {set.rules.length}{' '}
            {set.rules.length === 1 ? 'rule' : 'rules'} · in force since {dateTime(set.taken_at)}
          </span>
        )}
        <button
          type="button"
          onClick={() => {
            setOk(null);
            setError(null);
            setEditing({ kind: 'new', form: emptyRuleForm() });
          }}
        >
          Add rule
        </button>
        <button
          type="button"
          className="secondary"
          disabled={loading}
          onClick={() => void reload()}
        >
          Reload
        </button>
      </div>
      <p className="hint">
        A count within every limit of its side (shortage or overage) is accepted as counted;
        outside, the rule&apos;s action applies. The most specific rule wins. A session keeps the
        rules in force when it started.
      </p>
      <Status error={error} ok={ok} info={loading && !set ? 'Loading…' : null} />
      {set && set.rules.length === 0 && (
        <p className="hint">No rules yet: the built-in default below applies to everything.</p>
      )}
      {set && (
        <RulesTable
          rules={set.rules}
          label="Rules in force"
          actions={(rule) => (
            <>
              <button
                type="button"
                className="secondary"
                aria-label={`Edit rule ${rule.id}`}
                onClick={() => {
                  setOk(null);
                  setError(null);
                  setEditing({ kind: 'edit', rule });
                }}
              >
                Edit
              </button>
              <button
                type="button"
                className="danger"
                aria-label={`Delete rule ${rule.id}`}
                onClick={() => {
                  setOk(null);
                  setError(null);
                  setDeleting(rule);
                }}
              >
                Delete
              </button>
            </>
          )}
        />
      )}
      {editing && (
        <RuleDialog
          title={editing.kind === 'new' ? 'Add a rule' : `Edit rule ${editing.rule.id}`}
          initial={editing.kind === 'new' ? editing.form : formFromRule(editing.rule)}
          askId={editing.kind === 'new'}
          saveLabel={editing.kind === 'new' ? 'Add rule' : 'Save rule'}
          onSave={save}
          onCancel={() => setEditing(null)}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete rule ${deleting.id}?`}
          confirmLabel="Delete rule"
          busy={busy}
          onConfirm={() => void remove(deleting)}
          onCancel={() => setDeleting(null)}
        >
          <p>
            {scopeWords(deleting.scope)} will fall back to the next rule that matches (or the
            built-in default). Sessions already started keep the rules they started with.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
