/**
 * The server side of the sync benchmark, run as its own process: the real app on SQLite (temp
 * dir) with a ~20,000-item demo master, memory coordination, info-level logs written
 * asynchronously to /dev/null (as main.ts writes them to stdout). Sets up one counting session
 * with BENCH_UPLOADERS staff users, each holding its own rack, and a second session on a bench
 * warehouse where BENCH_PHONES staff users each hold one rack (for heartbeat and claim load).
 * Prints one JSON line (SyncServerInfo) on stdout when ready.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { makeRuleSet, type Role, type ToleranceRule } from '@stockverify/shared';
import { createApp } from '../src/app';
import { createMemoryCoordination } from '../src/adapters/coordination/memory';
import { createDemoErpSource } from '../src/adapters/erp/demo';
import { createSqliteStore } from '../src/adapters/store/sqlite';
import { ruleSetInForce } from '../src/modules/tolerance/rule-table';

export interface Uploader {
  token: string;
  session_id: string;
  rack: string;
  fencing_token: number;
  /** Non-serialized items stocked on the uploader's rack. */
  rack_items: string[];
  /** The book of each of `rack_items` in the uploader's rack (its bin's book; 0 for any other item). */
  rack_books: number[];
}

export interface Phone {
  token: string;
  session_id: string;
  rack: string;
}

export interface SyncServerInfo {
  port: number;
  items: number;
  sync_ms: number;
  uploaders: Uploader[];
  phones: Phone[];
  /** Non-serialized items of the whole master, for records "of any item". */
  any_items: string[];
  /** A difference from a bin's book (units) outside every tolerance rule in force. */
  outside_units: number;
  /** The server's database file (the benchmark reads its count lines stored, read-only). */
  db_file: string;
}

const itemCount = Number(process.env.BENCH_ITEMS ?? 20_000);
const uploaderCount = Number(process.env.BENCH_UPLOADERS ?? 20);
const phoneCount = Number(process.env.BENCH_PHONES ?? 200);
// BENCH_SKIP_SETTLEMENT=true (issue #16): count lines are not settled (config.ts), the baseline
// of "sync throughput without rules" that sync.bench.ts compares against.
const skipSettlement = process.env.BENCH_SKIP_SETTLEMENT === 'true';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-bench-sync-'));
const dbFile = path.join(dir, 'bench.db');
const store = createSqliteStore({ file: dbFile });
await store.init();
const erp = createDemoErpSource({ itemCount });
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
    // The per-user batch limit (120/min) protects a site from a runaway phone; the benchmark
    // measures how fast the server stores batches, so it is lifted here.
    syncBatchesPerMinute: 1_000_000,
    skipSettlement,
  },
  store,
  coordination: createMemoryCoordination(),
  erp,
  log: pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false })),
});
const meta = { request_id: null, ip: null };
const system = { id: 'bench', username: 'bench', role: 'admin' as Role };
const synced = await services.erp.sync(null, meta);

/** Creates users a few at a time (argon2 runs on the libuv pool) and signs each in. */
async function makeUsers(prefix: string, count: number, role: Role) {
  const made: Array<{ token: string; actor: { id: string; username: string; role: Role } }> = [];
  for (let start = 0; start < count; start += 8) {
    const chunk = Array.from({ length: Math.min(8, count - start) }, (_, k) => start + k);
    made.push(
      ...(await Promise.all(
        chunk.map(async (n) => {
          const username = `${prefix}${n}`;
          const user = await services.users.create(system, meta, {
            username,
            full_name: `Bench ${prefix} ${n}`,
            role,
            password: 'bench-password',
          });
          const pair = await services.auth.login({ username, password: 'bench-password' }, meta);
          return {
            token: pair.access_token,
            actor: { id: user.id, username: user.username, role: user.role },
          };
        }),
      )),
    );
  }
  return made;
}

const [supervisor] = await makeUsers('bench-sup', 1, 'supervisor');
const items = erp.items().filter((i) => !i.serialized && i.active);

