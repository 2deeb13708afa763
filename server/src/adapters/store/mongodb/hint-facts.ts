/**
 * HintFactReads on MongoDB (issue #17, docs/design.md §13 "Root-cause hints"). Each read is served
 * by an existing index: serial_sightings {serial, counted_at}, sessions {warehouse, created_at}
 * with rm_items {session_id, item_code}, rm_racks {session_id, rack}.
 */
import type { Db } from 'mongodb';
import type { CountLineRecord, SerialSighting, SessionRecord } from '../../../ports/counting';
import type { EarlierVarianceRow, HintFactReads, RackSerial } from '../../../ports/hint-facts';
import { COLLECTION } from './collections';
import { READ_MODEL_COLLECTION } from './read-model';

export function createMongoHintFactReads(db: Db): HintFactReads {
  const sightings = db.collection<SerialSighting>(COLLECTION.sightings);
  const sessions = db.collection<SessionRecord>(COLLECTION.sessions);
  const items = db.collection<{
    session_id: string;
    item_code: string;
    lines: number;
    variance_m: number;
  }>(READ_MODEL_COLLECTION.items);
  const racks = db.collection<{ session_id: string; rack: string; lines: number }>(
    READ_MODEL_COLLECTION.racks,
  );
  const lines = db.collection<CountLineRecord>(COLLECTION.lines);
  return {
    async serialsInRacks(q): Promise<RackSerial[]> {
      if (q.sessionIds.length === 0 || q.racks.length === 0) return [];
      // {session_id, item_code, rack, counted_by}: the sessions' and racks' ranges only.
      const docs = await lines
        .find(
          {
            session_id: { $in: [...q.sessionIds] },
            item_code: q.itemCode,
            rack: { $in: [...q.racks] },
            superseded_by: null,
            status: { $nin: ['REJECTED', 'CANDIDATE'] },
            'serials.0': { $exists: true },
          },
          { projection: { _id: 0, id: 1, session_id: 1, rack: 1, serials: 1, counted_at: 1 } },
        )
        .sort({ counted_at: -1, id: 1 })
        .limit(q.limit)
        .toArray();
      return docs
        .flatMap((l) =>
          l.serials.map((serial) => ({
            session_id: l.session_id,
            rack: l.rack,
            serial,
            line_id: l.id,
            counted_at: l.counted_at,
          })),
        )
        .slice(0, q.limit);
    },
    async serialSightings(itemCode, serial, exceptLineIds, limit) {
      const docs = await sightings
        .find({ serial, item_code: itemCode, line_id: { $nin: [...exceptLineIds] } })
        .sort({ counted_at: -1, _id: -1 })
        .limit(limit)
        .toArray();
      return docs.map(({ _id, ...s }) => s as SerialSighting);
    },
    async earlierVariances(q): Promise<EarlierVarianceRow[]> {
      const before = await sessions
        .find(
          { warehouse: q.warehouse, created_at: { $lt: q.before }, id: { $ne: q.exceptSessionId } },
          { projection: { _id: 0, id: 1, closed_at: 1, created_at: 1 } },
        )
        .sort({ created_at: -1 })
        .limit(q.scan)
        .toArray();
      const closed = before.filter((s) => s.closed_at !== null && s.closed_at !== undefined);
      if (closed.length === 0) return [];
      const rows = await items
        .find(
          {
            session_id: { $in: closed.map((s) => s.id) },
            item_code: q.itemCode,
            lines: { $gt: 0 },
          },
          { projection: { _id: 0, session_id: 1, variance_m: 1 } },
        )
        .toArray();
      const variance = new Map(rows.map((r) => [r.session_id, r.variance_m]));
      return closed
        .filter((s) => variance.has(s.id))
        .slice(0, q.limit)
        .map((s) => ({
          session_id: s.id,
          closed_at: s.closed_at!,
          variance_milli: variance.get(s.id)!,
        }));
    },
    async countedRacks(sessionId, list) {
      if (list.length === 0) return [];
      const docs = await racks
        .find(
          { session_id: sessionId, rack: { $in: [...list] }, lines: { $gt: 0 } },
          { projection: { _id: 0, rack: 1 } },
        )
        .toArray();
      return docs.map((d) => d.rack).sort();
    },
  };
}
