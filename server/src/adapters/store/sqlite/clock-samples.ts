/**
 * ClockSampleRepo and ItemLineReads on SQLite (issue #17, docs/design.md §13). Samples are keyed
 * by device and server receive time; each write prunes the device's samples beyond
 * CLOCK_SAMPLES_PER_DEVICE (an index seek on the same key).
 */
import {
  CLOCK_SAMPLES_PER_DEVICE,
  type ClockSampleRepo,
  type ItemLineReads,
  type StoredClockSample,
} from '../../../ports/clock-samples';
import { lazy, type Db } from './database';
import { LINE_COLUMNS, toLineRecord, type LineRow } from './lines';

/** Migration 16. */
export const CLOCK_SAMPLES_SCHEMA = `
  -- Device clock samples (issue #17): one per sync request; two-way when the phone reported the
  -- round trip of the answer on a later request.
  CREATE TABLE clock_samples (
    user_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    server_received_at TEXT NOT NULL,
    client_sent_at TEXT NOT NULL,
    server_sent_at TEXT NOT NULL,
    client_received_at TEXT,
    PRIMARY KEY (user_id, device_id, server_received_at)
  ) WITHOUT ROWID;
`;

const SAMPLE_COLUMNS =
  'user_id, device_id, server_received_at, client_sent_at, server_sent_at, client_received_at';

export function createSqliteClockSampleRepo(db: Db): ClockSampleRepo {
  const s = lazy(() => ({
    insert: db.prepare<[Omit<StoredClockSample, 'client_received_at'>]>(
      `INSERT OR IGNORE INTO clock_samples (${SAMPLE_COLUMNS}) VALUES (@user_id, @device_id,
        @server_received_at, @client_sent_at, @server_sent_at, NULL)`,
    ),
    complete: db.prepare<[StoredClockSample]>(
      `UPDATE clock_samples SET client_received_at = @client_received_at
       WHERE user_id = @user_id AND device_id = @device_id AND server_received_at = @server_received_at
         AND client_sent_at = @client_sent_at AND server_sent_at = @server_sent_at
         AND client_received_at IS NULL`,
    ),
    prune: db.prepare<[string, string, string, string, number]>(
      `DELETE FROM clock_samples WHERE user_id = ? AND device_id = ? AND server_received_at < (
         SELECT server_received_at FROM clock_samples WHERE user_id = ? AND device_id = ?
         ORDER BY server_received_at DESC LIMIT 1 OFFSET ?)`,
    ),
    list: db.prepare<[string, string], StoredClockSample>(
      `SELECT ${SAMPLE_COLUMNS} FROM clock_samples WHERE user_id = ? AND device_id = ?
       ORDER BY server_received_at`,
    ),
  }));
  const record = db.transaction((sample: Omit<StoredClockSample, 'client_received_at'>) => {
    s().insert.run(sample);
    const { user_id: user, device_id: device } = sample;
    s().prune.run(user, device, user, device, CLOCK_SAMPLES_PER_DEVICE - 1);
  });
  return {
    async record(sample) {
      record.immediate(sample);
    },
    async completeRoundTrip(sample) {
      return s().complete.run(sample).changes === 1;
    },
    async list(keys) {
      const out: StoredClockSample[] = [];
      const seen = new Set<string>();
      for (const k of keys) {
        const id = JSON.stringify([k.user_id, k.device_id]);
        if (seen.has(id)) continue;
        seen.add(id);
        out.push(...s().list.all(k.user_id, k.device_id));
      }
      return out.sort((a, b) => a.server_received_at.localeCompare(b.server_received_at));
    },
  };
}

export function createSqliteItemLineReads(db: Db): ItemLineReads {
  const s = lazy(() =>
    db.prepare<[string, string, number], LineRow>(
      // count_lines_bin (session, item, …): without INDEXED BY SQLite picked count_lines_received
      // for the ORDER BY and read every line of the session (6 ms at 20,000 lines).
      `SELECT ${LINE_COLUMNS} FROM count_lines INDEXED BY count_lines_bin
       WHERE session_id = ? AND item_code = ?
         AND superseded_by IS NULL AND status NOT IN ('REJECTED', 'CANDIDATE')
       ORDER BY received_at, id LIMIT ?`,
    ),
  );
  return {
    async ofItem(sessionId, itemCode, limit) {
      return s().all(sessionId, itemCode, limit).map(toLineRecord);
    },
  };
}
