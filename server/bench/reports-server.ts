/**
 * The server side of the reports benchmark, run as its own process: the real app on SQLite (temp
 * dir), seeded straight through a second better-sqlite3 connection (one transaction, prepared
 * inserts) with BENCH_LINES (1,000,000) count lines: BENCH_SESSIONS (4) sessions of WH1, each
 * item counted on BENCH_LINES_PER_ITEM (1) racks, every item with a variance. Serves the
 * app, plus `GET /bench/rss?reset=1` (this process's peak RSS since the last reset, sampled every
 * 20 ms) for the bench client. Prints one JSON line (ReportsServerInfo) on stdout when ready.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { roundMoney } from '@stockverify/shared';
import { createApp } from '../src/app';
import { createMemoryCoordination } from '../src/adapters/coordination/memory';
import { createDemoErpSource } from '../src/adapters/erp/demo';
import { createSqliteStore } from '../src/adapters/store/sqlite';

export interface ReportsServerInfo {
  port: number;
  username: string;
  password: string;
  lines: number;
  items_per_session: number;
  sessions: number;
  seed_ms: number;
  db_file: string;
}

const lineCount = Number(process.env.BENCH_LINES ?? 1_000_000);
const sessionCount = Number(process.env.BENCH_SESSIONS ?? 4);
const linesPerItem = Number(process.env.BENCH_LINES_PER_ITEM ?? 1);
const itemsPerSession = Math.ceil(lineCount / sessionCount / linesPerItem);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-bench-reports-'));
const file = path.join(dir, 'bench.db');
const store = createSqliteStore({ file });
await store.init();

/** Book 10 for every item; its racks add up to 7, 8, 9, 11, 12, 13 or 14: never 10. */
function seed(): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const at = '2026-11-01T08:00:00.000Z';
  const session = db.prepare(
    `INSERT INTO sessions (id, warehouse, name, name_lower, mode, scope, status, racks,
       snapshot_items, created_by, created_at, closed_at, reconciled_at, updated_at)
     VALUES (?, 'WH1', ?, ?, 'standard', '{"floors":[],"racks":[]}', 'CLOSED', '[]', ?, 'bench', ?,
       NULL, NULL, ?)`,
  );
  const snapshot = db.prepare(
    `INSERT INTO session_snapshot (session_id, item_code, name, category, book_qty, cost, price)
     VALUES (?, ?, ?, ?, 10, 1.25, 2.5)`,
  );
  const line = db.prepare(
    `INSERT INTO count_lines (id, op_id, session_id, rack, item_code, barcode, counted_qty,
       damaged_qty, non_returnable_damaged_qty, serials, batch_no, mfg_date, expiry_date,
       condition, variance_reason, variance_confirmed, remark, photo_ids, supersedes,
       superseded_by, book_qty, variance, value_at_cost, value_at_price, status, review_reasons,
       reviewed_by, reviewed_at, review_note, counted_by, counted_by_name, device_id, claim_id,
       fencing_token, counted_at, received_at)
     VALUES (?, ?, ?, ?, ?, NULL, ?, 0, 0, '[]', NULL, NULL, NULL, 'good', ?, 0, NULL, '[]', NULL,
       NULL, 10, ?, ?, ?, 'PENDING', '[]', NULL, NULL, NULL, ?, ?, 'bench-device', NULL, NULL, ?,
       ?)`,
  );
  db.transaction(() => {
    let n = 0;
    for (let s = 0; s < sessionCount; s++) {
      const sid = `bench-session-${s}`;
      session.run(sid, `Bench session ${s}`, `bench session ${s}`, itemsPerSession, at, at);
      for (let i = 0; i < itemsPerSession && n < lineCount; i++) {
        const code = `ITEM-${String(i).padStart(7, '0')}`;
        snapshot.run(sid, code, `Bench item ${i}, a name as long as real ones`, `Cat ${i % 40}`);
        const total = 7 + (i % 7) >= 10 ? 8 + (i % 7) : 7 + (i % 7);
        for (let r = 0; r < linesPerItem && n < lineCount; r++, n++) {
          const qty = r === 0 ? total - (linesPerItem - 1) : 1;
          const variance = qty - 10;
          const user = `user-${(i + r) % 25}`;
          line.run(
            `line-${n}`,
            `op-${n}`,
            sid,
            `R-${String((i + r) % 400).padStart(3, '0')}`,
            code,
            qty,
            i % 5 === 0 ? 'damaged in storage' : null,
            variance,
            roundMoney(variance * 1.25),
            roundMoney(variance * 2.5),
            user,
            `Counter ${user}`,
            at,
            at,
          );
        }
      }
    }
  })();
  db.close();
}

const seedStart = performance.now();
seed();
const seedMs = performance.now() - seedStart;

const { handler, services } = createApp({
  settings: {
    jwtSecret: 'bench-secret-bench-secret-bench-secret-0123',
    accessTokenMinutes: 60,
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
  erp: createDemoErpSource({ itemCount: 100 }),
  log: pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false })),
});
const username = 'bench-admin';
const password = 'bench-admin-password-0123';
await services.users.create(
  { id: 'bench', username: 'bench', role: 'admin' },
  { request_id: null, ip: null },
  { username, full_name: 'Bench admin', role: 'admin', password },
);

let base = process.memoryUsage().rss;
let peak = base;
setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20).unref();

const server = http.createServer((req, res) => {
  if (req.url?.startsWith('/bench/rss')) {
    const rss = process.memoryUsage().rss;
    peak = Math.max(peak, rss);
    const answer = { base, peak, rss };
    if (req.url.includes('reset=1')) {
      base = rss;
      peak = rss;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(answer));
    return;
  }
  handler(req, res);
});
server.listen(0, '127.0.0.1', () => {
  const info: ReportsServerInfo = {
    port: (server.address() as AddressInfo).port,
    username,
    password,
    lines: lineCount,
    items_per_session: itemsPerSession,
    sessions: sessionCount,
    seed_ms: Math.round(seedMs),
    db_file: file,
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
});

process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void store.close().then(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
