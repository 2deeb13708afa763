/**
 * Load benchmark (issue #7): LOAD_PHONES (200) simulated phones against TWO real API processes
 * (src/main.ts) sharing one SQLite data dir and one Redis, for LOAD_SECONDS (120). Each phone
 * claims its own rack, sends a heartbeat every 25 s, a barcode lookup followed by a count every
 * 2 s, and a sync batch of LOAD_BATCH_RECORDS (20) records every 20–40 s; requests alternate
 * between the two processes as a round-robin load balancer would. After LOAD_WARMUP_SECONDS (10)
 * of the same traffic (JIT, caches; claims are always measured), reports client-measured
 * latency percentiles per endpoint kind, the error rate and the throughput; goals: p99 ≤ 50 ms,
 * errors < 0.1 %. Uses REDIS_URL when it answers, else a throw-away redis-server on a free
 * loopback port. Loopback only; bounded in time. Prints a table and writes bench/results/load.json.
 * Not a test.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { ClaimAnswer, CountSession, Item } from '@stockverify/shared';
import {
  callApi,
  loginApi,
  PROCESS_ADMIN_PASSWORD,
  startApiProcess,
  waitForErpMirror,
  type ApiProcess,
} from '../test/support/api-process';
import { startThrowAwayRedis, type ThrowAwayRedis } from '../test/support/redis-server';

const here = path.dirname(fileURLToPath(import.meta.url));
const phoneCount = Number(process.env.LOAD_PHONES ?? 200);
const seconds = Number(process.env.LOAD_SECONDS ?? 120);
const heartbeatMs = Number(process.env.LOAD_HEARTBEAT_MS ?? 25_000);
const scanMs = Number(process.env.LOAD_SCAN_MS ?? 2_000);
const batchRecords = Number(process.env.LOAD_BATCH_RECORDS ?? 20);
const itemCount = Number(process.env.LOAD_ITEMS ?? 20_000);
const warmupSeconds = Number(process.env.LOAD_WARMUP_SECONDS ?? 10);
const RACKS_PER_SESSION = 100;
/** Samples before this time (JIT warm-up, caches) are not kept, except the claims. */
let measureFrom = Infinity;

type Kind = 'claim' | 'heartbeat' | 'lookup' | 'count' | 'sync';
const KINDS: Kind[] = ['claim', 'heartbeat', 'lookup', 'count', 'sync'];
const samples: Record<Kind, number[]> = {
  claim: [],
  heartbeat: [],
  lookup: [],
  count: [],
  sync: [],
};
const failures: Record<Kind, number> = { claim: 0, heartbeat: 0, lookup: 0, count: 0, sync: 0 };
const failureStatuses = new Map<string, number>();
let recordsNotOk = 0;
let warmupFailures = 0;
let recordsOk = 0;

// One keep-alive agent: phones reuse connections like a browser does.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });

/** A plain http request (lighter than fetch on the shared cores); resolves status and body text. */
function send(
  base: string,
  method: string,
  url: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const target = new URL(base + url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method,
        agent,
        timeout: 10_000,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout after 10 s')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Times one request of a kind; counts it as failed unless `ok(status, text)` holds. */
async function measure(
  kind: Kind,
  work: () => Promise<{ status: number; text: string }>,
  ok: (status: number, text: string) => boolean,
): Promise<{ status: number; text: string } | null> {
  const started = performance.now();
  const kept = kind === 'claim' || started >= measureFrom;
  try {
    const res = await work();
    if (!kept) {
      if (!ok(res.status, res.text)) warmupFailures++;
      return res;
    }
    samples[kind].push(performance.now() - started);
    if (!ok(res.status, res.text)) {
      failures[kind]++;
      const label = `${kind} ${res.status}`;
      failureStatuses.set(label, (failureStatuses.get(label) ?? 0) + 1);
    }
    return res;
  } catch (err) {
    if (!kept) warmupFailures++;
    else samples[kind].push(performance.now() - started);
    failures[kind]++;
    const label = `${kind} ${err instanceof Error ? err.message : String(err)}`;
    failureStatuses.set(label, (failureStatuses.get(label) ?? 0) + 1);
    return null;
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The app's request-duration histogram (Prometheus), per route: bucket bound → count, 2xx only. */
async function scrapeDurations(base: string): Promise<Map<string, Map<string, number>>> {
  const text = (await send(base, 'GET', '/api/metrics', '')).text;
  const out = new Map<string, Map<string, number>>();
  const re = /^stockverify_http_request_duration_seconds_bucket\{([^}]*)\} (\d+)/gm;
  for (const m of text.matchAll(re)) {
    const labels = Object.fromEntries(
      [...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]),
    );
    if (!String(labels['status']).startsWith('2')) continue;
    const route = `${labels['method']} ${labels['route']}`;
    const buckets = out.get(route) ?? new Map<string, number>();
    buckets.set(labels['le']!, (buckets.get(labels['le']!) ?? 0) + Number(m[2]));
    out.set(route, buckets);
  }
  return out;
}

/** Sums the histograms of several processes. */
function addUp(maps: Array<Map<string, Map<string, number>>>): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const map of maps)
    for (const [route, buckets] of map) {
      const sum = out.get(route) ?? new Map<string, number>();
      for (const [le, n] of buckets) sum.set(le, (sum.get(le) ?? 0) + n);
      out.set(route, sum);
    }
  return out;
}

