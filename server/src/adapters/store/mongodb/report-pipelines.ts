/**
 * The aggregation pipelines of the MongoDB reports (issue #6), pure so they are unit-tested
 * without a server (report-pipelines.test.ts): which lines a report scope chooses, the snapshot
 * and item-master lookups, and the groupings per (session, item), per (session, counter) and per
 * counter. reports.ts runs them; report-items.ts and report-people.ts finish their rows.
 */
import type { Document, Filter } from 'mongodb';
import type { SessionRecord } from '../../../ports/counting';
import type { ReportQuery, ReportScope } from '../../../ports/reports';
import type { CountLineDocument } from './collections';
import { counterSessionSums } from './line-pipelines';

/** Names of the collections a pipeline looks up. */
export interface LookupNames {
  snapshot: string;
  items: string;
  lines: string;
}

/** The sessions a scope chooses (warehouse, session / session_ids, created_at in [from, to)). */
export function sessionFilter(scope: ReportScope): Filter<SessionRecord> {
  const filter: Filter<SessionRecord> = {};
  if (scope.warehouse !== undefined) filter.warehouse = scope.warehouse;
  const ids = scope.session_ids ? [...scope.session_ids] : null;
  if (scope.session !== undefined)
    filter.id = { $in: ids ? ids.filter((id) => id === scope.session) : [scope.session] };
  else if (ids) filter.id = { $in: ids };
  if (scope.from !== undefined || scope.to !== undefined) {
    filter.created_at = {
      ...(scope.from !== undefined && { $gte: scope.from }),
      ...(scope.to !== undefined && { $lt: scope.to }),
    };
  }
  return filter;
}

/** The line filter of a scope over the chosen sessions (category is applied after lookup). */
export function lineMatch(
  scope: ReportScope,
  sessions: readonly SessionRecord[],
  countingOnly: boolean,
): Filter<CountLineDocument> {
  const match: Filter<CountLineDocument> = { session_id: { $in: sessions.map((s) => s.id) } };
  if (countingOnly) {
    match.superseded_by = null;
    match.status = { $nin: ['REJECTED', 'CANDIDATE'] };
  }
  if (scope.user !== undefined) match.counted_by = scope.user;
  if (scope.racks) {
    const racks = scope.racks;
    const perSession = sessions.map((s) => ({
      session_id: s.id,
      rack: { $in: racks.filter((r) => r.warehouse === s.warehouse).map((r) => r.rack) },
    }));
    // MongoDB refuses an empty $or: no session means no line.
    if (perSession.length > 0) match.$or = perSession;
  }
  return match;
}

/** Looks up the line's or group's snapshot row and item, and its category. */
export function lookups(names: LookupNames, sessionField: string, itemField: string): Document[] {
  return [
    {
      $lookup: {
        from: names.snapshot,
        let: { s: sessionField, i: itemField },
        pipeline: [
          {
            $match: {
              $expr: { $and: [{ $eq: ['$session_id', '$$s'] }, { $eq: ['$item_code', '$$i'] }] },
            },
          },
          { $project: { _id: 0, name: 1, category: 1, book_qty: 1, cost: 1, price: 1 } },
        ],
        as: 'snapshot',
      },
    },
    {
      $lookup: {
        from: names.items,
        localField: itemField.slice(1),
        foreignField: 'item_code',
        pipeline: [{ $project: { _id: 0, name: 1, category: 1 } }],
        as: 'item',
      },
    },
    {
      $addFields: {
        category: {
          $cond: [
            { $gt: [{ $size: '$snapshot' }, 0] },
            { $arrayElemAt: ['$snapshot.category', 0] },
            { $ifNull: [{ $arrayElemAt: ['$item.category', 0] }, null] },
          ],
        },
      },
    },
  ];
}

/** Lines that count, with the category filter applied per line. */
export function linesPipeline(
  names: LookupNames,
  scope: ReportScope,
  sessions: readonly SessionRecord[],
): Document[] {
  const stages: Document[] = [{ $match: lineMatch(scope, sessions, true) }];
  if (scope.category !== undefined) {
    stages.push(...lookups(names, '$session_id', '$item_code'), {
      $match: { category: scope.category },
    });
  }
  return stages;
}

