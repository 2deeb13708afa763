/**
 * What the session read model's upkeep costs a sync batch (issue #13: "sync throughput within
 * 10 % of the same run without the read model"), measured in-process on the SQLite store — not a
 * test, and not the session benchmark (`npm run bench:session`, which measures it end to end with
 * `--compare-env BENCH_SKIP_READ_MODEL=true`).
 *
 * One session of UPKEEP_ITEMS (50,000) snapshot items over UPKEEP_RACKS (1,000) racks is filled
 * with UPKEEP_LINES (100,000) count lines in batches of UPKEEP_BATCH (500) through
 * `store.lines.insertMany` (the write the sync endpoint makes), read model kept. The database file
 * (in UPKEEP_DIR, default /dev/shm: tmpfs, so the disk is not measured) is then copied, and the
 * copy opened with the upkeep off (`skipReadModelUpkeep`, config BENCH_SKIP_READ_MODEL). Then
 * UPKEEP_PAIRS (25) pairs of the same fresh batch (one rack's records, mostly the rack's own
 * items, one in eight an item found elsewhere, as in bench:session) go into both, in alternating
 * order, after UPKEEP_WARMUP (3) pairs not counted. Prints the median milliseconds per batch with
 * and without the upkeep, what the upkeep adds, and the throughput it costs
 * (1 − without / with; budget 10 %).
 *
 *   npm run bench:upkeep            (cd server && npx tsx bench/upkeep.bench.ts)
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { computeVariance, varianceValue } from '@stockverify/shared';
import { createSqliteStore } from '../src/adapters/store/sqlite';
import type { CountLineRecord } from '../src/ports/counting';
import type { Store } from '../src/ports/store';
import { makeLine, makeSession, makeSnapshotRow } from '../test/support/counting-records';

function option(name: string, fallback: number): number {
  const raw = process.env[`UPKEEP_${name}`];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`UPKEEP_${name} must be a whole number ≥ 1`);
  return n;
}

const LINES = option('LINES', 100_000);
const ITEMS = option('ITEMS', 50_000);
const RACKS = option('RACKS', 1_000);
const BATCH = option('BATCH', 500);
const PAIRS = option('PAIRS', 25);
const WARMUP = option('WARMUP', 3);
/** Lines per store transaction in the sync endpoint (FLUSH_LINES, modules/counting/sync-batch.ts). */
const SYNC_FLUSH_LINES = 50;
const CHUNKS = (process.env.UPKEEP_CHUNKS ?? `${SYNC_FLUSH_LINES},${BATCH}`).split(',').map((c) => {
  const n = Number(c);
  if (!Number.isInteger(n) || n < 1)
    throw new Error('UPKEEP_CHUNKS: whole numbers ≥ 1, comma-separated');
  return n;
});
const COUNTERS = 40;
const SESSION = 'S-UPKEEP';
/** UPKEEP_CORRECTIONS=1: every measured record corrects a standing line (corrections below). */
const CORRECTING = process.env.UPKEEP_CORRECTIONS === '1';
/**
 * UPKEEP_WATERMARK=1: the session has an ERP watermark (issue #17), so each line write also sets
 * its item pending and marks it for the expected-at-count drain (not run here).
 */
const WATERMARKED = process.env.UPKEEP_WATERMARK === '1';
const dirRoot = process.env.UPKEEP_DIR ?? (fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir());

const racks = Array.from({ length: RACKS }, (_, i) => `R-${String(i + 1).padStart(4, '0')}`);
const codes = Array.from({ length: ITEMS }, (_, i) => `ITM-${String(i).padStart(6, '0')}`);
const snapshot = codes.map((code, i) => ({
  code,
  book: (i % 17) + 1,
  cost: 1 + (i % 50) / 4,
  price: 2 + (i % 50) / 2,
}));
// Each rack holds its own items (ITEMS / RACKS of them, codes spread over the whole range), as the
// demo's stock does.
const perRack = Math.max(1, Math.floor(ITEMS / RACKS));

