/**
 * Item-master mirror benchmark (issue #13 item 3): mirrors the demo master (100,000 items by
 * default) into a fresh SQLite file twice in the same run —
 *   old: the per-trigram table the server used before migration 6 (one row per trigram per item),
 *   new: the real ErpService.sync into the current schema (one FTS5 trigram document per item;
 *        into an empty mirror it takes the first-mirror path, which builds the items' secondary
 *        indexes once at the end — the `index build ms` column, part of the wall time),
 * then times fuzzy-candidate queries on both and checks they return the same candidates.
 * Prints a table with the ratio and writes bench/results/mirror.json. Not a test.
 *
 *   npm run bench:mirror                      # 100,000 items, one round
 *   BENCH_ITEMS=50000 BENCH_ROUNDS=3 npm run bench:mirror
 *   BENCH_ONLY=new npm run bench:mirror       # the current approach alone
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Item } from '@stockverify/shared';
import { createApp } from '../src/app';
import { createMemoryCoordination } from '../src/adapters/coordination/memory';
import { createDemoErpSource } from '../src/adapters/erp/demo';
import { createSqliteStore } from '../src/adapters/store/sqlite';
import { openDatabase, type Db } from '../src/adapters/store/sqlite/database';
import { migrate } from '../src/adapters/store/sqlite/migrations';
import { ITEM_COLUMNS, toItemRow } from '../src/adapters/store/sqlite/item-rows';
import { claimBarcodes, itemTrigrams } from '../src/adapters/store/item-index';
import { trigrams } from '../src/lib/text';

const here = path.dirname(fileURLToPath(import.meta.url));
const itemCount = Number(process.env.BENCH_ITEMS ?? process.env.DEMO_ITEM_COUNT ?? 100_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
const queryCount = Number(process.env.BENCH_QUERIES ?? 200);
// BENCH_ONLY=new (or old) runs one approach: a quick figure, no ratio and no query comparison.
const only = process.env.BENCH_ONLY as 'old' | 'new' | undefined;
if (only !== undefined && only !== 'old' && only !== 'new')
  throw new Error('BENCH_ONLY: old or new');
// The batch the old ERP sync wrote per transaction (erp.service.ts SYNC_BATCH was 500 then; the
// new path runs the real service with its own batch size).
const BATCH = 500;

const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** The pre-migration-4 upsert, statement for statement, over the old item_trigrams table. */
function oldMirror(db: Db) {
  db.exec(`
    CREATE TABLE item_trigrams (
      tri TEXT NOT NULL,
      item_code TEXT NOT NULL REFERENCES items (item_code) ON DELETE CASCADE,
      PRIMARY KEY (tri, item_code)
    ) WITHOUT ROWID;
    CREATE INDEX item_trigrams_item ON item_trigrams (item_code);
  `);
  const s = {
    previousName: db
      .prepare<[string], string>('SELECT name FROM items WHERE item_code = ?')
      .pluck(),
    insertItem: db.prepare(
      `INSERT INTO items (${ITEM_COLUMNS}) VALUES (@item_code, @item_code_lower, @name,
        @name_lower, @category, @brand, @supplier, @uom, @decimal_qty, @price, @cost, @serialized,
        @batch_tracked, @active, @updated_at)`,
    ),
    claimBarcode: db.prepare(
      `INSERT INTO item_barcodes (code, item_code, kind, pack_qty, position)
       VALUES (@code, @item_code, @kind, @pack_qty, @position)
       ON CONFLICT (code) DO UPDATE SET item_code = excluded.item_code, kind = excluded.kind,
         pack_qty = excluded.pack_qty, position = excluded.position`,
    ),
    insertStock: db.prepare(
      `INSERT INTO item_stock (item_code, position, warehouse, rack, qty)
       VALUES (@item_code, @position, @warehouse, @rack, @qty)`,
    ),
    insertTrigram: db.prepare('INSERT INTO item_trigrams (tri, item_code) VALUES (?, ?)'),
    fuzzy: db.prepare<[string, number], { item_code: string; shared: number }>(
      `SELECT item_code, COUNT(*) AS shared FROM item_trigrams
       WHERE tri IN (SELECT value FROM json_each(?))
       GROUP BY item_code ORDER BY shared DESC, item_code LIMIT ?`,
    ),
  };
  // First mirror: every item is new (the update branch of the old code is not exercised).
  const upsertMany = db.transaction((items: readonly Item[]) => {
    for (const item of claimBarcodes(items)) {
      const code = item.item_code;
      if (s.previousName.get(code) !== undefined) throw new Error('bench expects an empty mirror');
      s.insertItem.run(toItemRow(item));
      item.barcodes.forEach((barcode, position) =>
        s.claimBarcode.run({ ...barcode, item_code: code, position }),
      );
      item.stock.forEach((row, position) =>
        s.insertStock.run({ ...row, item_code: code, position }),
      );
      for (const tri of itemTrigrams(item)) s.insertTrigram.run(tri, code);
    }
  });
  return { upsertMany, fuzzy: s.fuzzy };
}

