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
): Promise<{ child: ChildProcess; info: Record<string, unknown> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, script)], {
    cwd: path.join(here, '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
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

async function load(url: string, paths: string[], headers: Record<string, string>) {
  let i = 0;
  return autocannon({
    url,
    connections,
    duration,
    headers,
    requests: [
      {
        setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length]! }),
      },
    ],
  });
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

const lookupServer = await startServer('lookup-server.ts');
const { port, token, barcodes, items, sync_ms } = lookupServer.info as {
  port: number;
  token: string;
  barcodes: string[];
  items: number;
  sync_ms: number;
};
console.log(
  `lookup server ready: ${items} items mirrored in ${sync_ms} ms; ${connections} connections, ${duration} s per run`,
);
// Warm-up so JIT and the item cache are in their steady state, as in a working day.
await load(
  `http://127.0.0.1:${port}`,
  barcodes.map((b) => `/api/items/barcode/${b}`),
  { authorization: `Bearer ${token}` },
).then(() => undefined);
const lookup = await load(
  `http://127.0.0.1:${port}`,
  barcodes.map((b) => `/api/items/barcode/${b}`),
  {
    authorization: `Bearer ${token}`,
  },
);
await stop(lookupServer.child);

const bare = await startServer('bare-server.ts');
const baseline = await load(`http://127.0.0.1:${(bare.info as { port: number }).port}`, ['/'], {});
await stop(bare.child);

const rows = [
  row('lookup (Express app, SQLite, 100k items)', lookup),
  row('bare node:http, fixed JSON', baseline),
];
console.table(rows);
const ratio = lookup.requests.average / baseline.requests.average;
console.log(`throughput ratio lookup / bare: ${(ratio * 100).toFixed(1)} %   (goal ≥ 40 %)`);
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
