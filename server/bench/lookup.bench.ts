/**
 * Lookup benchmark (issue #2): autocannon against barcode lookups on a 100,000-item master, and in
 * the same run against a bare node:http server with a fixed JSON body, each server in its own
 * process. Prints a table with the ratio and writes bench/results/lookup.json. Not a test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = path.dirname(fileURLToPath(import.meta.url));
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const duration = Number(process.env.BENCH_SECONDS ?? 20);

function startServer(
  script: string,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; info: Record<string, unknown> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, script)], {
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
        resolve({ child, info: JSON.parse(buffer.slice(0, newline)) as Record<string, unknown> });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

async function load(url: string, paths: string[], tokens: string[] = []) {
  let i = 0;
  return autocannon({
    url,
    connections,
    duration,
    requests: [
      {
        setupRequest: (req) => {
          const n = i++;
          const headers =
            tokens.length > 0
              ? { ...req.headers, authorization: `Bearer ${tokens[n % tokens.length]}` }
              : req.headers;
          return { ...req, headers, path: paths[n % paths.length]! };
        },
      },
    ],
  });
}

interface LookupInfo {
  port: number;
  tokens: string[];
  barcodes: string[];
  items: number;
  sync_ms: number;
}

/** Starts a lookup server, warms it up with one run, measures a second. */
async function measureLookups(cacheMs: number) {
  const server = await startServer('lookup-server.ts', { BENCH_CACHE_MS: String(cacheMs) });
  const info = server.info as unknown as LookupInfo;
  const paths = info.barcodes.map((b) => `/api/items/barcode/${b}`);
  const url = `http://127.0.0.1:${info.port}`;
  // Warm-up so JIT and caches are in their steady state, as in a working day.
  await load(url, paths, info.tokens);
  const result = await load(url, paths, info.tokens);
  await stop(server.child);
  return { info, result };
}

async function stop(child: ChildProcess) {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const row = (name: string, r: autocannon.Result) => ({
  server: name,
  'req/s': Math.round(r.requests.average),
  'p50 ms': r.latency.p50,
  'p99 ms': r.latency.p99,
  'max ms': r.latency.max,
  errors: r.errors + r.non2xx,
  requests: r.requests.total,
});

const warm = await measureLookups(60_000);
const { items, sync_ms, tokens, barcodes } = warm.info;
console.log(
  `lookup server: ${items} items mirrored in ${sync_ms} ms; ${tokens.length} users; ${barcodes.length} distinct barcodes; ${connections} connections, ${duration} s per run`,
);
// The same with the item cache off (1 ms TTL): every lookup reads SQLite.
const cold = await measureLookups(1);

const bare = await startServer('bare-server.ts');
const baseline = await load(`http://127.0.0.1:${(bare.info as { port: number }).port}`, ['/']);
await stop(bare.child);

const lookup = warm.result;
const rows = [
  row(`lookup, ${items} items, item cache on (60 s)`, lookup),
  row(`lookup, ${items} items, item cache off`, cold.result),
  row('bare node:http, fixed JSON', baseline),
];
console.table(rows);
const ratio = lookup.requests.average / baseline.requests.average;
const coldRatio = cold.result.requests.average / baseline.requests.average;
console.log(
  `throughput ratio lookup / bare: ${(ratio * 100).toFixed(1)} % with the item cache, ${(coldRatio * 100).toFixed(1)} % without   (goal ≥ 40 %)`,
);
console.log(`lookup p99: ${lookup.latency.p99} ms   (goal ≤ 10 ms at ${connections} connections)`);

const out = path.join(here, 'results');
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(
  path.join(out, 'lookup.json'),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
      connections,
      duration,
      items,
      rows,
      ratio,
    },
    null,
    2,
  ),
);
