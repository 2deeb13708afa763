/**
 * The store reads the root-cause hints need beyond an item's lines and movements (issue #17,
 * docs/design.md §13 "Root-cause hints"): where a serial was seen before, the item's variance in
 * earlier sessions, and which racks of a session have been counted. Each read is bounded by its
 * caller's limit and served by an index (modules/movements/hint-facts.ts reads them).
 */
import type { SerialSighting } from './counting';

export interface EarlierVarianceRow {
  session_id: string;
  closed_at: string;
  /** The item's variance against that session's snapshot, in thousandths. */
  variance_milli: number;
}

export interface RackSerial {
  session_id: string;
  rack: string;
  serial: string;
  line_id: string;
  counted_at: string;
}

export interface HintFactReads {
  /**
   * Sightings of `serial` for `itemCode`, latest first (by `counted_at`), at most `limit`,
   * leaving out those of the lines in `exceptLineIds` (the line itself).
   */
  serialSightings(
    itemCode: string,
    serial: string,
    exceptLineIds: readonly string[],
    limit: number,
  ): Promise<SerialSighting[]>;
  /**
   * The item's variance in the warehouse's sessions created before `before` and closed (a
   * `closed_at`), where the item was counted (a read-model row with lines), latest first (by
   * creation), at most `limit`, looking at no more than `scan` sessions.
   */
  earlierVariances(query: {
    warehouse: string;
    itemCode: string;
    before: string;
    exceptSessionId: string;
    limit: number;
    scan: number;
  }): Promise<EarlierVarianceRow[]>;
  /**
   * The serials on the item's lines that count in these sessions and racks, one row per serial
   * and line, latest count first, at most `limit` rows (an earlier session's serials in the racks
   * the item is counted in now: those not counted again may have moved).
   */
  serialsInRacks(query: {
    sessionIds: readonly string[];
    itemCode: string;
    racks: readonly string[];
    limit: number;
  }): Promise<RackSerial[]>;
  /** Of `racks`, those with lines that count in the session (the read model's racks). */
  countedRacks(sessionId: string, racks: readonly string[]): Promise<string[]>;
}