let sequence = 0;
/** Record `n` of a batch on `rack`: one in eight an item found elsewhere. */
function lineOf(rack: number, n: number, at: number): CountLineRecord {
  const k = sequence++;
  const own = n % 8 !== 7;
  const item = own
    ? (rack + ((n * 7 + (k % 3)) % perRack) * RACKS) % ITEMS
    : (Math.imul(k, 2654435761) >>> 0) % ITEMS;
  const snap = snapshot[item]!;
  const counted = 1 + ((Math.imul(k, 2246822519) >>> 0) % 40);
  const damaged = k % 23 === 0 ? 1 : 0;
  const variance = computeVariance(
    { counted_qty: counted, non_returnable_damaged_qty: 0 },
    snap.book,
  );
  const values = varianceValue(variance, { cost: snap.cost, price: snap.price });
  // A batch is one phone's: one counter per rack.
  const user = rack % COUNTERS;
  const iso = new Date(at + n).toISOString();
  return makeLine(randomUUID(), {
    id: randomUUID(),
    session_id: SESSION,
    rack: racks[rack]!,
    item_code: snap.code,
    counted_qty: counted,
    damaged_qty: damaged,
    book_qty: snap.book,
    variance,
    value_at_cost: values.at_cost,
    value_at_price: values.at_price,
    status: Math.abs(variance) > 30 ? 'NEEDS_REVIEW' : 'PENDING',
    counted_by: `u-${user}`,
    counted_by_name: `counter${user}`,
    counted_at: iso,
    received_at: iso,
  });
}

let clock = Date.parse('2026-12-01T08:00:00.000Z');
function batchOn(rack: number, size = BATCH): CountLineRecord[] {
  clock += 60_000;
  return Array.from({ length: size }, (_, n) => lineOf(rack % RACKS, n, clock));
}

/**
 * The corrections shape (UPKEEP_CORRECTIONS=1; bench:session's phones once every bin is counted):
 * each record corrects (`supersedes`) the line that stands for its bin, with the same figure, a
 * minute later. The lines that stand, by op id: the ones the last batch wrote or corrected.
 */
function corrections(standing: readonly CountLineRecord[]): CountLineRecord[] {
  clock += 60_000;
  return standing.map((line, n) => {
    const opId = randomUUID();
    const iso = new Date(clock + n).toISOString();
    return {
      ...line,
      id: randomUUID(),
      op_id: opId,
      supersedes: line.op_id,
      counted_at: iso,
      received_at: iso,
    };
  });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
const r1 = (x: number) => Math.round(x * 10) / 10;

/** Wall and CPU milliseconds (CPU: the whole process, the WAL checkpointer's thread included). */
interface Took {
  wall: number;
  cpu: number;
  /** The longest one transaction (wall): how long it held the event loop. */
  longest: number;
}

/** Writes a batch as `chunk`-line transactions, as the sync endpoint does. */
async function timed(
  store: Store,
  batch: readonly CountLineRecord[],
  chunk: number,
): Promise<Took> {
  const took = { wall: 0, cpu: 0, longest: 0 };
  for (let k = 0; k < batch.length; k += chunk) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const outcomes = await store.lines.insertMany(batch.slice(k, k + chunk));
    const wall = performance.now() - t0;
    took.wall += wall;
    took.longest = Math.max(took.longest, wall);
    const c = process.cpuUsage(c0);
    took.cpu += (c.user + c.system) / 1000;
    const refused = outcomes.find((o) => !o.ok);
    if (refused) throw new Error(`a line was refused: ${JSON.stringify(refused).slice(0, 200)}`);
  }
  return took;
}

