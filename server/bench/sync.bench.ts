/**
 * Sync benchmark: BENCH_UPLOADERS (20) staff phones upload sync batches of 500 count records
 * (fresh op_ids, valid fencing tokens) for BENCH_SECONDS (20) against the app on SQLite with a
 * ~20,000-item demo master and memory coordination, the server in its own process. Each phone
 * counts each bin of its rack once, then the other items there (book 0): most counts equal the
 * bin's book, a share (`--doubtful-share X`, default 0.1) is a few units off, outside the site's
 * rule (±2 units, recount), so it settles its bin and opens a recount task (issue #16). First the
 * cost of that consensus upkeep: a second server with BENCH_SKIP_SETTLEMENT=true (config.ts: no
 * bin is settled) takes the same load in interleaved phases (A B B A, `--compare-seconds` each),
 * at the doubtful share and at 1.0 (every count outside tolerance, the worst case); then side by
 * side, as bench:session's phase S: both servers loaded at once, each by its own uploaders, for
 * 5 s and then a window of `--side-seconds` (30), twice (the second with B's uploaders started
 * first), the ratio of their count lines stored in the windows, read from each server's database
 * (the budget's figure since 2026-12-07, as in bench:session: the machine's drift falls on both
 * alike; A B B A runs of 5 s moved 12 points between two runs of one build). Reports the
 * client-measured round trip per batch (the server sends no timing header), records/s and
 * errors; then, in the same run, inserts as many rows straight through better-sqlite3 in one
 * transaction into a table of the same shape, for the ratio. Then heartbeat and claim (re-claiming
 * the phone's own rack) with autocannon over BENCH_PHONES (200) users: once unpaced (200 requests
 * always in flight: saturation) and once paced at BENCH_PACED_RATE req/s in total.
 * Prints tables and writes bench/results/sync.json. Not a test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { linesStored } from './lines-stored';
import type { SyncServerInfo, Uploader } from './sync-server';

const here = path.dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const batchSize = 500;
const loadSeconds = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const pacedRate = Number(process.env.BENCH_PACED_RATE ?? 200);

/** `--name value` from the command line (npm run bench:sync -- --doubtful-share 0.3). */
function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value)) throw new Error(`--${name} needs a number`);
  return value;
}
const doubtfulShare = option('doubtful-share', 0.1);
if (doubtfulShare < 0 || doubtfulShare > 1) throw new Error('--doubtful-share: from 0 to 1');
const compareSeconds = option('compare-seconds', 5);
const sideSeconds = option('side-seconds', 30);
/** Seconds of each side-by-side window's load before the window starts (both servers warm). */
const SIDE_WARM_S = 5;

function startServer(env: Record<string, string> = {}): Promise<{
  child: ChildProcess;
  info: SyncServerInfo;
}> {
  // STOCKVERIFY_MAIN_NODE_ARGS: node options NODE_OPTIONS refuses, for the server process
  // (`--cpu-prof --cpu-prof-dir=DIR`), as the API processes of the other benchmarks take them.
  const nodeArgs = (process.env.STOCKVERIFY_MAIN_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const script = path.join(here, 'sync-server.ts');
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: path.join(here, '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production', ...env },
  });
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline >= 0)
        resolve({ child, info: JSON.parse(buffer.slice(0, newline)) as SyncServerInfo });
    });
    child.once('exit', (code) => reject(new Error(`sync-server exited with ${code}`)));
  });
}

