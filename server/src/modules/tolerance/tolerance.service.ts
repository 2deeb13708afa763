/**
 * The tolerance rule table (issue #16 items 1 and 4, docs/design.md §12): current rules, changes
 * that each make a new version of the whole table (never rewriting an old one), the versions with
 * who changed what, and the preview of a candidate rule list over a session's counts.
 *
 * A rule's `version` is the table version that wrote it: it goes up on every edit, and `(id,
 * version)` names one content for ever, even when a deleted id is used again.
 */
import { randomBytes } from 'node:crypto';
import {
  MAX_TOLERANCE_RULES,
  makeRuleSet,
  previewRules,
  ruleSetHash,
  type CreateToleranceRuleInput,
  type PreviewLine,
  type ToleranceRule,
  type ToleranceRuleChange,
  type ToleranceRuleSet,
  type TolerancePreview,
  type TolerancePreviewRequest,
  type ToleranceVersion,
  type ToleranceVersionDetail,
  type ToleranceVersionsQuery,
  type Page,
  type UpdateToleranceRuleInput,
} from '@stockverify/shared';
import type { Store } from '../../ports/store';
import type { ToleranceVersionRecord, ToleranceVersionSummary } from '../../ports/tolerance';
import { AppError, notFound } from '../../lib/errors';
import type { AccessPolicy } from '../access/access-policy';
import type { Actor, AuditLog, RequestMeta } from '../audit/audit-log';
import { ruleSetInForce } from './rule-table';
import { binBook } from '../sessions/bin-book';

export type ToleranceService = ReturnType<typeof createToleranceService>;

/** Attempts at writing a change while other changes keep landing first. */
const WRITE_ATTEMPTS = 5;

const byId = (a: ToleranceRule, b: ToleranceRule) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function summaryOf(record: ToleranceVersionRecord | ToleranceVersionSummary): ToleranceVersion {
  return {
    version: record.version,
    hash: record.hash,
    taken_at: record.taken_at,
    rules_count: 'rules' in record ? record.rules.length : record.rules_count,
    change: record.change,
    rule_id: record.rule_id,
    rule_version: record.rule_version,
    changed_by: record.changed_by,
    changed_by_name: record.changed_by_name,
  };
}

function ruleSetOf(record: ToleranceVersionRecord): ToleranceRuleSet {
  return {
    version: record.version,
    hash: record.hash,
    taken_at: record.taken_at,
    rules: record.rules,
  };
}

function ruleNotFound(id: string): AppError {
  return notFound('TOLERANCE_RULE_NOT_FOUND', `No tolerance rule ${id}`);
}

function staleVersion(id: string, sent: number, current: number): AppError {
  return new AppError(
    409,
    'STALE_VERSION',
    `Rule ${id} changed since version ${sent} (now version ${current}); reload it and edit again`,
    [{ path: 'version', message: `is ${sent}; the rule is at version ${current}` }],
    { current_version: current },
  );
}

/** One change of the table, worked out on the version in force. */
interface Planned {
  rules: ToleranceRule[];
  /** The rule as it now is (or was, for a delete). */
  rule: ToleranceRule;
  change: 'create' | 'update' | 'delete';
}

