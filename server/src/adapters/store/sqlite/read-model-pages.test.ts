/**
 * What the read model adds to a line write's commit, in pages (issue #13: "sync throughput within
 * 10 % of the same run without the read model"). SQLite's UPDATE rewrites every index holding a
 * column it sets, whether or not the value changed, and each index entry rewritten dirties a page
 * the commit writes to the WAL. A correction with the same figure (a counter re-checking a bin)
 * leaves the item's variance and value as they were: the model's item row then updates only the
 * columns no index holds. Before, every line write set the variance and value columns too, and
 * rewrote both of their indexes (rm_items_abs_variance, rm_items_abs_value), and each write gave
 * its item's mark for the at-count drain a new sequence, a page each in a table of random keys:
 * in this test about 64 more pages per 20-line transaction than without the model; now 3
 * (at-count-marks.contract.test.ts: a waiting mark is left as it is).
 *
 * Counted in WAL frames, deterministic for these writes: the same corrections (ids included) into
 * two copies of one database, one with the model kept and one without (`skipReadModelUpkeep`, the
 * benchmark switch), no checkpoint between.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CountLineRecord } from '../../../ports/counting';
import { makeLine, makeSession, makeSnapshotRow } from '../../../../test/support/counting-records';
import { createSqliteStore } from './index';
import { openDatabase } from './database';
import { createSqliteLineRepo } from './lines';

const ITEMS = 20_000;
const RACKS = 400;
const PER_RACK = ITEMS / RACKS;
const SESSION = 'S-PAGES';
const FRAME = 4096 + 24;
const racks = Array.from({ length: RACKS }, (_, i) => `R-${String(i + 1).padStart(4, '0')}`);
const codes = Array.from({ length: ITEMS }, (_, i) => `ITM-${String(i).padStart(6, '0')}`);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-rm-pages-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let clock = Date.parse('2026-12-01T08:00:00.000Z');
/** A rack's counts by one counter: each of its items once, a figure from 1 to 40. */
function rackBatch(rack: number): CountLineRecord[] {
  clock += 60_000;
  return Array.from({ length: PER_RACK }, (_, n) => {
    const at = new Date(clock + n).toISOString();
    const counted = 1 + ((rack * 31 + n * 7) % 40);
    return makeLine(randomUUID(), {
      id: randomUUID(),
      session_id: SESSION,
      rack: racks[rack]!,
      item_code: codes[(rack + n * RACKS) % ITEMS]!,
      counted_qty: counted,
      damaged_qty: 0,
      book_qty: 5,
      variance: counted - 5,
      value_at_cost: 0,
      value_at_price: 0,
      status: 'PENDING',
      counted_by: `u-${rack % 40}`,
      counted_by_name: `counter${rack % 40}`,
      counted_at: at,
      received_at: at,
    });
  });
}

/** The same figures again, each correcting its line, a minute later. */
function corrections(lines: readonly CountLineRecord[]): CountLineRecord[] {
  clock += 60_000;
  return lines.map((line, n) => {
    const at = new Date(clock + n).toISOString();
    return {
      ...line,
      id: randomUUID(),
      op_id: randomUUID(),
      supersedes: line.op_id,
      counted_at: at,
      received_at: at,
    };
  });
}

describe('the read model on a line write, in pages', () => {
  it('a correction with the same figure writes no page of its item, its indexes or its mark', async () => {
    const file = path.join(dir, 'kept.db');
    const store = createSqliteStore({ file });
    await store.init();
    // A session with an ERP watermark: each line write also sets its item pending (issue #17).
    await store.sessions.create(
      makeSession(SESSION, { racks, snapshot_items: ITEMS, erp_watermark: '0' }),
      codes.map((code) => makeSnapshotRow(SESSION, code, { book_qty: 5, cost: 1.5, price: 3 })),
    );
    const counted: CountLineRecord[][] = [];
    for (let r = 0; r < RACKS; r++) {
      const batch = rackBatch(r);
      await store.lines.insertMany(batch);
      if (r % 40 === 0) counted.push(batch);
    }
    await store.close();
    for (const ext of ['', '-wal', '-shm'])
      if (fs.existsSync(file + ext))
        fs.copyFileSync(file + ext, path.join(dir, `skipped.db${ext}`));

    // The same corrections, ids included, into both copies: with ids drawn for each copy apart,
    // the line indexes' page splits differed between them by a few pages per transaction, as
    // much as the model's own (the difference once came out −1.2).
    const again = counted.map((batch) => corrections(batch).slice(0, 40));
    const framesPerTransaction = async (name: string, skipReadModelUpkeep: boolean) => {
      const at = path.join(dir, name);
      const db = openDatabase(at);
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.pragma('wal_autocheckpoint = 0');
      const lines = createSqliteLineRepo(db, { skipReadModelUpkeep });
      let frames = 0;
      let transactions = 0;
      for (const batch of again) {
        // 20 lines per transaction (the sync endpoint writes up to FLUSH_LINES, 50: fewer pages
        // per line still, as the rows every commit rewrites are shared by more lines).
        for (let k = 0; k < batch.length; k += 20) {
          const before = fs.statSync(`${at}-wal`).size;
          const outcomes = await lines.insertMany(batch.slice(k, k + 20));
          expect(outcomes.every((o) => o.ok)).toBe(true);
          frames += (fs.statSync(`${at}-wal`).size - before) / FRAME;
          transactions++;
        }
      }
      db.close();
      return frames / transactions;
    };
    const kept = await framesPerTransaction('kept.db', false);
    const skipped = await framesPerTransaction('skipped.db', true);
    // The items' rows do not change and their marks wait (the drain has not run): what is left
    // is the few pages the session's, racks', counter's and day's rows share, measured 3 more than
    // without the model. Rewriting each item's row with its variance and value indexes, and its
    // mark, made it about 64; the mark alone, about 24.
    expect(kept - skipped).toBeGreaterThan(0);
    expect(kept - skipped).toBeLessThan(8);
  }, 60_000);
});
