/**
 * The server side of the lookup benchmark, run as its own process: the real app on SQLite with a
 * 100,000-item demo master, memory coordination, info-level logs written asynchronously to /dev/null (as main.ts writes them to stdout).
 * Prints one JSON line {port, tokens, barcodes, …} on stdout when ready.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createApp } from '../src/app';
import { createMemoryCoordination } from '../src/adapters/coordination/memory';
import { createDemoErpSource } from '../src/adapters/erp/demo';
import { createSqliteStore } from '../src/adapters/store/sqlite';

const itemCount = Number(process.env.BENCH_ITEMS ?? 100_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-bench-'));
const store = createSqliteStore({ file: path.join(dir, 'bench.db') });
await store.init();
const erp = createDemoErpSource({ itemCount });
const { handler, services } = createApp({
  settings: {
    jwtSecret: 'bench-secret-bench-secret-bench-secret-0123',
    accessTokenMinutes: 15,
    refreshTokenDays: 7,
    loginRateLimit: 50,
    loginRateWindowMs: 900_000,
    bodyLimit: '1mb',
    uploadLimitBytes: 1 << 20,
    itemCacheMs: Number(process.env.BENCH_CACHE_MS ?? 60_000),
    trustProxy: 'loopback',
  },
  store,
  coordination: createMemoryCoordination(),
  erp,
  log: pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false })),
});
const synced = await services.erp.sync(null, { request_id: null, ip: null });
// One staff user per connection, as on a warehouse floor: 50 phones, 50 people, 50 tokens.
const tokens: string[] = [];
for (let n = 0; n < Number(process.env.BENCH_USERS ?? 50); n++) {
  const username = `counter${n}`;
  const meta = { request_id: null, ip: null };
  await services.users.create({ id: 'bench', username: 'bench', role: 'admin' }, meta, {
    username,
    full_name: `Bench Counter ${n}`,
    role: 'staff',
    password: 'bench-password',
  });
  tokens.push(
    (await services.auth.login({ username, password: 'bench-password' }, meta)).access_token,
  );
}
const barcodes: string[] = [];
for await (const batch of erp.fetchItems({ batchSize: 5000 })) {
  for (const item of batch)
    if (barcodes.length < 20_000 && Number(item.item_code.replace(/\D/g, '')) % 5 === 0)
      barcodes.push(item.barcodes[0]!.code);
}
// BENCH_PROFILE=file.cpuprofile records a CPU profile of the serving phase only (not the sync).
const profileFile = process.env.BENCH_PROFILE;
const inspector = profileFile ? new (await import('node:inspector/promises')).Session() : null;
if (inspector) {
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.start');
}
const server = http.createServer(handler);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(
    JSON.stringify({
      port,
      tokens,
      barcodes,
      items: synced.items_received,
      sync_ms: synced.duration_ms,
    }) + '\n',
  );
});
process.on('SIGTERM', async () => {
  if (inspector && profileFile) {
    const { profile } = await inspector.post('Profiler.stop');
    fs.writeFileSync(profileFile, JSON.stringify(profile));
  }
  server.close();
  void store.close().then(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
