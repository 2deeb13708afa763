import { SETTLEMENT_REASONS } from '@stockverify/shared';
import type { UserDirectoryEntry } from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import {
  bookWords,
  ageWords,
  assigneeOptions,
  binFromRoute,
  binHref,
  countRole,
  decisionErrorsFrom,
  decisionRequest,
  holderWords,
  openBinsFrom,
  phaseWords,
  reasonWords,
  settlementSentence,
  touchesRecounts,
} from './recount-words';
import type { DecisionForm } from './recount-words';

const form = (over: Partial<DecisionForm>): DecisionForm => ({
  kind: 'take',
  count_id: '',
  quantity: '',
  reason: '',
  assign_to: '',
  ...over,
});

describe('bin links', () => {
  it('round-trips a rack and item with slashes and spaces through the hash route', () => {
    const href = binHref('s-1', 'A/01 top', 'ITM 9/x');
    expect(href).toBe('#/sessions/s-1/bins/A%2F01%20top/ITM%209%2Fx');
    // What useHashRoute does with it: split on '/', then decode each part.
    const route = href.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
    expect(binFromRoute(route)).toEqual({ rack: 'A/01 top', item: 'ITM 9/x' });
    expect(binFromRoute(['sessions', 's-1'])).toBeNull();
    expect(binFromRoute(['sessions', 's-1', 'bins', 'A'])).toBeNull();
  });
});

describe('settlement in words', () => {
  it('says what the figure is, why and what the bin waits for', () => {
    const bin = { quantity: 80, proposed_quantity: null, phase: 1 };
    expect(settlementSentence({ ...bin, state: 'settled', reason: 'consensus' })).toBe(
      'Settled at 80: counts of different counters agree.',
    );
    expect(
      settlementSentence({ ...bin, quantity: null, state: 'open', reason: 'exceeds_tolerance' }),
    ).toBe(
      'Open: the first count is outside tolerance; waiting for a blind recount (phase 1) by another counter.',
    );
    expect(
      settlementSentence({
        quantity: null,
        proposed_quantity: 85.5,
        phase: 2,
        state: 'needs_supervisor',
        reason: 'phase_limit_reached',
      }),
    ).toBe(
      'Needs you: no agreement after the last recount phase; decide with the counts side by side (proposed 85.5).',
    );
    expect(settlementSentence({ ...bin, state: 'decided', reason: 'supervisor_decided' })).toBe(
      'Decided at 80 by a supervisor.',
    );
  });
  it('words every reason the consensus can give', () => {
    for (const reason of SETTLEMENT_REASONS) {
      const text = settlementSentence({
        state: 'open',
        reason,
        quantity: 1,
        proposed_quantity: null,
        phase: 1,
      });
      expect(text, reason).toMatch(/\.$/);
      expect(text, reason).not.toContain('undefined');
      expect(reasonWords(reason), reason).not.toContain('_');
    }
    expect(reasonWords('supervisor')).toBe('asked by a supervisor');
  });
  it('names phases', () => {
    expect(phaseWords(0)).toBe('First count');
    expect(phaseWords(2)).toBe('Recount 2');
  });
});

describe('countRole', () => {
  const count = { taken: false, superseded_by: null, late: false, status: 'CANDIDATE' };
  it('puts a correction first, then lateness, then taken, rejected or candidate', () => {
    expect(countRole(count)).toBe('candidate');
    expect(countRole({ ...count, taken: true, status: 'APPROVED' })).toBe('taken');
    expect(countRole({ ...count, status: 'REJECTED' })).toBe('rejected');
    expect(countRole({ ...count, late: true, taken: false })).toBe('late');
    expect(countRole({ ...count, superseded_by: 'op-2', late: true, taken: true })).toBe(
      'superseded',
    );
  });
});

