/**
 * HintFactReads on SQLite (issue #17, docs/design.md §13 "Root-cause hints"). Every read is one
 * statement over an index: serial_sightings_serial (serial, counted_at, seq), sessions_warehouse
 * (warehouse, created_at) with rm_items' key (session_id, item_code), and rm_racks' key
 * (session_id, rack).
 */
import type { SerialSighting } from '../../../ports/counting';
import type { EarlierVarianceRow, HintFactReads, RackSerial } from '../../../ports/hint-facts';
import { lazy, type Db } from './database';

const SIGHTING_COLUMNS =
  'serial, item_code, session_id, rack, line_id, op_id, counted_by, counted_by_name, condition, counted_at';

export function createSqliteHintFactReads(db: Db): HintFactReads {
  const s = lazy(() => ({
    sightings: db.prepare<
      [{ serial: string; item_code: string; except: string; limit: number }],
      SerialSighting
    >(
      `SELECT ${SIGHTING_COLUMNS} FROM serial_sightings
       WHERE serial = @serial AND item_code = @item_code
         AND line_id NOT IN (SELECT value FROM json_each(@except))
       ORDER BY counted_at DESC, seq DESC LIMIT @limit`,
    ),
    earlier: db.prepare<
      [
        {
          warehouse: string;
          item_code: string;
          before: string;
          except: string;
          limit: number;
          scan: number;
        },
      ],
      EarlierVarianceRow
    >(
      `SELECT s.id AS session_id, s.closed_at AS closed_at, r.variance_m AS variance_milli
       FROM (SELECT id, closed_at, created_at FROM sessions
             WHERE warehouse = @warehouse AND created_at < @before AND id <> @except
             ORDER BY created_at DESC LIMIT @scan) s
       JOIN rm_items r ON r.session_id = s.id AND r.item_code = @item_code
       WHERE s.closed_at IS NOT NULL AND r.lines > 0
       ORDER BY s.created_at DESC, s.id DESC LIMIT @limit`,
    ),
    // count_lines_bin (session_id, item_code, rack, …): the sessions' and racks' ranges only.
    rackSerials: db.prepare<
      [{ sessions: string; item_code: string; racks: string; limit: number }],
      RackSerial
    >(
      `SELECT l.session_id, l.rack, j.value AS serial, l.id AS line_id, l.counted_at
       FROM count_lines l INDEXED BY count_lines_bin, json_each(l.serials) j
       WHERE l.session_id IN (SELECT value FROM json_each(@sessions)) AND l.item_code = @item_code
         AND l.rack IN (SELECT value FROM json_each(@racks))
         AND l.superseded_by IS NULL AND l.status NOT IN ('REJECTED', 'CANDIDATE')
         AND l.serials <> '[]'
       ORDER BY l.counted_at DESC, l.id, j.key LIMIT @limit`,
    ),
    racks: db
      .prepare<[string, string], string>(
        `SELECT rack FROM rm_racks
         WHERE session_id = ? AND rack IN (SELECT value FROM json_each(?)) AND lines > 0
         ORDER BY rack`,
      )
      .pluck(),
  }));
  return {
    async serialSightings(itemCode, serial, exceptLineIds, limit) {
      return s().sightings.all({
        serial,
        item_code: itemCode,
        except: JSON.stringify(exceptLineIds),
        limit,
      });
    },
    async earlierVariances(q) {
      return s().earlier.all({
        warehouse: q.warehouse,
        item_code: q.itemCode,
        before: q.before,
        except: q.exceptSessionId,
        limit: q.limit,
        scan: q.scan,
      });
    },
    async serialsInRacks(q) {
      if (q.sessionIds.length === 0 || q.racks.length === 0) return [];
      return s().rackSerials.all({
        sessions: JSON.stringify(q.sessionIds),
        item_code: q.itemCode,
        racks: JSON.stringify(q.racks),
        limit: q.limit,
      });
    },
    async countedRacks(sessionId, racks) {
      if (racks.length === 0) return [];
      return s().racks.all(sessionId, JSON.stringify(racks));
    },
  };
}