async function redisFromEnv(): Promise<{ url: string; own: ThrowAwayRedis | null }> {
  const url = process.env.REDIS_URL;
  if (url) {
    const probe = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => {});
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return { url, own: null };
    } catch {
      probe.disconnect();
      console.warn(`REDIS_URL ${url} does not answer; starting a throw-away redis-server`);
    }
  }
  const own = await startThrowAwayRedis();
  return { url: own.url, own };
}

interface Phone {
  n: number;
  token: string;
  sessionId: string;
  rack: string;
  fencingToken: number;
}

// ---------------------------------------------------------------------------------------------
// Setup: two processes, users, sessions (100 racks each), one rack per phone

const { url: redisUrl, own: ownRedis } = await redisFromEnv();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-bench-load-'));
const env = {
  DATA_DIR: dataDir,
  REDIS_URL: redisUrl,
  DEMO_ITEM_COUNT: String(itemCount),
  LOG_LEVEL: 'warn',
};
const processes: ApiProcess[] = [];
let exitCodes: Array<number | null>;
let failed = false;
try {
  const setupStarted = performance.now();
  processes.push(await startApiProcess(env));
  const A = processes[0]!.url;
  const admin = await loginApi(A, 'admin', PROCESS_ADMIN_PASSWORD);
  await waitForErpMirror(A, admin);
  processes.push(await startApiProcess(env));
  const bases = processes.map((p) => p.url);
  const suffix = randomUUID().slice(0, 6);

  /** Creates a user (argon2 on the server, a few at a time) and signs it in. */
  async function makeUser(username: string, role: 'staff' | 'supervisor', base: string) {
    const password = `pw-${username}-secret`;
    const made = await callApi(base, 'POST', '/api/users', admin, {
      username,
      full_name: username,
      role,
      password,
    });
    if (made.status !== 201) throw new Error(`create ${username}: ${JSON.stringify(made.body)}`);
    return loginApi(base, username, password);
  }
  const supervisor = await makeUser(`load-sup-${suffix}`, 'supervisor', A);
  const sessionsNeeded = Math.ceil(phoneCount / RACKS_PER_SESSION);
  const sessions: CountSession[] = [];
  for (let s = 0; s < sessionsNeeded; s++) {
    const made = await callApi<CountSession>(A, 'POST', '/api/sessions', supervisor, {
      warehouse: 'WH-MAIN',
      name: `Load ${suffix} ${s + 1}`,
      mode: 'standard',
    });
    if (made.status !== 201) throw new Error(`session: ${JSON.stringify(made.body)}`);
    sessions.push(made.body.data);
  }
  const exported = await callApi<{ items: Item[] }>(
    A,
    'GET',
    '/api/items/export?warehouse=WH-MAIN&format=json&limit=2000',
    supervisor,
  );
  const countable = exported.body.data.items.filter(
    (i) =>
      !i.serialized &&
      !i.decimal_qty &&
      !i.batch_tracked &&
      i.barcodes.length > 0 &&
      i.stock?.some((s) => s.warehouse === 'WH-MAIN'),
  );
  if (countable.length < 50) throw new Error(`only ${countable.length} countable items`);

  const tokens: string[] = [];
  for (let start = 0; start < phoneCount; start += 8) {
    const chunk = Array.from({ length: Math.min(8, phoneCount - start) }, (_, k) => start + k);
    tokens.push(
      ...(await Promise.all(
        chunk.map((n) => makeUser(`load-${suffix}-${n}`, 'staff', bases[n % bases.length]!)),
      )),
    );
  }
  const phones: Phone[] = tokens.map((token, n) => {
    const session = sessions[Math.floor(n / RACKS_PER_SESSION)]!;
    return {
      n,
      token,
      sessionId: session.id,
      rack: session.racks[n % RACKS_PER_SESSION]!,
      fencingToken: 0,
    };
  });
  console.log(
    `load: ${phoneCount} phones, 2 API processes (${bases.join(', ')}), Redis ${redisUrl}, ${itemCount} items, ${sessions.length} sessions; set up in ${round((performance.now() - setupStarted) / 1000)} s; running ${warmupSeconds} s warm-up + ${seconds} s measured`,
  );

  // -------------------------------------------------------------------------------------------
  // The run: each phone on its own timers; requests round-robin over the two processes

  let turn = 0;
  const nextBase = () => bases[turn++ % bases.length]!;
  const runStarted = performance.now() + warmupSeconds * 1000;
  measureFrom = runStarted;
  // The server's own view of the measured phase: its histogram at the end of the warm-up and after.
  const scrapeAll = async () => addUp(await Promise.all(bases.map((b) => scrapeDurations(b))));
  const atWarmupEnd = new Promise<Map<string, Map<string, number>>>((resolve, reject) =>
    setTimeout(() => scrapeAll().then(resolve, reject), warmupSeconds * 1000),
  );
  const end = Date.now() + (warmupSeconds + seconds) * 1000;

  const countBody = (phone: Phone, item: Item) => ({
    op_id: randomUUID(),
    type: 'count',
    session_id: phone.sessionId,
    rack: phone.rack,
    item_code: item.item_code,
    counted_qty: 1 + Math.floor(Math.random() * 9),
    damaged_qty: 0,
    non_returnable_damaged_qty: 0,
    serials: [],
    fencing_token: phone.fencingToken,
    counted_at: new Date().toISOString(),
  });
  const anyItem = () => countable[Math.floor(Math.random() * countable.length)]!;
  const claimed = (status: number) => status === 200;

  async function runPhone(phone: Phone): Promise<void> {
    // Phones start within the first 2 s, not all in the same millisecond.
    await sleep(Math.random() * 2000);
    const claim = await measure(
      'claim',
      () =>
        send(
          nextBase(),
          'POST',
          `/api/sessions/${phone.sessionId}/racks/${phone.rack}/claim`,
          phone.token,
          {
            device_id: `load-${phone.n}`,
          },
        ),
      claimed,
    );
    if (!claim || claim.status !== 200) return;
    phone.fencingToken = (JSON.parse(claim.text) as { data: ClaimAnswer }).data.fencing_token;
    let nextBeat = Date.now() + heartbeatMs * (0.5 + Math.random() * 0.5);
    let nextBatch = Date.now() + 20_000 + Math.random() * 20_000;
    let nextScan = Date.now() + Math.random() * scanMs;
    while (Date.now() < end) {
      const wake = Math.min(nextBeat, nextBatch, nextScan);
      if (wake > Date.now()) await sleep(wake - Date.now());
      if (Date.now() >= end) break;
      const now = Date.now();
      if (now >= nextBeat) {
        nextBeat = now + heartbeatMs;
        await measure(
          'heartbeat',
          () =>
            send(nextBase(), 'POST', `/api/sessions/${phone.sessionId}/heartbeat`, phone.token, {
              device_id: `load-${phone.n}`,
            }),
          claimed,
        );
      } else if (now >= nextScan) {
        nextScan = now + scanMs * (0.9 + Math.random() * 0.2);
        const item = anyItem();
        const code = item.barcodes[0]!.code;
        await measure(
          'lookup',
          () =>
            send(
              nextBase(),
              'GET',
              `/api/items/barcode/${encodeURIComponent(code)}?session=${phone.sessionId}`,
              phone.token,
            ),
          (status) => status === 200,
        );
        await measure(
          'count',
          () =>
            send(
              nextBase(),
              'POST',
              `/api/sessions/${phone.sessionId}/count-lines`,
              phone.token,
              countBody(phone, item),
            ),
          (status) => status === 201,
        );
      } else if (now >= nextBatch) {
        nextBatch = now + 20_000 + Math.random() * 20_000;
        const records = Array.from({ length: batchRecords }, () => countBody(phone, anyItem()));
        const res = await measure(
          'sync',
          () =>
            send(
              nextBase(),
              'POST',
              '/api/sync/batch',
              phone.token,
              { device_id: `load-${phone.n}`, records },
              {
                'idempotency-key': randomUUID(),
              },
            ),
          (status) => status === 200,
        );
        if (res?.status === 200) {
          const results = (JSON.parse(res.text) as { data: { results: Array<{ status: string }> } })
            .data.results;
          for (const r of results) {
            if (r.status === 'OK') recordsOk++;
            else recordsNotOk++;
          }
        }
      }
    }
  }

  await Promise.all(phones.map((phone) => runPhone(phone)));
  const runSeconds = (performance.now() - runStarted) / 1000;
  const before = await atWarmupEnd;
  const after = await scrapeAll();
  const serverRows = [...after.keys()]
    .filter((route) => !route.includes('/metrics'))
    .map((route) => {
      const at = (m: Map<string, Map<string, number>>, le: string) => m.get(route)?.get(le) ?? 0;
      const total = at(after, '+Inf') - at(before, '+Inf');
      const within = (le: string) =>
        total === 0 ? null : round(((at(after, le) - at(before, le)) / total) * 100, 2);
      return {
        route,
        requests: total,
        '% ≤ 5 ms': within('0.005'),
        '% ≤ 10 ms': within('0.01'),
        '% ≤ 25 ms': within('0.025'),
        '% ≤ 50 ms': within('0.05'),
      };
    })
    .filter((row) => row.requests > 0);

  // -------------------------------------------------------------------------------------------
  // Report

  const rows: Array<Record<string, string | number> & { endpoint: string }> = KINDS.map((kind) => {
    const sorted = [...samples[kind]].sort((x, y) => x - y);
    return {
      endpoint: kind,
      requests: sorted.length,
      'p50 ms': round(percentile(sorted, 50)),
      'p95 ms': round(percentile(sorted, 95)),
      'p99 ms': round(percentile(sorted, 99)),
      'max ms': round(sorted[sorted.length - 1] ?? NaN),
      errors: failures[kind],
      'error %': sorted.length ? round((failures[kind] / sorted.length) * 100, 3) : 0,
    };
  });
  const all = KINDS.flatMap((k) => samples[k]).sort((x, y) => x - y);
  const errors = KINDS.reduce((sum, k) => sum + failures[k], 0);
  const total = {
    endpoint: 'all',
    requests: all.length,
    'p50 ms': round(percentile(all, 50)),
    'p95 ms': round(percentile(all, 95)),
    'p99 ms': round(percentile(all, 99)),
    'max ms': round(all[all.length - 1] ?? NaN),
    errors,
    'error %': round((errors / Math.max(1, all.length)) * 100, 3),
  };
  rows.push(total);
  const throughput = all.length / runSeconds;
  const load = os.loadavg();
  console.log(
    `\n${phoneCount} phones for ${round(runSeconds)} s against 2 API processes (latency at the client, loopback):`,
  );
  console.table(rows);
  console.log(
    `throughput ${round(throughput)} req/s; sync records OK ${recordsOk}, not OK ${recordsNotOk}; failed in warm-up ${warmupFailures}; load average ${load.map((l) => round(l, 2)).join(' ')}`,
  );
  if (failureStatuses.size > 0) console.log('failures:', Object.fromEntries(failureStatuses));
  console.log(
    "the same phase at the servers (both processes' request-duration histograms, 2xx, route matched):",
  );
  console.table(serverRows);
  const goals = { p99_ms: 50, error_percent: 0.1 };
  const meets = total['p99 ms'] <= goals.p99_ms && total['error %'] < goals.error_percent;
  console.log(
    `goals: p99 ≤ ${goals.p99_ms} ms (${total['p99 ms']} ms), errors < ${goals.error_percent} % (${total['error %']} %): ${meets ? 'met' : 'NOT met'}`,
  );

  const out = path.join(here, 'results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    path.join(out, 'load.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
        load_average_at_end: load,
        phones: phoneCount,
        api_processes: 2,
        seconds: round(runSeconds),
        warmup_seconds: warmupSeconds,
        failed_in_warmup: warmupFailures,
        items: itemCount,
        heartbeat_ms: heartbeatMs,
        scan_ms: scanMs,
        batch_records: batchRecords,
        latency_measured: 'client round trip over loopback (node:http, keep-alive)',
        endpoints: rows,
        server_side: serverRows,
        throughput_rps: round(throughput),
        sync_records: { ok: recordsOk, not_ok: recordsNotOk },
        failures: Object.fromEntries(failureStatuses),
        goals,
        goals_met: meets,
      },
      null,
      2,
    ),
  );
} catch (err) {
  failed = true;
  throw err;
} finally {
  agent.destroy();
  exitCodes = await Promise.all(processes.map((p) => p.stop()));
  // The processes' own logs (flushed on shutdown) say what went wrong on their side.
  if (failed) for (const p of processes) console.error(p.output().slice(-4000));
  await ownRedis?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
if (exitCodes.some((code) => code !== 0)) {
  console.error(`an API process exited with ${exitCodes.join(', ')}`);
  for (const p of processes) console.error(p.output().slice(-2000));
  process.exitCode = 1;
}