interface Run {
  approach: 'old' | 'new';
  wall_ms: number;
  cpu_ms: number;
  /** New approach: whether the store took the first-mirror path, and its final index build. */
  first_mirror: boolean | null;
  index_build_ms: number | null;
  items_per_s: number;
  db_mb: number;
  load_before: string;
  load_after: string;
}

const erp = createDemoErpSource({ itemCount });
const items = erp.items();
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-mirror-bench-'));

async function runOld(round: number) {
  const file = path.join(tmpRoot, `old-${round}.db`);
  const db = openDatabase(file);
  migrate(db);
  const old = oldMirror(db);
  const loadBefore = load();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for await (const batch of erp.fetchItems({ batchSize: BATCH })) {
    old.upsertMany.immediate(batch);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const run: Run = {
    approach: 'old',
    wall_ms: performance.now() - started,
    cpu_ms: cpuMs(cpu),
    first_mirror: null,
    index_build_ms: null,
    items_per_s: 0,
    db_mb: 0,
    load_before: loadBefore,
    load_after: load(),
  };
  return { run, db, file, fuzzy: old.fuzzy };
}

async function runNew(round: number) {
  const file = path.join(tmpRoot, `new-${round}.db`);
  const store = createSqliteStore({ file });
  await store.init();
  const { services } = createApp({
    settings: {
      jwtSecret: 'bench-secret-bench-secret-bench-secret-0123',
      accessTokenMinutes: 15,
      refreshTokenDays: 7,
      loginRateLimit: 50,
      loginRateWindowMs: 900_000,
      bodyLimit: '1mb',
      uploadLimitBytes: 1 << 20,
      itemCacheMs: 60_000,
      trustProxy: 'loopback',
    },
    store,
    coordination: createMemoryCoordination(),
    erp,
    log: pino({ level: 'warn' }, pino.destination({ dest: '/dev/null', sync: false })),
  });
  // Times the first mirror's closing index build (the store's own method, wrapped).
  let firstMirror = false;
  let indexBuildMs: number | null = null;
  const begin = store.items.beginFirstMirror?.bind(store.items);
  if (begin) {
    store.items.beginFirstMirror = async () => {
      const mirror = await begin();
      firstMirror = mirror !== null;
      return (
        mirror && {
          async finish() {
            const t = performance.now();
            await mirror.finish();
            indexBuildMs = performance.now() - t;
          },
        }
      );
    };
  }
  const loadBefore = load();
  const cpu = process.cpuUsage();
  const started = performance.now();
  // The real path: ErpService.sync with its batches, progress and status writes.
  const result = await services.erp.sync(null, { request_id: null, ip: null });
  if (result.items_received !== itemCount) throw new Error('the mirror missed items');
  const run: Run = {
    approach: 'new',
    wall_ms: performance.now() - started,
    cpu_ms: cpuMs(cpu),
    first_mirror: firstMirror,
    index_build_ms: indexBuildMs,
    items_per_s: 0,
    db_mb: 0,
    load_before: loadBefore,
    load_after: load(),
  };
  return { run, store, file };
}

const sizeMb = (file: string) =>
  [file, `${file}-wal`]
    .filter((f) => fs.existsSync(f))
    .reduce((sum, f) => sum + fs.statSync(f).size, 0) /
  (1 << 20);

/** Names with one letter dropped (a typo), code fragments and words, from across the master. */
function sampleQueries(): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < queryCount; i++) {
    const item = items[(i * 7919) % items.length]!;
    if (i % 3 === 0) out.push(item.item_code.slice(2));
    else {
      const cut = 2 + (i % Math.max(1, item.name.length - 3));
      out.push(item.name.slice(0, cut) + item.name.slice(cut + 1));
    }
  }
  return out;
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