/** Per (session, item) sums of the chosen lines, in session then item order, after a key. */
export function pairsPipeline(
  names: LookupNames,
  scope: ReportScope,
  sessions: readonly SessionRecord[],
  after?: ReportQuery['after'],
): Document[] {
  const keyset: Document[] = after
    ? [
        {
          $match: {
            $or: [
              { session_id: { $gt: after.session_id } },
              { session_id: after.session_id, item_code: { $gt: after.item_code } },
            ],
          },
        },
      ]
    : [];
  return [
    ...keyset,
    ...linesPipeline(names, scope, sessions),
    {
      $group: {
        _id: { session_id: '$session_id', item_code: '$item_code' },
        counted_qty: { $sum: '$counted_qty' },
        damaged_qty: { $sum: '$damaged_qty' },
        written_off_qty: { $sum: '$non_returnable_damaged_qty' },
        lines: { $sum: 1 },
        racks: { $addToSet: '$rack' },
        counters: { $addToSet: '$counted_by_name' },
        reasons: { $addToSet: '$variance_reason' },
        statuses: { $addToSet: '$status' },
        photos: { $sum: { $size: '$photo_ids' } },
        last_counted_at: { $max: '$counted_at' },
      },
    },
    { $sort: { '_id.session_id': 1, '_id.item_code': 1 } },
    ...lookups(names, '$_id.session_id', '$_id.item_code'),
  ];
}

/** Distinct counters per session over the chosen lines (session history with a line filter). */
export function sessionCountersPipeline(
  names: LookupNames,
  scope: ReportScope,
  sessions: readonly SessionRecord[],
): Document[] {
  return [
    ...linesPipeline(names, scope, sessions),
    { $group: { _id: '$session_id', users: { $addToSet: '$counted_by' } } },
  ];
}

/** Per (counter, session) figures of the chosen lines, as `store.lines.stats` sums them. */
export function counterSessionsPipeline(
  names: LookupNames,
  scope: ReportScope,
  sessions: readonly SessionRecord[],
): Document[] {
  return [...linesPipeline(names, scope, sessions), { $group: counterSessionSums('items') }];
}

/**
 * Per counter over every line they wrote in the chosen lines' scope (corrected and rejected ones
 * too): lines written, and those a supervisor rejected or a correction changed.
 */
export function writtenPipeline(
  names: LookupNames,
  scope: ReportScope,
  sessions: readonly SessionRecord[],
): Document[] {
  return [
    { $match: lineMatch(scope, sessions, false) },
    ...(scope.category !== undefined
      ? [...lookups(names, '$session_id', '$item_code'), { $match: { category: scope.category } }]
      : []),
    {
      $lookup: {
        from: names.lines,
        localField: 'superseded_by',
        foreignField: 'op_id',
        pipeline: [
          {
            $project: { _id: 0, counted_qty: 1, damaged_qty: 1, non_returnable_damaged_qty: 1 },
          },
        ],
        as: 'next',
      },
    },
    {
      $group: {
        _id: '$counted_by',
        lines_written: { $sum: 1 },
        lines_overturned: {
          $sum: {
            $cond: [
              {
                $or: [
                  { $eq: ['$status', 'REJECTED'] },
                  {
                    $anyElementTrue: {
                      $map: {
                        input: '$next',
                        as: 'n',
                        in: {
                          $or: [
                            { $ne: ['$$n.counted_qty', '$counted_qty'] },
                            { $ne: ['$$n.damaged_qty', '$damaged_qty'] },
                            {
                              $ne: [
                                '$$n.non_returnable_damaged_qty',
                                '$non_returnable_damaged_qty',
                              ],
                            },
                          ],
                        },
                      },
                    },
                  },
                ],
              },
              1,
              0,
            ],
          },
        },
      },
    },
  ];
}
