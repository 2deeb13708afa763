/** The MongoDB report pipelines, pure (no server): session choice, line choice, groupings. */
import type { Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { makeSession } from '../../../../test/support/counting-records';
import {
  lineMatch,
  pairsPipeline,
  sessionFilter,
  writtenPipeline,
  type LookupNames,
} from './report-pipelines';

const names: LookupNames = { snapshot: 'session_snapshot', items: 'items', lines: 'count_lines' };
const sessions = [makeSession('S1', { warehouse: 'WH1' }), makeSession('S2', { warehouse: 'WH2' })];
const stages = (p: Document[], name: string) => p.filter((s) => Object.keys(s)[0] === name);

describe('report pipelines', () => {
  it('choose sessions by warehouse, session within a list, and created_at in [from, to)', () => {
    expect(sessionFilter({})).toEqual({});
    expect(
      sessionFilter({
        warehouse: 'WH1',
        session: 'S2',
        session_ids: ['S1', 'S2'],
        from: '2026-01-01',
        to: '2026-02-01',
      }),
    ).toEqual({
      warehouse: 'WH1',
      id: { $in: ['S2'] },
      created_at: { $gte: '2026-01-01', $lt: '2026-02-01' },
    });
    expect(sessionFilter({ session: 'S9', session_ids: ['S1'] })).toEqual({ id: { $in: [] } });
  });

  it('choose the lines that count, a counter, and each session its own racks', () => {
    expect(
      lineMatch({ user: 'u-1', racks: [{ warehouse: 'WH2', rack: 'C-01' }] }, sessions, true),
    ).toEqual({
      session_id: { $in: ['S1', 'S2'] },
      superseded_by: null,
      status: { $nin: ['REJECTED', 'CANDIDATE'] },
      counted_by: 'u-1',
      $or: [
        { session_id: 'S1', rack: { $in: [] } },
        { session_id: 'S2', rack: { $in: ['C-01'] } },
      ],
    });
    // No session: no $or (MongoDB refuses an empty one), and the $in matches nothing.
    expect(lineMatch({ racks: [] }, [], false)).toEqual({ session_id: { $in: [] } });
  });

  it('group per (session, item) after a keyset bound, looking up snapshot and item last', () => {
    const p = pairsPipeline(names, {}, sessions, { session_id: 'S1', item_code: 'P3' });
    expect(p[0]).toEqual({
      $match: {
        $or: [{ session_id: { $gt: 'S1' } }, { session_id: 'S1', item_code: { $gt: 'P3' } }],
      },
    });
    expect(stages(p, '$sort')).toEqual([{ $sort: { '_id.session_id': 1, '_id.item_code': 1 } }]);
    expect(stages(p, '$lookup').map((s) => (s.$lookup as Document).from)).toEqual([
      'session_snapshot',
      'items',
    ]);
  });

  it('count every line written, looking up the category only under a category filter', () => {
    const plain = writtenPipeline(names, {}, sessions);
    expect(plain[0]).toEqual({ $match: { session_id: { $in: ['S1', 'S2'] } } });
    expect(stages(plain, '$lookup').map((s) => (s.$lookup as Document).from)).toEqual([
      'count_lines',
    ]);
    const byCategory = writtenPipeline(names, { category: 'Tools' }, sessions);
    expect(stages(byCategory, '$match').at(-1)).toEqual({ $match: { category: 'Tools' } });
    expect(stages(byCategory, '$lookup')).toHaveLength(3);
  });
});