console.log(
  `mirror bench: ${itemCount.toLocaleString('en')} demo items, ${rounds} round(s), ${os.cpus().length} CPUs, load ${load()}`,
);
const runs: Run[] = [];
let queryStats: Record<string, unknown> = {};
for (let round = 0; round < rounds; round++) {
  // Alternate the order so neither approach always runs on a warmer or busier machine.
  const order = only
    ? [only]
    : round % 2 === 0
      ? (['old', 'new'] as const)
      : (['new', 'old'] as const);
  let oldDone: Awaited<ReturnType<typeof runOld>> | undefined;
  let newDone: Awaited<ReturnType<typeof runNew>> | undefined;
  for (const approach of order) {
    if (approach === 'old') oldDone = await runOld(round);
    else newDone = await runNew(round);
  }
  for (const done of [oldDone, newDone]) {
    if (!done) continue;
    done.run.items_per_s = Math.round(itemCount / (done.run.wall_ms / 1000));
    done.run.db_mb = sizeMb(done.file);
    runs.push(done.run);
  }
  if (round === rounds - 1 && oldDone && newDone) {
    // Fuzzy candidates as the search asks them (limit 40): same answers, and how long each takes.
    const queries = sampleQueries();
    const oldMs: number[] = [];
    const newMs: number[] = [];
    let same = 0;
    for (const text of queries) {
      const q = trigrams(text);
      let t = performance.now();
      const oldRows = oldDone!.fuzzy.all(JSON.stringify(q), 40);
      oldMs.push(performance.now() - t);
      t = performance.now();
      const newRows = await newDone!.store.items.fuzzyCandidates(q, 40);
      newMs.push(performance.now() - t);
      const a = oldRows.map((r) => `${r.item_code}:${r.shared}`).join(',');
      const b = newRows.map((r) => `${r.item.item_code}:${r.shared}`).join(',');
      if (a === b) same++;
    }
    oldMs.sort((x, y) => x - y);
    newMs.sort((x, y) => x - y);
    queryStats = {
      queries: queries.length,
      same_candidates: same,
      old_p50_ms: percentile(oldMs, 50),
      old_p95_ms: percentile(oldMs, 95),
      new_p50_ms: percentile(newMs, 50),
      new_p95_ms: percentile(newMs, 95),
    };
  }
  oldDone?.db.close();
  await newDone?.store.close();
}

const fmt = (n: number) => Math.round(n).toLocaleString('en');
const rows = runs.map((r) => [
  r.approach,
  r.first_mirror === null ? '' : r.first_mirror ? 'yes' : 'no',
  fmt(r.wall_ms),
  fmt(r.cpu_ms),
  r.index_build_ms === null ? '' : fmt(r.index_build_ms),
  fmt(r.items_per_s),
  r.db_mb.toFixed(0),
  r.load_before,
  r.load_after,
]);
const header = [
  'approach',
  'first mirror',
  'wall ms',
  'cpu ms',
  'index build ms',
  'items/s',
  'db MB',
  'load before',
  'load after',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) =>
  '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
console.log(line(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));
const median = (approach: 'old' | 'new', key: 'wall_ms' | 'cpu_ms') => {
  const values = runs
    .filter((r) => r.approach === approach)
    .map((r) => r[key])
    .sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)] ?? NaN;
};
const ratio = {
  wall: median('old', 'wall_ms') / median('new', 'wall_ms'),
  cpu: median('old', 'cpu_ms') / median('new', 'cpu_ms'),
};
if (!only) {
  console.log(
    `new is ${ratio.wall.toFixed(1)}x faster (wall), ${ratio.cpu.toFixed(1)}x less CPU; ` +
      `median new mirror ${fmt(median('new', 'wall_ms'))} ms (budget 5,000 ms)`,
  );
}
if (queryStats.queries !== undefined) {
  console.log(
    `fuzzy candidates (limit 40), ${String(queryStats.queries)} queries: same answer ${String(queryStats.same_candidates)}/${String(queryStats.queries)}; ` +
      `p50/p95 old ${(queryStats.old_p50_ms as number).toFixed(2)}/${(queryStats.old_p95_ms as number).toFixed(2)} ms, ` +
      `new ${(queryStats.new_p50_ms as number).toFixed(2)}/${(queryStats.new_p95_ms as number).toFixed(2)} ms`,
  );
}

const out = path.join(here, 'results');
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(
  path.join(out, 'mirror.json'),
  JSON.stringify(
    {
      at: new Date().toISOString(),
      items: itemCount,
      rounds,
      cpus: os.cpus().length,
      runs,
      ratio,
      fuzzy: queryStats,
    },
    null,
    2,
  ) + '\n',
);
fs.rmSync(tmpRoot, { recursive: true, force: true });
