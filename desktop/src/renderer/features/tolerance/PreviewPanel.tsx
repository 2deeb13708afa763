import { DEFAULT_TOLERANCE_RULE } from '@stockverify/shared';
import type { TolerancePreview, ToleranceRule, ToleranceRuleSet } from '@stockverify/shared';
import { useMemo, useState } from 'react';
import { errorText } from '../../api/client';
import { previewToleranceRules } from '../../api/tolerance';
import { useConsole } from '../../context';
import { countOf } from '../../ui/format';
import { searchSessions } from '../../ui/pickers';
import { SearchPicker } from '../../ui/SearchPicker';
import type { PickerOption } from '../../ui/SearchPicker';
import { Status } from '../../ui/Status';
import { RuleDialog } from './RuleDialog';
import type { SaveOutcome } from './RuleDialog';
import { RulesTable } from './RulesTable';
import {
  draftRuleFromForm,
  emptyRuleForm,
  formFromRule,
  nextDraftId,
  previewSentence,
  ruleLabel,
  scopeWords,
} from './rule-form';

type Editing = { kind: 'new' } | { kind: 'edit'; rule: ToleranceRule };

/**
 * "With these rules, session X would have auto-accepted N lines, sent M to recount, K to you"
 * (issue #16 item 4): a draft of the rules (starting as the rules in force, changed here only)
 * judged by the server against a session's counts, per deciding rule. Nothing is saved.
 */
export function PreviewPanel({ inForce }: { inForce: ToleranceRuleSet | null }) {
  const { client } = useConsole();
  const search = useMemo(() => searchSessions(client), [client]);
  const [session, setSession] = useState<PickerOption | null>(null);
  // null: the draft follows the rules in force until it is changed here.
  const [edited, setEdited] = useState<ToleranceRule[] | null>(null);
  const draft = edited ?? inForce?.rules ?? [];
  const [editing, setEditing] = useState<Editing | null>(null);
  const [result, setResult] = useState<{ session: PickerOption; preview: TolerancePreview } | null>(
    null,
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function save(form: Parameters<typeof draftRuleFromForm>[0]): Promise<SaveOutcome> {
    if (editing === null) return Promise.resolve(null);
    const id = editing.kind === 'edit' ? editing.rule.id : nextDraftId(draft);
    const version = editing.kind === 'edit' ? editing.rule.version : 1;
    const made = draftRuleFromForm(form, id, version);
    if (!made.ok) return Promise.resolve({ fields: made.errors });
    setEdited(
      editing.kind === 'edit'
        ? draft.map((r) => (r.id === id ? made.rule : r))
        : [...draft, made.rule],
    );
    setEditing(null);
    setResult(null);
    return Promise.resolve(null);
  }

  async function run() {
    if (session === null) {
      setError('Choose a session to preview.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const preview = await previewToleranceRules(client, {
        session_id: session.id,
        rules: draft,
      });
      setResult({ session, preview });
    } catch (e) {
      setResult(null);
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  const labelOf = (id: string) => {
    if (id === DEFAULT_TOLERANCE_RULE.id) return ruleLabel(DEFAULT_TOLERANCE_RULE);
    const rule = draft.find((r) => r.id === id);
    return rule ? ruleLabel(rule) : id;
  };

  return (
    <section className="panel" aria-labelledby="tolerance-preview-title">
      <h2 id="tolerance-preview-title">Preview rules on a session</h2>
      <p className="hint">
        Change the draft below (it starts as the rules in force; nothing here is saved), pick a
        session and preview: each bin&apos;s count is judged against its book.
      </p>
      <div className="filters">
        <SearchPicker
          label="Session"
          value={session}
          onChange={(option) => {
            setSession(option);
            setResult(null);
          }}
          search={search}
          placeholder="Type a session name"
        />
        <button type="button" disabled={busy} onClick={() => void run()}>
          {busy ? 'Previewing…' : 'Preview'}
        </button>
      </div>
      <Status error={error} />
      {result && (
        <div className="preview-result" aria-label="Preview result">
          <p role="status" className="preview-sentence" data-testid="preview-sentence">
            {previewSentence(result.session.label, result.preview)}
          </p>
          {inForce && result.preview.hash === inForce.hash && (
            <p className="hint">These are the rules in force (table version {inForce.version}).</p>
          )}
          <table className="grid" aria-label="Per rule">
            <thead>
              <tr>
                <th scope="col">Deciding rule</th>
                <th scope="col" className="num">
                  Auto-accepted
                </th>
                <th scope="col" className="num">
                  To recount
                </th>
                <th scope="col" className="num">
                  To you
                </th>
              </tr>
            </thead>
            <tbody>
              {result.preview.by_rule.map((row) => (
                <tr key={`${row.id}-${row.version}`} data-rule={row.id}>
                  <td>
                    {labelOf(row.id)} <span className="mono hint">{row.id}</span>
                  </td>
                  <td className="num">{row.accept}</td>
                  <td className="num">{row.recount}</td>
                  <td className="num">{row.approve}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">All {countOf(result.preview.lines, 'line')}</th>
                <td className="num">{result.preview.accept}</td>
                <td className="num">{result.preview.recount}</td>
                <td className="num">{result.preview.approve}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}

      <div className="toolbar">
        <h3>Draft rules</h3>
        {edited && <span className="badge warn">changed from the rules in force</span>}
        <button type="button" onClick={() => setEditing({ kind: 'new' })}>
          Add draft rule
        </button>
        <button
          type="button"
          className="secondary"
          disabled={edited === null}
          onClick={() => {
            setEdited(null);
            setResult(null);
          }}
        >
          Reset to the rules in force
        </button>
      </div>
      <RulesTable
        rules={draft}
        label="Draft rules"
        actions={(rule) => (
          <>
            <button
              type="button"
              className="secondary"
              aria-label={`Edit draft rule ${rule.id}`}
              onClick={() => setEditing({ kind: 'edit', rule })}
            >
              Edit
            </button>
            <button
              type="button"
              className="secondary"
              aria-label={`Remove draft rule ${rule.id}`}
              onClick={() => {
                setEdited(draft.filter((r) => r.id !== rule.id));
                setResult(null);
              }}
            >
              Remove
            </button>
          </>
        )}
      />
      {editing && (
        <RuleDialog
          title={
            editing.kind === 'new'
              ? 'Add a draft rule'
              : `Edit draft rule ${editing.rule.id} (${scopeWords(editing.rule.scope)})`
          }
          initial={editing.kind === 'new' ? emptyRuleForm() : formFromRule(editing.rule)}
          askId={false}
          saveLabel="Keep in draft"
          onSave={save}
          onCancel={() => setEditing(null)}
        />
      )}
    </section>
  );
}
