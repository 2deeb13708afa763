import { describe, expect, it } from 'vitest';
import { bulkSummary } from './bulk-summary';

const sessions = [
  { id: 's1', name: 'Aisle A', status: 'OPEN' as const },
  { id: 's2', name: 'Aisle B', status: 'CLOSED' as const },
  { id: 's3', name: 'Aisle C', status: 'RECONCILED' as const },
];

describe('what a bulk action will do (issue #14)', () => {
  it('closes only open sessions and names the racks counters still hold', () => {
    const summary = bulkSummary(
      'close',
      sessions,
      new Map([['s1', [{ rack: 'C-05', username: 'ravi' }]]]),
    );
    expect(summary).toMatchObject({
      title: 'Close 1 session?',
      applies: ['Aisle A'],
      ids: ['s1'],
      held: [{ name: 'Aisle A', racks: [{ rack: 'C-05', username: 'ravi' }] }],
      refused: [
        { name: 'Aisle B', why: 'already closed' },
        { name: 'Aisle C', why: 'already reconciled' },
      ],
      confirmLabel: 'Close 1 session',
    });
  });

  it('reconciles only closed sessions and says why an open one is left', () => {
    const summary = bulkSummary('reconcile', sessions, new Map());
    expect(summary.ids).toEqual(['s2']);
    expect(summary.refused).toEqual([
      { name: 'Aisle A', why: 'still open: close it first' },
      { name: 'Aisle C', why: 'already reconciled' },
    ]);
    expect(summary.held).toEqual([]);
  });
});