export function createToleranceService(deps: {
  store: Store;
  audit: AuditLog;
  clock: () => Date;
  access: AccessPolicy;
  /** The rule lines fall back on where no rule matches (the configured review thresholds). */
  fallback: ToleranceRule;
}) {
  const { store, audit, clock, access, fallback } = deps;

  /**
   * Plans the change on the version in force and writes the next version; when another change
   * got there first, plans again on the newer version (a stale edit is then refused by the plan).
   */
  async function commit(
    actor: Actor,
    meta: RequestMeta,
    plan: (head: ToleranceVersionRecord, nextVersion: number) => Planned,
  ): Promise<ToleranceRuleChange> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const head = await ruleSetInForce(store, clock);
      const version = head.version + 1;
      const planned = plan(head, version);
      const now = clock().toISOString();
      // makeRuleSet checks every rule and the whole set (unique ids) and computes the hash.
      const set = makeRuleSet([...planned.rules].sort(byId), version, now);
      const record: ToleranceVersionRecord = {
        ...set,
        change: planned.change,
        rule_id: planned.rule.id,
        rule_version: planned.rule.version,
        changed_by: actor.id,
        changed_by_name: actor.username,
      };
      if (!(await store.tolerance.append(record))) continue;
      const before = head.rules.find((r) => r.id === planned.rule.id) ?? null;
      await audit.record(
        actor,
        meta,
        `tolerance.${planned.change}`,
        { type: 'tolerance_rule', id: planned.rule.id },
        {
          table_version: version,
          hash: record.hash,
          before,
          after: planned.change === 'delete' ? null : planned.rule,
        },
      );
      return { rule: planned.rule, change: summaryOf(record) };
    }
    throw new AppError(409, 'CONFLICT', 'The rule table keeps changing; reload it and try again');
  }

  function mustFind(head: ToleranceVersionRecord, id: string, version: number): ToleranceRule {
    const rule = head.rules.find((r) => r.id === id);
    if (!rule) throw ruleNotFound(id);
    if (rule.version !== version) throw staleVersion(id, version, rule.version);
    return rule;
  }

  return {
    /** The rules in force now, with the table's version and hash. */
    async current(): Promise<ToleranceRuleSet> {
      return ruleSetOf(await ruleSetInForce(store, clock));
    },

    async create(
      actor: Actor,
      meta: RequestMeta,
      input: CreateToleranceRuleInput,
    ): Promise<ToleranceRuleChange> {
      const id = input.id ?? `r-${randomBytes(5).toString('hex')}`;
      return commit(actor, meta, (head, version) => {
        if (head.rules.some((r) => r.id === id))
          throw new AppError(409, 'CONFLICT', `A tolerance rule ${id} exists already`, [
            { path: 'id', message: 'is taken; edit that rule or choose another id' },
          ]);
        if (head.rules.length >= MAX_TOLERANCE_RULES)
          throw new AppError(
            409,
            'CONFLICT',
            `The rule table holds ${MAX_TOLERANCE_RULES} rules, the most it may; delete one first`,
          );
        const { id: _given, ...content } = input;
        const rule: ToleranceRule = { id, version, ...content };
        return { rules: [...head.rules, rule], rule, change: 'create' };
      });
    },

    async update(
      actor: Actor,
      meta: RequestMeta,
      id: string,
      input: UpdateToleranceRuleInput,
    ): Promise<ToleranceRuleChange> {
      return commit(actor, meta, (head, version) => {
        mustFind(head, id, input.version);
        const { version: _edited, ...content } = input;
        const rule: ToleranceRule = { id, version, ...content };
        return {
          rules: head.rules.map((r) => (r.id === id ? rule : r)),
          rule,
          change: 'update',
        };
      });
    },

    async remove(
      actor: Actor,
      meta: RequestMeta,
      id: string,
      version: number,
    ): Promise<ToleranceRuleChange> {
      return commit(actor, meta, (head) => {
        const rule = mustFind(head, id, version);
        return { rules: head.rules.filter((r) => r.id !== id), rule, change: 'delete' };
      });
    },

    /** Newest first. */
    async versions(query: ToleranceVersionsQuery): Promise<Page<ToleranceVersion>> {
      await ruleSetInForce(store, clock);
      const { items, total } = await store.tolerance.versions(query);
      return { items: items.map(summaryOf), total, page: query.page, page_size: query.page_size };
    },

    async version(version: number): Promise<ToleranceVersionDetail> {
      await ruleSetInForce(store, clock);
      const record = await store.tolerance.get(version);
      if (!record)
        throw notFound('TOLERANCE_VERSION_NOT_FOUND', `No version ${version} of the rule table`);
      return { change: summaryOf(record), rule_set: ruleSetOf(record) };
    },

    /**
     * What the candidate rules would have done with a session's counts: per bin (item in rack),
     * the quantity that counts now (lines neither superseded nor rejected, less written-off damage)
     * against the book, as the line's review does.
     */
    async preview(actor: Actor, input: TolerancePreviewRequest): Promise<TolerancePreview> {
      const session = await store.sessions.get(input.session_id);
      if (!session) throw notFound('NOT_FOUND', `No session ${input.session_id}`);
      await access.assertWarehouse(actor, session.warehouse, 'session_id');
      const snapshot = new Map(
        (await store.sessions.snapshotRows(session.id)).map((row) => [row.item_code, row]),
      );
      // Each bin judged on its own book where the snapshot knows the item's racks (design §4).
      const racks = await store.sessions.snapshotRacks(session.id);
      // One read of the session's bins (item in rack), summed by the store: paging the lines
      // by offset was quadratic in the session's size and shifted under lines arriving meanwhile.
      const lines: PreviewLine[] = (await store.lines.bins(session.id)).map((bin) => {
        const row = snapshot.get(bin.item_code);
        return {
          item: { item_code: bin.item_code, category: row?.category ?? null, cost: row?.cost ?? 0 },
          warehouse: session.warehouse,
          book: binBook(bin.book_qty, racks.get(bin.item_code), bin.rack),
          counted: bin.counted,
        };
      });
      const rules = input.rules;
      return {
        session_id: session.id,
        hash: ruleSetHash(rules),
        ...previewRules(rules, lines, fallback),
      };
    },
  };
}