const dir = fs.mkdtempSync(path.join(dirRoot, 'sv-bench-upkeep-'));
const fileKept = path.join(dir, 'kept.db');
const fileSkipped = path.join(dir, 'skipped.db');
try {
  const started = performance.now();
  const filler = createSqliteStore({ file: fileKept });
  await filler.init();
  await filler.sessions.create(
    makeSession(SESSION, {
      racks,
      snapshot_items: ITEMS,
      ...(WATERMARKED ? { erp_watermark: '0' } : {}),
    }),
    snapshot.map((s) =>
      makeSnapshotRow(SESSION, s.code, { book_qty: s.book, cost: s.cost, price: s.price }),
    ),
  );
  const fillBatches: CountLineRecord[][] = [];
  for (let n = 0; n < LINES; n += BATCH) {
    const batch = batchOn(n / BATCH, Math.min(BATCH, LINES - n));
    await filler.lines.insertMany(batch);
    if (n + BATCH * 8 >= LINES) fillBatches.push(batch);
  }
  await filler.close();
  fs.copyFileSync(fileKept, fileSkipped);
  const fillSeconds = (performance.now() - started) / 1000;

  const kept = createSqliteStore({ file: fileKept });
  const skipped = createSqliteStore({ file: fileSkipped, skipReadModelUpkeep: true });
  await kept.init();
  await skipped.init();
  // The sync endpoint writes a batch's count lines FLUSH_LINES (20) to a store transaction
  // (modules/counting/sync-batch.ts); one transaction of the whole batch is the other shape.
  const shapes = CHUNKS.map((chunk) => ({
    label:
      chunk >= BATCH
        ? `${BATCH} records in one transaction`
        : `${BATCH} records, ${chunk} lines per transaction${chunk === SYNC_FLUSH_LINES ? ' (as the sync writes them)' : ''}`,
    chunk,
  }));
  const samples = shapes.map(() => ({ with: [] as Took[], without: [] as Took[] }));
  let rack = Math.floor(LINES / BATCH);
  // The corrections shape: the batches of the last racks filled are the standing lines, each
  // corrected in turn (a batch and its corrections go into both databases alike).
  let round = 0;
  const standing = new Map<number, CountLineRecord[]>();
  for (let pair = 0; pair < WARMUP + PAIRS; pair++) {
    for (const [s, shape] of shapes.entries()) {
      let batch: CountLineRecord[];
      if (CORRECTING) {
        const r = round++ % Math.min(8, Math.floor(LINES / BATCH));
        batch = corrections(standing.get(r) ?? fillBatches[fillBatches.length - 1 - r]!);
        standing.set(r, batch);
      } else batch = batchOn(rack++);
      // The same records into both (ids are unique per database, and each is its own file), in
      // alternating order.
      let a: Took;
      let b: Took;
      if (pair % 2 === 0) {
        a = await timed(kept, batch, shape.chunk);
        b = await timed(skipped, batch, shape.chunk);
      } else {
        b = await timed(skipped, batch, shape.chunk);
        a = await timed(kept, batch, shape.chunk);
      }
      if (pair >= WARMUP) {
        samples[s]!.with.push(a);
        samples[s]!.without.push(b);
      }
    }
  }
  await kept.close();
  await skipped.close();

  console.log(
    `upkeep bench: ${LINES} lines of ${ITEMS} items over ${RACKS} racks (filled in ${r1(fillSeconds)} s), ${PAIRS} pairs per shape after ${WARMUP} warm-up, database in ${dirRoot}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const rows = shapes.map((shape, s) => {
    const { with: withT, without: withoutT } = samples[s]!;
    const row: Record<string, string | number> = { shape: shape.label };
    for (const kind of ['wall', 'cpu'] as const) {
      const withMed = median(withT.map((t) => t[kind]));
      const withoutMed = median(withoutT.map((t) => t[kind]));
      const cost = 1 - withoutMed / withMed;
      row[`${kind} ms with / without`] = `${r1(withMed)} / ${r1(withoutMed)}`;
      row[`${kind}: upkeep ms`] = r1(median(withT.map((t, i) => t[kind] - withoutT[i]![kind])));
      row[`${kind}: throughput cost`] = `${Math.round(cost * 1000) / 10} %`;
    }
    row['longest transaction ms with / without'] =
      `${r1(median(withT.map((t) => t.longest)))} / ${r1(median(withoutT.map((t) => t.longest)))}`;
    return row;
  });
  console.table(rows);
  console.log(
    'medians of the pairs; throughput cost = 1 − (ms without / ms with), what the upkeep takes off records/s (budget: 10 %); CPU: of the whole process while the batch is written (the WAL checkpointer thread included), steadier than wall time on a shared machine',
  );
  if (process.env.UPKEEP_JSON) fs.writeFileSync(process.env.UPKEEP_JSON, JSON.stringify(rows));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
