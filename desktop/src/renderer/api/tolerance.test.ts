import type { ToleranceRuleChange } from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import { ApiClient } from './client';
import { deleteToleranceRule, isStaleVersion, updateToleranceRule } from './tolerance';

const change: ToleranceRuleChange = {
  rule: {
    id: 'fragile',
    version: 5,
    scope: { kind: 'item', item_code: 'ITM-1' },
    thresholds: { shortage: { units: 5 }, overage: { units: 3 } },
    on_exceed: 'approve',
    recount_phases: 1,
  },
  change: {
    version: 5,
    hash: '0123456789abcdef',
    taken_at: '2026-12-06T08:00:00.000Z',
    rules_count: 1,
    change: 'update',
    rule_id: 'fragile',
    rule_version: 5,
    changed_by: 'u-1',
    changed_by_name: 'sue',
  },
};

interface Sent {
  url: string;
  method: string;
  body: unknown;
  headers: Record<string, string>;
}

/** A client whose server answers `status` with `data` (or `error`), recording what was sent. */
function serverAnswering(status: number, data: unknown, error: unknown = null) {
  const sent: Sent[] = [];
  const client = new ApiClient({
    baseUrl: 'http://sv/',
    fetchImpl: (input, init) => {
      sent.push({
        url: String(input),
        method: init?.method ?? 'GET',
        body: typeof init?.body === 'string' ? JSON.parse(init.body) : init?.body,
        headers: (init?.headers ?? {}) as Record<string, string>,
      });
      return Promise.resolve(
        new Response(
          JSON.stringify({ success: status < 300, data, error, message: '', request_id: 'r' }),
          { status, headers: { 'Content-Type': 'application/json' } },
        ),
      );
    },
  });
  return { client, sent };
}

const { rule } = change;
const content = {
  scope: rule.scope,
  thresholds: rule.thresholds,
  on_exceed: rule.on_exceed,
  recount_phases: rule.recount_phases,
};

describe('the console edits the rule table through its shared schemas', () => {
  it('sends an edit as PUT with the version edited, JSON, and reads the change', async () => {
    const { client, sent } = serverAnswering(200, change);
    await expect(
      updateToleranceRule(client, 'fragile', { version: 4, ...content }),
    ).resolves.toEqual(change);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      url: 'http://sv/api/tolerance-rules/fragile',
      method: 'PUT',
      body: { version: 4, ...content },
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    });
  });

  it('sends a delete with ?version= and no body', async () => {
    const { client, sent } = serverAnswering(200, change);
    await deleteToleranceRule(client, 'a b', 5);
    expect(sent[0]).toMatchObject({
      url: 'http://sv/api/tolerance-rules/a%20b?version=5',
      method: 'DELETE',
      body: undefined,
    });
  });

  it('turns 409 STALE_VERSION into an ApiError the screen recognises', async () => {
    const { client } = serverAnswering(409, null, {
      code: 'STALE_VERSION',
      message: 'Rule fragile changed since version 4 (now version 5)',
      details: [{ path: 'version', message: 'is 4; the rule is at version 5' }],
      current_version: 5,
    });
    const error = await updateToleranceRule(client, 'fragile', { version: 4, ...content }).catch(
      (e: unknown) => e,
    );
    expect(isStaleVersion(error)).toBe(true);
    expect(error).toMatchObject({
      status: 409,
      details: [{ path: 'version', message: 'is 4; the rule is at version 5' }],
    });
  });

  it('keeps the 400 field details, and is not a stale version', async () => {
    const { client } = serverAnswering(400, null, {
      code: 'VALIDATION_FAILED',
      message: 'The request is not valid',
      details: [{ path: 'thresholds.overage.units', message: 'must not be negative' }],
    });
    const error = await deleteToleranceRule(client, 'fragile', 5).catch((e: unknown) => e);
    expect(isStaleVersion(error)).toBe(false);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'thresholds.overage.units', message: 'must not be negative' }],
    });
  });

  it('does not take another 409 (an id taken) for a stale version', async () => {
    const { client } = serverAnswering(409, null, {
      code: 'CONFLICT',
      message: 'The rule table keeps changing; reload it and try again',
    });
    const error = await updateToleranceRule(client, 'fragile', { version: 4, ...content }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect(isStaleVersion(error)).toBe(false);
  });

  it('refuses an answer that is not a rule change, naming the field', async () => {
    const { client } = serverAnswering(200, { ...change, rule: { ...rule, on_exceed: 'accept' } });
    await expect(deleteToleranceRule(client, 'fragile', 5)).rejects.toMatchObject({
      code: 'BAD_ANSWER',
      details: [{ path: 'rule.on_exceed' }],
    });
  });
});