// BENCH_TOLERANCE_RULES=N (issue #16): a rule table of about N rules in force before the sessions
// start (items, every category, value bands, the warehouse, everything; mixed actions), so every
// line is decided by a looked-up rule rather than the built-in default. 0 (default): one rule, a
// site's default of two units either way, answered by a blind recount (2 phases), so a count a few
// units off its bin's book is outside tolerance and settles its bin (sync.bench.ts's doubtful
// share). Either way `outside_units` is a difference outside every rule.
const toleranceRules = Number(process.env.BENCH_TOLERANCE_RULES ?? 0);
let outsideUnits = 3;
if (toleranceRules === 0) {
  const head = await ruleSetInForce(store, () => new Date());
  const set = makeRuleSet(
    [
      {
        id: 'site-default',
        version: head.version + 1,
        scope: { kind: 'everything' },
        thresholds: { shortage: { units: 2 }, overage: { units: 2 } },
        on_exceed: 'recount',
        recount_phases: 2,
      },
    ],
    head.version + 1,
    new Date().toISOString(),
  );
  await store.tolerance.append({
    ...set,
    change: 'create',
    rule_id: 'site-default',
    rule_version: set.version,
    changed_by: null,
    changed_by_name: null,
  });
} else {
  outsideUnits = 7;
  const head = await ruleSetInForce(store, () => new Date());
  const limits = (n: number) => ({ units: 2 + (n % 5), percent: 10 + (n % 30), value: 50 });
  const rule = (id: string, scope: ToleranceRule['scope'], n: number): ToleranceRule => ({
    id,
    version: head.version + 1,
    scope,
    thresholds: { shortage: limits(n), overage: limits(n + 1) },
    on_exceed: n % 2 === 0 ? 'recount' : 'approve',
    recount_phases: 2,
  });
  const categories = [...new Set(items.map((i) => i.category).filter((c) => c !== null))];
  const rules: ToleranceRule[] = [
    rule('all', { kind: 'everything' }, 0),
    rule('wh-main', { kind: 'warehouse', warehouse: 'WH-MAIN' }, 1),
    rule('band-0', { kind: 'value_band', min_cost: 0, max_cost: 10 }, 2),
    rule('band-10', { kind: 'value_band', min_cost: 10, max_cost: 100 }, 3),
    rule('band-100', { kind: 'value_band', min_cost: 100, max_cost: null }, 4),
    ...categories.map((category, n) => rule(`cat-${n}`, { kind: 'category', category }, n)),
  ];
  for (let n = 0; rules.length < toleranceRules && n < items.length; n += 7)
    rules.push(rule(`item-${n}`, { kind: 'item', item_code: items[n]!.item_code }, n));
  const set = makeRuleSet(rules, head.version + 1, new Date().toISOString());
  await store.tolerance.append({
    ...set,
    change: 'create',
    rule_id: 'all',
    rule_version: set.version,
    changed_by: null,
    changed_by_name: null,
  });
}
const countSession = await services.sessions.create(supervisor!.actor, meta, {
  warehouse: 'WH-MAIN',
  name: 'Bench sync',
  mode: 'standard',
  scope: { floors: [], racks: [] },
});
/** The items stocked on a rack and their book there (the bin's book). */
function rackBooks(rack: string): Pick<Uploader, 'rack_items' | 'rack_books'> {
  const here = items.flatMap((i) => {
    const qty = i.stock
      .filter((s) => s.warehouse === 'WH-MAIN' && s.rack === rack)
      .reduce((n, s) => n + s.qty, 0);
    return i.stock.some((s) => s.warehouse === 'WH-MAIN' && s.rack === rack)
      ? [{ code: i.item_code, qty }]
      : [];
  });
  return { rack_items: here.map((h) => h.code), rack_books: here.map((h) => h.qty) };
}
const uploaders: Uploader[] = [];
for (const [n, u] of (await makeUsers('uploader', uploaderCount, 'staff')).entries()) {
  const rack = countSession.racks[n % countSession.racks.length]!;
  const claim = await services.claims.claim(u.actor, meta, countSession.id, rack, `bench-${n}`);
  uploaders.push({
    token: u.token,
    session_id: countSession.id,
    rack,
    fencing_token: claim.fencing_token,
    ...rackBooks(rack),
  });
}

// Heartbeat and claim load: one rack per phone on a bench warehouse big enough for all of them
// (none with BENCH_PHONES=0: the comparison server of sync.bench.ts takes sync batches only).
const phones: Phone[] = [];
if (phoneCount > 0) await phoneLoad();
async function phoneLoad() {
  await store.locations.upsertWarehouses([
    {
      id: 'WH-BENCH',
      name: 'Bench Warehouse',
      floors: [{ code: 'GF', name: 'Ground Floor' }],
      racks: Array.from({ length: phoneCount }, (_, n) => ({
        code: `R-${String(n + 1).padStart(3, '0')}`,
        floor: 'GF',
        location_barcode: `LOC-BENCH-${n + 1}`,
      })),
    },
  ]);
  const phoneSession = await services.sessions.create(supervisor!.actor, meta, {
    warehouse: 'WH-BENCH',
    name: 'Bench phones',
    mode: 'standard',
    scope: { floors: [], racks: [] },
  });
  for (const [n, p] of (await makeUsers('phone', phoneCount, 'staff')).entries()) {
    const rack = phoneSession.racks[n]!;
    await services.claims.claim(p.actor, meta, phoneSession.id, rack, `phone-${n}`);
    phones.push({ token: p.token, session_id: phoneSession.id, rack });
  }
}

// BENCH_PROFILE=file.cpuprofile records a CPU profile of the serving phase only (not the setup).
const profileFile = process.env.BENCH_PROFILE;
const inspector = profileFile ? new (await import('node:inspector/promises')).Session() : null;
if (inspector) {
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.start');
}
const server = http.createServer(handler);
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const info: SyncServerInfo = {
    port: (server.address() as AddressInfo).port,
    items: synced.items_received,
    sync_ms: synced.duration_ms,
    uploaders,
    phones,
    any_items: items.map((i) => i.item_code),
    outside_units: outsideUnits,
    db_file: dbFile,
  };
  process.stdout.write(JSON.stringify(info) + '\n');
});
process.on('SIGTERM', async () => {
  if (inspector && profileFile) {
    const { profile } = await inspector.post('Profiler.stop');
    fs.writeFileSync(profileFile, JSON.stringify(profile));
  }
  server.closeAllConnections();
  server.close();
  void store.close().then(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