describe('queue cells', () => {
  it('ages a task to the second, then minutes, hours and days', () => {
    const t0 = Date.parse('2026-12-06T10:00:00.000Z');
    const at = (s: number) => t0 + s * 1000;
    expect(ageWords('2026-12-06T10:00:00.000Z', at(7))).toBe('7 s');
    expect(ageWords('2026-12-06T10:00:00.000Z', at(125))).toBe('2 min');
    expect(ageWords('2026-12-06T10:00:00.000Z', at(3600))).toBe('1 h');
    expect(ageWords('2026-12-06T10:00:00.000Z', at(3600 + 300))).toBe('1 h 5 min');
    expect(ageWords('2026-12-06T10:00:00.000Z', at(86_400 * 2 + 3600 * 4))).toBe('2 d 4 h');
    expect(ageWords('2026-12-06T10:00:00.000Z', at(-30))).toBe('0 s');
    expect(ageWords('not a date', at(0))).toBe('—');
  });
  it('names the holder, or says the task is offered to all', () => {
    expect(holderWords({ assigned_to: null, assigned_to_name: null, state: 'open' })).toBe(
      'offered to all',
    );
    expect(holderWords({ assigned_to: 'u2', assigned_to_name: 'Bea', state: 'open' })).toBe('Bea');
    expect(holderWords({ assigned_to: 'u2', assigned_to_name: null, state: 'done' })).toBe('u2');
    expect(holderWords({ assigned_to: null, assigned_to_name: null, state: 'cancelled' })).toBe(
      '—',
    );
  });
});

describe('assigneeOptions', () => {
  const people: UserDirectoryEntry[] = [
    { id: 'u1', username: 'ann', full_name: 'Ann A', role: 'staff', warehouse: 'WH1' },
    { id: 'u2', username: 'bob', full_name: '', role: 'staff', warehouse: null },
    { id: 'u3', username: 'cy', full_name: 'Cy C', role: 'staff', warehouse: 'WH1' },
  ];
  it('disables counters who already counted the bin, and the holder, saying why', () => {
    const options = assigneeOptions(people, ['u1'], 'u3');
    expect(options.map((o) => [o.id, o.label, o.disabled])).toEqual([
      ['u1', 'Ann A (ann)', true],
      ['u2', 'bob', false],
      ['u3', 'Cy C (cy)', true],
    ]);
    expect(options[0]!.why).toMatch(/already counted this bin/);
    expect(options[1]!.why).toBeNull();
    expect(options[2]!.why).toBe('holds it now');
    expect(options[0]!.detail).toBe('staff · WH1');
  });
});

describe('assigneeOptions in a warehouse', () => {
  it('disables counters bound to another warehouse; counters bound to none may count anywhere', () => {
    const options = assigneeOptions(
      [
        { id: 'u1', username: 'ann', full_name: '', role: 'staff', warehouse: 'WH2' },
        { id: 'u2', username: 'bob', full_name: '', role: 'staff', warehouse: null },
        { id: 'u3', username: 'cy', full_name: '', role: 'staff', warehouse: 'WH1' },
      ],
      [],
      null,
      'WH1',
    );
    expect(options.map((o) => [o.id, o.disabled, o.why])).toEqual([
      ['u1', true, 'works in another warehouse (WH2)'],
      ['u2', false, null],
      ['u3', false, null],
    ]);
  });
});

describe('touchesRecounts', () => {
  it('refreshes on this session’s counts and reviews, not on heartbeats or other sessions', () => {
    expect(touchesRecounts({ type: 'scan', session_id: 's1' }, 's1')).toBe(true);
    expect(touchesRecounts({ type: 'review', session_id: 's1' }, 's1')).toBe(true);
    // The drain's notice: items shown pending get their figures at count.
    expect(touchesRecounts({ type: 'at_count', session_id: 's1' }, 's1')).toBe(true);
    expect(touchesRecounts({ type: 'at_count', session_id: 's2' }, 's1')).toBe(false);
    expect(touchesRecounts({ type: 'scan', session_id: 's2' }, 's1')).toBe(false);
    expect(touchesRecounts({ type: 'heartbeat', session_id: 's1' }, 's1')).toBe(false);
  });
});

