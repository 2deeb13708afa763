// bench:session's reader on a thread of its own (session.bench.ts, `readsOnThread`). A
// supervisor's console does not share an event loop with twenty phones: on the main thread of the
// benchmark a read's round trip also waited for the phones' batches to be built and their answers
// parsed (that loop's delay, p95 7–8 ms, p99 16 ms, is printed per phase). Here the reader's loop
// does nothing else, so a round trip is the API's answer over loopback. Plain JavaScript: a worker
// needs no loader. `--reader-in-process` runs the same `runReads` on the main thread.
import http from 'node:http';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

function send(agent, base, read) {
  const payload = read.body === undefined ? undefined : JSON.stringify(read.body);
  const target = new URL(base + read.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: read.method,
        agent,
        timeout: 300_000,
        headers: {
          ...(read.token ? { authorization: `Bearer ${read.token}` } : {}),
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const all = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, text: all.toString(), bytes: all.length });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout after 300000 ms')));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * `readers` clients, each requesting every read in turn (from its own offset) until `until` and
 * every read was timed once; reads carry their token. Resolves with [name, stats] entries.
 */
export async function runReads({ base, reads, until, readers }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const stats = new Map(reads.map((r) => [r.name, { ms: [], bytes: 0, errors: 0, statuses: {} }]));
  await Promise.all(
    Array.from({ length: readers }, async (_, reader) => {
      for (let i = reader; ; i++) {
        const read = reads[i % reads.length];
        if (Date.now() >= until && [...stats.values()].every((s) => s.ms.length > 0)) break;
        const s = stats.get(read.name);
        const started = performance.now();
        try {
          const res = await send(agent, base, read);
          s.ms.push(performance.now() - started);
          s.bytes = res.bytes;
          if (res.status !== 200) {
            s.errors++;
            s.statuses[res.status] = (s.statuses[res.status] ?? 0) + 1;
            if (s.errors <= 2)
              console.error(`${read.name} answered ${res.status}: ${res.text.slice(0, 200)}`);
          }
        } catch (err) {
          s.ms.push(performance.now() - started);
          s.errors++;
          console.error(`${read.name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }),
  );
  agent.destroy();
  return [...stats.entries()];
}

if (!isMainThread && workerData?.reads) parentPort.postMessage(await runReads(workerData));