async function stop(child: ChildProcess) {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** CPU time (user + system, ms) a child process has used so far; null where /proc is absent. */
function cpuMs(child: ChildProcess): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

function sortedNumbers(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Where each uploader is in its walk over the bins of its rack (per server): its rack's items
 * first, then every other item (book 0 there), each counted once — a counter counts a bin once.
 */
interface Walk {
  order: string[];
  books: Map<string, number>;
  next: number;
}
const walks = new WeakMap<Uploader, Walk>();

function walkOf(u: Uploader, anyItems: string[]): Walk {
  let walk = walks.get(u);
  if (!walk) {
    const onRack = new Set(u.rack_items);
    walk = {
      order: [...u.rack_items, ...anyItems.filter((c) => !onRack.has(c))],
      books: new Map(u.rack_items.map((c, k) => [c, u.rack_books[k]!])),
      next: 0,
    };
    walks.set(u, walk);
  }
  return walk;
}

/** Whether the g-th count of a walk is doubtful: a fixed pseudo-random share of the counts. */
function isDoubtful(g: number, share: number): boolean {
  return (Math.imul(g + 1, 2654435761) >>> 0) / 2 ** 32 < share;
}

/**
 * 500 count records on the uploader's rack, the next bins of its walk: the bin's book, or for the
 * doubtful share a few units off it (`outside` to `outside + 2`, short where the book allows).
 */
function batchOf(u: Uploader, anyItems: string[], share: number, outside: number) {
  const counted_at = new Date().toISOString();
  const walk = walkOf(u, anyItems);
  return Array.from({ length: batchSize }, () => {
    const g = walk.next++;
    const item_code = walk.order[g % walk.order.length]!;
    const book = walk.books.get(item_code) ?? 0;
    const off = outside + (g % 3);
    const counted_qty = !isDoubtful(g, share)
      ? book
      : g % 2 === 0 && book >= off
        ? book - off
        : book + off;
    return {
      op_id: randomUUID(),
      type: 'count',
      session_id: u.session_id,
      rack: u.rack,
      item_code,
      counted_qty,
      damaged_qty: 0,
      non_returnable_damaged_qty: 0,
      serials: [],
      fencing_token: u.fencing_token,
      counted_at,
    };
  });
}

interface UploadStats {
  latencies: number[];
  /** Server-Timing `app;dur` of each batch: the server's own processing time. */
  serverMs: number[];
  ok: number;
  conflicts: number;
  recordErrors: number;
  httpErrors: number;
}

/** Each uploader sends batches back to back until `untilMs`; returns client round trips. */
async function upload(
  url: string,
  info: Pick<SyncServerInfo, 'any_items' | 'outside_units'>,
  uploaders: Uploader[],
  untilMs: number,
  share = doubtfulShare,
): Promise<UploadStats> {
  const stats: UploadStats = {
    latencies: [],
    serverMs: [],
    ok: 0,
    conflicts: 0,
    recordErrors: 0,
    httpErrors: 0,
  };
  await Promise.all(
    uploaders.map(async (u, k) => {
      while (Date.now() < untilMs) {
        const body = JSON.stringify({
          device_id: `bench-${k}`,
          records: batchOf(u, info.any_items, share, info.outside_units),
        });
        const started = performance.now();
        const res = await fetch(`${url}/api/sync/batch`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${u.token}`,
            'content-type': 'application/json',
            'idempotency-key': randomUUID(),
          },
          body,
        });
        const text = await res.text();
        stats.latencies.push(performance.now() - started);
        const dur = /dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1];
        if (dur) stats.serverMs.push(Number(dur));
        if (res.status !== 200) {
          stats.httpErrors++;
          if (stats.httpErrors <= 3)
            console.error(`sync answered ${res.status}: ${text.slice(0, 200)}`);
          continue;
        }
        const { data } = JSON.parse(text) as { data: { counts: Record<string, number> } };
        stats.ok += data.counts['OK'] ?? 0;
        stats.conflicts += data.counts['CONFLICT'] ?? 0;
        stats.recordErrors += data.counts['ERROR'] ?? 0;
      }
    }),
  );
  return stats;
}

/** The same number of rows through better-sqlite3 in one transaction, into a line-shaped table. */
function rawInsert(rows: number): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-bench-raw-'));
  const db = new Database(path.join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE count_lines (
    id TEXT PRIMARY KEY, op_id TEXT NOT NULL UNIQUE, session_id TEXT NOT NULL, rack TEXT NOT NULL,
    item_code TEXT NOT NULL, barcode TEXT, counted_qty REAL NOT NULL, damaged_qty REAL NOT NULL,
    non_returnable_damaged_qty REAL NOT NULL, serials TEXT NOT NULL, condition TEXT NOT NULL,
    variance_reason TEXT, remark TEXT, supersedes TEXT, superseded_by TEXT, book_qty REAL NOT NULL,
    variance REAL NOT NULL, value_at_cost REAL NOT NULL, value_at_price REAL NOT NULL,
    status TEXT NOT NULL, review_reasons TEXT NOT NULL, counted_by TEXT NOT NULL,
    device_id TEXT, claim_id TEXT, fencing_token INTEGER, counted_at TEXT NOT NULL,
    received_at TEXT NOT NULL);
    CREATE INDEX lines_session_rack ON count_lines (session_id, rack);
    CREATE INDEX lines_session_item ON count_lines (session_id, item_code);`);
  const insert = db.prepare(`INSERT INTO count_lines VALUES (?, ?, ?, ?, ?, NULL, ?, 0, 0, '[]',
    'good', NULL, NULL, NULL, NULL, 10, ?, ?, ?, 'PENDING', '[]', ?, 'bench', ?, 1, ?, ?)`);
  const session = randomUUID();
  const now = new Date().toISOString();
  const started = performance.now();
  db.transaction(() => {
    for (let i = 0; i < rows; i++) {
      const qty = (i % 7) + 1;
      insert.run(
        randomUUID(),
        randomUUID(),
        session,
        `A-${String(i % 20).padStart(2, '0')}`,
        `ITM-${i % 20_000}`,
        qty,
        qty - 10,
        (qty - 10) * 6,
        (qty - 10) * 10,
        'user',
        'claim',
        now,
        now,
      );
    }
  })();
  const ms = performance.now() - started;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return ms;
}

async function loadEndpoint(
  url: string,
  info: SyncServerInfo,
  pathOf: (p: SyncServerInfo['phones'][number]) => string,
  overallRate?: number,
) {
  let i = 0;
  const phones = info.phones;
  return autocannon({
    url,
    connections: phones.length,
    duration: loadSeconds,
    ...(overallRate ? { overallRate } : {}),
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const phone = phones[i++ % phones.length]!;
          return {
            ...req,
            path: pathOf(phone),
            body: '{}',
            headers: {
              ...req.headers,
              'content-type': 'application/json',
              authorization: `Bearer ${phone.token}`,
            },
          };
        },
      },
    ],
  });
}

/**
 * 200 phones as a warehouse has them: each on its own timer with a random phase, sending a
 * heartbeat every `everyMs` (25 s in the field; 10× faster here to gather samples) and re-claiming
 * its rack every third beat. Latency per request, client side.
 */
/** Cumulative request-duration buckets per POST route, read from the loopback /metrics. */
async function scrapeDurations(url: string): Promise<Map<string, Map<string, number>>> {
  const text = await (await fetch(`${url}/api/metrics`)).text();
  const out = new Map<string, Map<string, number>>();
  const re = /^stockverify_http_request_duration_seconds_bucket\{([^}]*)\} (\d+)/gm;
  for (const m of text.matchAll(re)) {
    const labels = Object.fromEntries(
      [...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]),
    );
    if (labels['method'] !== 'POST' || labels['status'] !== '200') continue;
    const route = labels['route']!;
    const buckets = out.get(route) ?? new Map<string, number>();
    buckets.set(labels['le']!, (buckets.get(labels['le']!) ?? 0) + Number(m[2]));
    out.set(route, buckets);
  }
  return out;
}

async function phones(url: string, info: SyncServerInfo, everyMs: number, forMs: number) {
  const heartbeat: number[] = [];
  const claims: number[] = [];
  let errors = 0;
  const end = Date.now() + forMs;
  await Promise.all(
    info.phones.map(async (phone) => {
      await new Promise((r) => setTimeout(r, Math.random() * everyMs));
      for (let beat = 0; Date.now() < end; beat++) {
        const claiming = beat % 3 === 2;
        const started = performance.now();
        const res = await fetch(
          url +
            (claiming
              ? `/api/sessions/${phone.session_id}/racks/${phone.rack}/claim`
              : `/api/sessions/${phone.session_id}/heartbeat`),
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${phone.token}` },
            body: '{}',
          },
        );
        await res.arrayBuffer();
        (claiming ? claims : heartbeat).push(performance.now() - started);
        if (res.status !== 200) errors++;
        await new Promise((r) => setTimeout(r, everyMs * (0.9 + Math.random() * 0.2)));
      }
    }),
  );
  return {
    heartbeat: heartbeat.sort((a, b) => a - b),
    claims: claims.sort((a, b) => a - b),
    errors,
  };
}

// Two servers: A as shipped, B without settlement (the run "without rules", config.ts). B takes
// sync batches only (no phones).
const [server, baseline] = await Promise.all([
  startServer(),
  startServer({ BENCH_SKIP_SETTLEMENT: 'true', BENCH_PHONES: '0' }),
]);
const { info } = server;
const url = `http://127.0.0.1:${info.port}`;
const baseUrl = `http://127.0.0.1:${baseline.info.port}`;
console.log(
  `sync server: ${info.items} items mirrored in ${info.sync_ms} ms; ${info.uploaders.length} uploaders, ${info.phones.length} phones; batches of ${batchSize} for ${seconds} s; ${Math.round(doubtfulShare * 100)} % of counts ${info.outside_units}+ units off the bin's book (outside tolerance)`,
);

// Warm-up (JIT, caches, SQLite pages), not measured.
await upload(url, info, info.uploaders, Date.now() + 2000);
await upload(baseUrl, baseline.info, baseline.info.uploaders, Date.now() + 2000);

/**
 * Consensus upkeep (issue #16): the same load on A (settling) and B (BENCH_SKIP_SETTLEMENT) in
 * the order A B B A, so the databases' growth and the machine's other work favour neither; the
 * ratio pools both runs of each.
 */
async function compare(share: number) {
  const runs: Array<{
    server: 'A' | 'B';
    perSecond: number;
    serverP50: number;
    cpuPer500: number | null;
    errors: number;
  }> = [];
  for (const which of ['A', 'B', 'B', 'A'] as const) {
    const target =
      which === 'A'
        ? { url, info, child: server.child }
        : { url: baseUrl, info: baseline.info, child: baseline.child };
    const started = performance.now();
    const cpuBefore = cpuMs(target.child);
    const st = await upload(
      target.url,
      target.info,
      target.info.uploaders,
      Date.now() + compareSeconds * 1000,
      share,
    );
    const cpuAfter = cpuMs(target.child);
    if (st.httpErrors > 0 || st.recordErrors > 0 || st.conflicts > 0)
      console.error(
        `comparison run ${which}: ${st.httpErrors} http errors, ${st.recordErrors} record errors, ${st.conflicts} conflicts`,
      );
    runs.push({
      server: which,
      perSecond: st.ok / ((performance.now() - started) / 1000),
      serverP50: percentile(sortedNumbers(st.serverMs), 50),
      cpuPer500:
        cpuBefore === null || cpuAfter === null || st.ok === 0
          ? null
          : ((cpuAfter - cpuBefore) / st.ok) * batchSize,
      errors: st.httpErrors + st.recordErrors + st.conflicts,
    });
  }
  const pooled = (which: 'A' | 'B') =>
    runs.filter((r) => r.server === which).reduce((n, r) => n + r.perSecond, 0) / 2;
  const pooledCpu = (which: 'A' | 'B') => {
    const mine = runs.filter((r) => r.server === which && r.cpuPer500 !== null);
    return mine.length === 2 ? (mine[0]!.cpuPer500! + mine[1]!.cpuPer500!) / 2 : null;
  };
  const [a, b] = [pooled('A'), pooled('B')];
  const [cpuA, cpuB] = [pooledCpu('A'), pooledCpu('B')];
  const errors = runs.reduce((n, r) => n + r.errors, 0);
  return {
    'doubtful share': share,
    'with settlement, records/s': Math.round(a),
    'without (BENCH_SKIP_SETTLEMENT), records/s': Math.round(b),
    'A B B A: with / without': `${round((a / b) * 100, 1)} %`,
    // CPU of the server process per 500 records: steadier than wall time on a shared machine.
    'server CPU ms / 500 records, with / without':
      cpuA === null || cpuB === null ? '—' : `${Math.round(cpuA)} / ${Math.round(cpuB)}`,
    'CPU without / with':
      cpuA === null || cpuB === null ? '—' : `${round((cpuB / cpuA) * 100, 1)} %`,
    'runs A B B A, records/s': runs.map((r) => Math.round(r.perSecond)).join(' / '),
    'server p50 ms, A B B A': runs.map((r) => round(r.serverP50)).join(' / '),
    errors,
  };
}
/**
 * Consensus upkeep side by side: A and B loaded at once, each by its own uploaders, so whatever
 * the machine does to its speed it does to both; both event loops are saturated and share the
 * cores, so the ratio of their lines stored is that of their work per record. Two windows, the
 * second with B's uploaders started first; each side's lines are those stored between
 * `SIDE_WARM_S` after the load starts and its end (batches still in flight at the end do not
 * count).
 */
async function sideBySide(share: number) {
  const sides = [
    { url, info, stored: 0 },
    { url: baseUrl, info: baseline.info, stored: 0 },
  ];
  let windowS = 0;
  let errors = 0;
  const ratios: number[] = [];
  for (const order of [
    [0, 1],
    [1, 0],
  ]) {
    const until = Date.now() + (SIDE_WARM_S + sideSeconds) * 1000;
    const loads = order.map((i) =>
      upload(sides[i]!.url, sides[i]!.info, sides[i]!.info.uploaders, until, share),
    );
    await new Promise((r) => setTimeout(r, SIDE_WARM_S * 1000));
    const atStart = sides.map((s) => linesStored(s.info.db_file));
    const started = performance.now();
    await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())));
    const atEnd = sides.map((s) => linesStored(s.info.db_file));
    windowS += (performance.now() - started) / 1000;
    const stored = sides.map((_, i) => atEnd[i]! - atStart[i]!);
    sides.forEach((s, i) => (s.stored += stored[i]!));
    ratios.push(stored[0]! / stored[1]!);
    for (const st of await Promise.all(loads))
      errors += st.httpErrors + st.recordErrors + st.conflicts;
  }
  return {
    a: sides[0]!.stored / windowS,
    b: sides[1]!.stored / windowS,
    ratio: sides[0]!.stored / sides[1]!.stored,
    windows: ratios,
    errors,
  };
}

const comparison: Array<Record<string, string | number>> = [];
for (const share of doubtfulShare !== 1 ? [doubtfulShare, 1] : [1]) {
  const abba = await compare(share);
  const side = await sideBySide(share);
  if (side.errors > 0)
    console.error(`side by side at ${share}: ${side.errors} http, record or conflict errors`);
  comparison.push({
    ...abba,
    'side by side, records/s with / without': `${Math.round(side.a)} / ${Math.round(side.b)}`,
    'side by side: with / without': `${round(side.ratio * 100, 1)} % (windows ${side.windows.map((r) => `${round(r * 100, 1)} %`).join(', ')})`,
    // The budget's figure: side by side (the A B B A figure beside it).
    'within 10 %':
      abba.errors + side.errors > 0 ? 'invalid (errors)' : side.ratio >= 0.9 ? 'met' : 'NOT met',
  });
}
await stop(baseline.child);
console.log(
  `\nconsensus upkeep: ${info.uploaders.length} uploaders; A settles, B runs with BENCH_SKIP_SETTLEMENT=true; same load, order A B B A (${compareSeconds} s per run), then side by side (both at once, two windows of ${sideSeconds} s; judged on this):`,
);
console.table(comparison);

const uploadStarted = performance.now();
const stats = await upload(url, info, info.uploaders, Date.now() + seconds * 1000);
const uploadSeconds = (performance.now() - uploadStarted) / 1000;
const sorted = [...stats.latencies].sort((a, b) => a - b);
const recordsPerSecond = stats.ok / uploadSeconds;
// One uploader alone: the round trip without queueing behind the others is the server's own time
// per batch (plus loopback and JSON on both sides).
const alone = await upload(url, info, info.uploaders.slice(0, 1), Date.now() + 5000);
const aloneSorted = [...alone.latencies].sort((a, b) => a - b);

const heartbeatPath = (p: SyncServerInfo['phones'][number]) =>
  `/api/sessions/${p.session_id}/heartbeat`;
const claimPath = (p: SyncServerInfo['phones'][number]) =>
  `/api/sessions/${p.session_id}/racks/${p.rack}/claim`;
await loadEndpoint(url, info, heartbeatPath, pacedRate); // warm-up
const heartbeat = await loadEndpoint(url, info, heartbeatPath);
const heartbeatPaced = await loadEndpoint(url, info, heartbeatPath, pacedRate);
const claim = await loadEndpoint(url, info, claimPath);
const claimPaced = await loadEndpoint(url, info, claimPath, pacedRate);
// Server-side durations of the phones phase, from the app's own histogram (difference of two scrapes).
const before = await scrapeDurations(url);
const field = await phones(
  url,
  info,
  Number(process.env.BENCH_HEARTBEAT_MS ?? 2500),
  loadSeconds * 1000,
);
const after = await scrapeDurations(url);
const serverSide = (route: string) => {
  const at = (m: Map<string, Map<string, number>>, le: string) => m.get(route)?.get(le) ?? 0;
  const total = at(after, '+Inf') - at(before, '+Inf');
  const within = (le: string) =>
    total === 0 ? null : round(((at(after, le) - at(before, le)) / total) * 100, 1);
  return {
    route,
    requests: total,
    '% ≤ 2 ms': within('0.002'),
    '% ≤ 5 ms': within('0.005'),
    '% ≤ 10 ms': within('0.01'),
  };
};
await stop(server.child);

const rawMs = rawInsert(stats.ok);
const rawPerSecond = stats.ok / (rawMs / 1000);

const syncRow = (name: string, st: UploadStats, lat: number[], perSecond: number) => ({
  uploaders: name,
  batches: lat.length,
  'p50 ms': round(percentile(lat, 50)),
  'p95 ms': round(percentile(lat, 95)),
  'p99 ms': round(percentile(lat, 99)),
  'max ms': round(lat[lat.length - 1] ?? NaN),
  'server p50 ms': round(percentile(sortedNumbers(st.serverMs), 50)),
  'server p95 ms': round(percentile(sortedNumbers(st.serverMs), 95)),
  'server p99 ms': round(percentile(sortedNumbers(st.serverMs), 99)),
  'records OK': st.ok,
  'records/s': Math.round(perSecond),
  conflicts: st.conflicts,
  'record errors': st.recordErrors,
  'http errors': st.httpErrors,
});
const syncRows = [
  syncRow(`${info.uploaders.length} concurrent`, stats, sorted, recordsPerSecond),
  syncRow('1 alone (5 s)', alone, aloneSorted, alone.ok / 5),
];
console.log(
  '\nsync batches of 500 records (round trip per batch at the client; server time from Server-Timing):',
);
console.table(syncRows);
const serviceMs = (uploadSeconds * 1000) / sorted.length;
console.log(
  `server busy time per batch under load ≈ ${round(serviceMs)} ms (measured seconds / batches; one event loop serves the batches one after another)`,
);
const rawRow = {
  rows: stats.ok,
  'raw better-sqlite3, one transaction, ms': round(rawMs),
  'raw rows/s': Math.round(rawPerSecond),
  'app records/s': Math.round(recordsPerSecond),
  'app / raw': `${round((recordsPerSecond / rawPerSecond) * 100, 2)} %`,
};
console.table([rawRow]);

const loadRow = (name: string, r: autocannon.Result) => ({
  endpoint: name,
  'req/s': Math.round(r.requests.average),
  'p50 ms': r.latency.p50,
  'p99 ms': r.latency.p99,
  'max ms': r.latency.max,
  errors: r.errors + r.non2xx,
  requests: r.requests.total,
});
const loadRows = [
  loadRow(`heartbeat, ${info.phones.length} connections, unpaced (saturation)`, heartbeat),
  loadRow(`heartbeat, ${info.phones.length} connections, ${pacedRate} req/s`, heartbeatPaced),
  loadRow(`claim (own rack), ${info.phones.length} connections, unpaced (saturation)`, claim),
  loadRow(`claim (own rack), ${info.phones.length} connections, ${pacedRate} req/s`, claimPaced),
];
console.table(loadRows);
const fieldRow = (name: string, lat: number[]) => ({
  endpoint: name,
  requests: lat.length,
  'p50 ms': round(percentile(lat, 50)),
  'p99 ms': round(percentile(lat, 99)),
  'max ms': round(lat[lat.length - 1] ?? NaN),
  errors: field.errors,
});
console.log(
  `\n${info.phones.length} phones on their own timers (heartbeat every ${process.env.BENCH_HEARTBEAT_MS ?? 2500} ms, a claim every 3rd beat):`,
);
console.table([fieldRow('heartbeat', field.heartbeat), fieldRow('claim (own rack)', field.claims)]);
console.log(
  "the same phones, server side (the app's request-duration histogram, route matched to finish):",
);
const serverRows = [
  serverSide('/api/sessions/:id/heartbeat'),
  serverSide('/api/sessions/:id/racks/:rack/claim'),
];
console.table(serverRows);
console.log(
  `goals: sync p95 ≤ 150 ms per 500-record batch (server time p95 ${syncRows[0]!['server p95 ms']} ms with ${info.uploaders.length} uploaders, ${syncRows[1]!['server p95 ms']} ms alone; round trip p95 ${syncRows[0]!['p95 ms']} / ${syncRows[1]!['p95 ms']} ms), ≥ 5,000 records/s (${syncRows[0]!['records/s']}); heartbeat and claim p99 ≤ 5 ms at 200 phones (phones on timers: ${round(percentile(field.heartbeat, 99))} / ${round(percentile(field.claims, 99))} ms; bursts of 200 at once: ${heartbeatPaced.latency.p99} / ${claimPaced.latency.p99} ms)`,
);

// `--out file.json` writes the results elsewhere (a trial run leaves bench/results/ as it is).
const outAt = process.argv.indexOf('--out');
const outFile =
  outAt >= 0 ? path.resolve(process.argv[outAt + 1]!) : path.join(here, 'results', 'sync.json');
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(
  outFile,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
      items: info.items,
      uploaders: info.uploaders.length,
      batch_size: batchSize,
      seconds,
      doubtful_share: doubtfulShare,
      outside_units: info.outside_units,
      compare_seconds: compareSeconds,
      consensus_upkeep: comparison,
      latency_measured: 'client round trip (no server timing header)',
      sync: syncRows,
      server_ms_per_batch_under_load: round(serviceMs),
      raw_insert: rawRow,
      phones: info.phones.length,
      load_seconds: loadSeconds,
      paced_rate: pacedRate,
      load: loadRows,
      phones_server_side: serverRows,
      phones_on_timers: [
        {
          endpoint: 'heartbeat',
          p50: round(percentile(field.heartbeat, 50)),
          p99: round(percentile(field.heartbeat, 99)),
          requests: field.heartbeat.length,
        },
        {
          endpoint: 'claim',
          p50: round(percentile(field.claims, 50)),
          p99: round(percentile(field.claims, 99)),
          requests: field.claims.length,
        },
      ],
    },
    null,
    2,
  ),
);