describe('decisionRequest', () => {
  it('takes a count with a reason', () => {
    expect(decisionRequest(form({ count_id: 'op-1', reason: ' matches the shelf ' }))).toEqual({
      ok: true,
      body: { kind: 'set', count_id: 'op-1', reason: 'matches the shelf' },
    });
  });
  it('refuses a decision without a reason, and a take without a count, on their fields', () => {
    expect(decisionRequest(form({ reason: '   ' }))).toEqual({
      ok: false,
      errors: {
        count_id: 'choose the count whose figure to take',
        reason: 'a decision needs a reason',
      },
    });
  });
  it('checks a typed quantity', () => {
    expect(decisionRequest(form({ kind: 'quantity', quantity: '', reason: 'x' }))).toEqual({
      ok: false,
      errors: { quantity: 'type the quantity' },
    });
    expect(decisionRequest(form({ kind: 'quantity', quantity: '12a', reason: 'x' }))).toEqual({
      ok: false,
      errors: { quantity: 'must be a number' },
    });
    expect(decisionRequest(form({ kind: 'quantity', quantity: '-1', reason: 'x' }))).toEqual({
      ok: false,
      errors: { quantity: 'must not be negative' },
    });
    expect(decisionRequest(form({ kind: 'quantity', quantity: '41.5', reason: 'x' }))).toEqual({
      ok: true,
      body: { kind: 'set', quantity: 41.5, reason: 'x' },
    });
    const long = decisionRequest(
      form({ kind: 'quantity', quantity: '1', reason: 'x'.repeat(1001) }),
    );
    expect(long.ok).toBe(false);
    expect(!long.ok && long.errors.reason).toBeTruthy();
  });
  it('asks for a recount with an optional reason and counter', () => {
    expect(decisionRequest(form({ kind: 'recount' }))).toEqual({
      ok: true,
      body: { kind: 'recount' },
    });
    expect(decisionRequest(form({ kind: 'recount', reason: 'torn box', assign_to: 'u2' }))).toEqual(
      { ok: true, body: { kind: 'recount', reason: 'torn box', assign_to: 'u2' } },
    );
  });
});

describe('decisionErrorsFrom', () => {
  it('puts the server’s field problems on the form’s fields', () => {
    expect(
      decisionErrorsFrom('VALIDATION_FAILED', 'Invalid', [
        { path: 'body.reason', message: 'a decision needs a reason' },
        { path: 'body', message: 'count_id or quantity, not both' },
      ]),
    ).toEqual({
      fields: { reason: 'a decision needs a reason' },
      other: 'body: count_id or quantity, not both',
    });
  });
  it('puts an excluded counter on the assignee', () => {
    expect(
      decisionErrorsFrom('RECOUNT_COUNTER_EXCLUDED', 'bob already counted this bin', [
        { path: 'body.user_id', message: 'already counted this bin' },
      ]),
    ).toEqual({ fields: { assign_to: 'already counted this bin' }, other: null });
    expect(decisionErrorsFrom('RECOUNT_COUNTER_EXCLUDED', 'bob counted it', [])).toEqual({
      fields: { assign_to: 'bob counted it' },
      other: null,
    });
    expect(decisionErrorsFrom('NOT_FOUND', 'No such bin', [])).toEqual({
      fields: {},
      other: 'No such bin',
    });
  });
});

describe('openBinsFrom', () => {
  it('reads the open bins from the details or beside them, once each, skipping the rest', () => {
    const a = { rack: 'R1', item_code: 'ITM-1', state: 'open', task_id: 't1', late_counts: 0 };
    const b = {
      rack: 'R2',
      item_code: 'ITM-2',
      state: 'needs_supervisor',
      task_id: null,
      late_counts: 0,
    };
    expect(openBinsFrom([a, { path: 'x', message: 'y' }], { open_bins: [a, b] })).toEqual([a, b]);
    expect(openBinsFrom([], { bins: [b] })).toEqual([b]);
    expect(openBinsFrom([{ rack: 'R1' }])).toEqual([]);
  });
});

describe('bookWords', () => {
  it('says the book at count beside the snapshot’s where the ERP moved the item', () => {
    expect(bookWords(95, { basis: 'at_count', snapshot_qty: 100, at_count_qty: 95 })).toBe(
      '95 at count (snapshot 100: ERP movements before the count)',
    );
  });
  it('the snapshot’s book alone otherwise, and from a server that does not say', () => {
    expect(bookWords(100, { basis: 'snapshot', snapshot_qty: 100, at_count_qty: null })).toBe(
      '100',
    );
    expect(bookWords(12.5, undefined)).toBe('12.5');
  });
});
