/**
 * Fault: the store fails a share of its writes (issue #7). A wrapping Store adapter injected via
 * createApp makes 20 % of the sync path's writes throw, half before the write and half after it
 * was committed (a lost acknowledgement). Three phones keep retrying each batch under its
 * Idempotency-Key (and, when the store circuit opens, after its Retry-After) until every record
 * has an answer. Then the sync invariant (design §5, as in test/api/sync-invariant.test.ts) must
 * hold: the session's lines are exactly the records answered OK, each op_id once, with the
 * line id the phone was told.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RecordResult } from '@stockverify/shared';
import { createSqliteStore } from '../../src/adapters/store/sqlite';
import type { CountLineRecord } from '../../src/ports/counting';
import type { Store } from '../../src/ports/store';
import { claim, countRecord, createSession, seedCounting, sync } from '../support/counting-fixture';
import { seededRandom, withFailingWrites, type FailingStoreStats } from '../support/failing-store';
import { startTestApp, type TestApp } from '../support/test-app';

const SEED = Number(process.env.STORE_FAULT_SEED ?? 20261129);
const HISTORIES = 6;
const FAILURE_RATE = 0.2;
const RECORDS_PER_PHONE = 60;
const PHONES = [
  { rack: 'A-01', items: ['ITM-A', 'ITM-B'] },
  { rack: 'A-02', items: ['ITM-C'] },
  { rack: 'B-01', items: ['ITM-C', 'KG-1'] },
];

let dir: string;
let realStore: Store;
let stats: FailingStoreStats;
let failing = false;
let t: TestApp;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-store-faults-'));
  realStore = createSqliteStore({ file: path.join(dir, 'faults.db') });
  const wrapped = withFailingWrites(realStore, {
    rate: FAILURE_RATE,
    random: seededRandom(SEED),
    enabled: () => failing,
  });
  stats = wrapped.stats;
  t = await startTestApp({ store: wrapped.store, settings: { syncBatchesPerMinute: 100_000 } });
  await seedCounting(t);
});

afterAll(async () => {
  await t?.close();
  await realStore?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function allLines(sessionId: string): Promise<CountLineRecord[]> {
  const lines: CountLineRecord[] = [];
  for (let page = 1; ; page++) {
    const got = await realStore.lines.list(sessionId, { page, page_size: 200 });
    lines.push(...got.items);
    if (got.items.length === 0 || lines.length >= got.total) return lines;
  }
}

const seen = { statuses: new Map<number, number>(), circuitOpened: 0 };

/** One history: fresh session and phones, every outbox drained under failing writes, then checked. */
async function runHistory(seed: number): Promise<void> {
  const random = seededRandom(seed);
  const sup = await t.userWithRole('supervisor');
  const session = await createSession(t, sup.token);
  const phones = [];
  for (const [n, spec] of PHONES.entries()) {
    const staff = await t.userWithRole('staff', `faults-${seed}-${n}`);
    const held = await claim(t, staff.token, session.id, spec.rack);
    expect(held.status).toBe(200);
    const outbox = Array.from({ length: RECORDS_PER_PHONE }, (_, k) =>
      countRecord(
        session.id,
        spec.rack,
        spec.items[k % spec.items.length]!,
        held.body.data.fencing_token,
        {
          counted_qty: 1 + (k % 7),
        },
      ),
    );
    phones.push({ token: staff.token, outbox, sent: [...outbox] });
  }

  const answers = new Map<string, RecordResult>();
  const statuses = seen.statuses;
  failing = true;
  // The phones take turns, one batch each, as their sync timers would interleave.
  while (phones.some((p) => p.outbox.length > 0)) {
    for (const phone of phones) {
      if (phone.outbox.length === 0) continue;
      const size = 1 + Math.floor(random() * 8);
      const records = phone.outbox.slice(0, size);
      // Now and then an answered record rides along again (a phone that lost an earlier answer).
      const answered = phone.sent.filter((r) => answers.has(r.op_id));
      if (answered.length > 0 && random() < 0.3)
        records.push(answered[Math.floor(random() * answered.length)]!);
      const key = `faults-${randomUUID()}`;
      for (let attempt = 0; ; attempt++) {
        expect(attempt, 'a batch never got through').toBeLessThan(100);
        const res = await sync(t, phone.token, records, key);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 200) {
          for (const r of res.body.data.results) {
            const earlier = answers.get(r.op_id);
            // A stored answer never changes, whichever retry or batch carries the record.
            if (earlier) expect(r.line_id, r.op_id).toBe(earlier.line_id);
            else answers.set(r.op_id, r);
          }
          const done = new Set(res.body.data.results.map((r) => r.op_id));
          phone.outbox = phone.outbox.filter((r) => !done.has(r.op_id));
          break;
        }
        if (res.status === 503) {
          // Store circuit open: the phone waits as told (the app clock moves instead of sleeping).
          seen.circuitOpened++;
          expect(res.headers.get('retry-after')).not.toBeNull();
          t.advance(Number(res.headers.get('retry-after')) * 1000);
          continue;
        }
        // An injected failure surfaces as a 500; the phone retries the same key and body.
        expect(res.status, JSON.stringify(res.body.error)).toBe(500);
      }
    }
  }
  failing = false;

  const sent = phones.flatMap((p) => p.sent.map((r) => r.op_id));
  // Every record got an answer, and valid records on held racks are all OK.
  expect(sent.filter((op) => !answers.has(op))).toEqual([]);
  expect([...answers.values()].filter((r) => r.status !== 'OK')).toEqual([]);

  // design §5: the stored lines are exactly the records answered OK, each once.
  const lines = await allLines(session.id);
  const lineOps = lines.map((l) => l.op_id).sort();
  expect(lineOps).toEqual([...new Set(lineOps)]);
  expect(lineOps).toEqual([...sent].sort());
  const lineIdByOp = new Map(lines.map((l) => [l.op_id, l.id]));
  for (const op of sent) expect(answers.get(op)!.line_id, op).toBe(lineIdByOp.get(op));
  // No conflict was recorded for a valid record.
  expect(
    (await realStore.conflicts.list({ page: 1, page_size: 10, session: session.id })).total,
  ).toBe(0);
}

it(`no loss and no duplicates when ${FAILURE_RATE * 100} % of store writes fail (${HISTORIES} histories from seed ${SEED})`, async () => {
  for (let n = 0; n < HISTORIES; n++) await runHistory(SEED + n);
  console.info('store write failures', {
    ...stats,
    statuses: Object.fromEntries(seen.statuses),
    circuitOpened: seen.circuitOpened,
  });
  // Faults were really injected, both kinds; phones saw 500s and retried, and the store circuit
  // opened and closed again under them.
  expect(stats.failedBefore).toBeGreaterThan(20);
  expect(stats.failedAfter).toBeGreaterThan(20);
  expect(seen.statuses.get(500) ?? 0).toBeGreaterThan(20);
  expect(seen.circuitOpened).toBeGreaterThan(0);
}, 60_000);
