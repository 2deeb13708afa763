/**
 * "No request can hurt other users" and "Only the author changes a count" (issue #12): every
 * attack runs while another staff member (the victim) keeps syncing into the same session. Each
 * test asserts the attack is refused with a clear answer, the victim's requests keep succeeding
 * with bounded latency, the event loop is never held long (perf_hooks.monitorEventLoopDelay: the
 * server runs in this process, so its blocking shows here), and nothing of the victim's changed.
 */
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { crc32, deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_BATCH_RECORDS,
  MAX_BATCH_SERIALS,
  MAX_RECORD_SERIALS,
  type CountSession,
  type ImportResult,
  type RecordResult,
} from '@stockverify/shared';
import { IMPORT_LIMITS, MAX_REPORTED_ERRORS } from '../../src/adapters/erp/import-limits';
import { claim, countRecord, createSession, seedCounting, sync } from '../support/counting-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

type User = Awaited<ReturnType<TestApp['userWithRole']>>;

let t: TestApp;
let supervisor: User;
let victim: User;
let attacker: User;
let author: User;
let session: CountSession;
let victimFence: number;

/**
 * How long the server may hold the event loop in one go while an attack runs. The goal is
 * 100 ms per slice of heavy work; the margin covers a loaded 2-core CI machine. Measured as the
 * CPU time this process used within each gap between timer ticks (a gap the OS made by running
 * other processes is not the server holding the loop), see `loopMonitor`.
 */
const HELD_MAX_MS = 150;
/**
 * The wall-clock view (perf_hooks.monitorEventLoopDelay), p99: it includes waiting for a CPU on a
 * busy machine (a load average of 17 on 2 cores gave 550 ms gaps while this process held the loop
 * for at most 86 ms), so only a sanity bound; before the fixes it was 0.9 to 12.6 s.
 */
const LOOP_P99_MS = 1_000;
/** No victim request may take longer than this while under attack. */
const VICTIM_MAX_MS = 2_000;

/**
 * Event-loop delay two ways: perf_hooks' histogram (wall clock), and per timer gap the smaller of
 * the gap and the process CPU time used in it, i.e. how long this process itself held the loop.
 */
function loopMonitor() {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let held = 0;
  let lastWall = performance.now();
  let lastCpu = process.cpuUsage();
  const tick = setInterval(() => {
    const wall = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    held = Math.max(held, Math.min(wall - lastWall, (cpu.user + cpu.system) / 1000));
    lastWall = wall;
    lastCpu = process.cpuUsage();
  }, 2);
  return {
    stop() {
      clearInterval(tick);
      histogram.disable();
      return {
        heldMax: held,
        loopP99: histogram.percentile(99) / 1e6,
        loopMax: histogram.max / 1e6,
      };
    },
  };
}

beforeAll(async () => {
  t = await startTestApp({ settings: { syncBatchesPerMinute: 100_000 } });
  await seedCounting(t);
  supervisor = await t.userWithRole('supervisor', 'bounds-sup');
  victim = await t.userWithRole('staff', 'bounds-victim');
  attacker = await t.userWithRole('staff', 'bounds-attacker');
  author = await t.userWithRole('staff', 'bounds-author');
  session = await createSession(t, supervisor.token);
  const held = await claim(t, victim.token, session.id, 'B-01');
  expect(held.status).toBe(200);
  victimFence = held.body.data.fencing_token;
});

afterAll(async () => {
  await t?.close();
});

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the victim owns: their lines in the session, by op_id and quantity. */
async function victimState() {
  const lines = await t.store.lines.list(session.id, { page: 1, page_size: 5000 });
  return lines.items
    .filter((l) => l.counted_by === victim.user.id)
    .map((l) => `${l.op_id}:${l.counted_qty}:${l.superseded_by ?? ''}`)
    .sort();
}

/** One sync of one count line by the victim; returns its status, answer and latency. */
async function victimSync() {
  const record = countRecord(session.id, 'B-01', 'KG-1', victimFence, { counted_qty: 1.5 });
  const started = performance.now();
  const res = await sync(t, victim.token, [record]);
  return {
    ms: performance.now() - started,
    status: res.status,
    result: res.body.data?.results?.[0]?.status ?? res.body.error?.code,
    op_id: record.op_id,
  };
}

/**
 * Runs `attack` while the victim syncs one line after another, then a few more syncs after it.
 * Asserts every victim sync was saved, none took longer than VICTIM_MAX_MS, the event loop's
 * p99 delay stayed under LOOP_P99_MS, and the victim's earlier lines are all still there.
 */
async function underAttack(attack: () => Promise<void>) {
  const before = await victimState();
  const monitor = loopMonitor();
  let stop = false;
  const syncs: Array<Awaited<ReturnType<typeof victimSync>>> = [];
  const loop = (async () => {
    while (!stop) {
      syncs.push(await victimSync());
      await sleep(20);
    }
  })();
  try {
    await attack();
  } finally {
    stop = true;
    await loop;
  }
  for (let i = 0; i < 3; i++) syncs.push(await victimSync());
  const { heldMax, loopP99, loopMax } = monitor.stop();
  const slowest = Math.max(...syncs.map((s) => s.ms));
  const seen = `held ≤ ${heldMax.toFixed(0)} ms, loop delay p99 ${loopP99.toFixed(0)} / max ${loopMax.toFixed(0)} ms, slowest victim sync ${slowest.toFixed(0)} ms`;
  expect(syncs.filter((s) => s.status !== 200 || s.result !== 'OK')).toEqual([]);
  expect(slowest, seen).toBeLessThan(VICTIM_MAX_MS);
  expect(heldMax, seen).toBeLessThan(HELD_MAX_MS);
  expect(loopP99, seen).toBeLessThan(LOOP_P99_MS);
  // Nothing of the victim's changed: every line they had is there, and each new one too.
  const after = await victimState();
  for (const line of before) expect(after).toContain(line);
  const ops = new Set(after.map((l) => l.split(':')[0]));
  for (const s of syncs) expect(ops.has(s.op_id)).toBe(true);
  return { heldMax, loopP99, loopMax, slowest, syncs: syncs.length };
}

/** `[[[…]]]` nested `depth` deep, as JSON text (JSON.stringify of it would throw). */
function deepArrayJson(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

function rawSync(token: string, body: string, key = randomUUID()) {
  return t.request<{ results: RecordResult[] }>('POST', '/api/sync/batch', {
    token,
    rawBody: body,
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
  });
}

describe('#1 deep nesting cannot open the store circuit for everyone', () => {
  it('50,000-deep arrays in a record are refused with 400 and never count as store failures', async () => {
    const held = await claim(t, attacker.token, session.id, 'A-01');
    const fence = held.body.data.fencing_token;
    const answers: Array<{ status: number; code: string | undefined; path?: string }> = [];
    await underAttack(async () => {
      for (let i = 0; i < 8; i++) {
        const record = JSON.stringify(countRecord(session.id, 'A-01', 'ITM-A', fence)).slice(0, -1);
        const body = `{"device_id":"evil","records":[${record},"junk":${deepArrayJson(50_000)}}]}`;
        const res = await rawSync(attacker.token, body);
        answers.push({
          status: res.status,
          code: res.body.error?.code,
          path: res.body.error?.details?.[0]?.path,
        });
      }
      // The online endpoint too.
      const online = await t.request('POST', `/api/sessions/${session.id}/count-lines`, {
        token: attacker.token,
        rawBody: `{"op_id":"${randomUUID()}","deep":${deepArrayJson(50_000)}}`,
        headers: { 'content-type': 'application/json' },
      });
      answers.push({ status: online.status, code: online.body.error?.code });
    });
    expect(answers.every((a) => a.status === 400 && a.code === 'VALIDATION_FAILED')).toBe(true);
    expect(answers[0]!.path).toBe('body');
    // The attacker's own honest sync still works: the circuit never opened.
    const honest = await sync(t, attacker.token, [countRecord(session.id, 'A-01', 'ITM-A', fence)]);
    expect(honest.status).toBe(200);
    expect(honest.body.data.results[0]!.status).toBe('OK');
  });

  it('unknown keys cannot smuggle long texts or long names past the strict record schemas', async () => {
    const held = await claim(t, attacker.token, session.id, 'A-01');
    const fence = held.body.data.fencing_token;
    const long = await sync(t, attacker.token, [
      { ...countRecord(session.id, 'A-01', 'ITM-A', fence), junk: 'x'.repeat(100_000) },
    ]);
    expect(long.status).toBe(400);
    expect(long.body.error?.details?.[0]?.path).toBe('records.0.junk');
    const name = await sync(t, attacker.token, [
      { ...countRecord(session.id, 'A-01', 'ITM-A', fence), ['k'.repeat(10_000)]: 1 },
    ]);
    expect(name.status).toBe(400);
    expect(name.body.error?.details?.[0]?.path).toBe('records.0');
    // Nothing of either was stored anywhere, not even as a refused batch's answers.
    const lines = await t.store.lines.list(session.id, { page: 1, page_size: 5000 });
    expect(JSON.stringify(lines.items)).not.toContain('x'.repeat(100));
  });

  it('a handler bug (non-store exception) does not count toward the store circuit', async () => {
    // Five batches whose body makes the handler throw before any store call: with the old
    // breaker every non-AppError counted and the sixth request of anyone got 503.
    const before = t.services.counting.syncBatch;
    let boom = 0;
    (t.services.counting as { syncBatch: unknown }).syncBatch = async () => {
      boom++;
      throw new RangeError('Maximum call stack size exceeded');
    };
    try {
      for (let i = 0; i < 6; i++) {
        const res = await sync(t, attacker.token, [{ op_id: randomUUID(), type: 'count' }]);
        expect(res.status).toBe(500);
      }
    } finally {
      (t.services.counting as { syncBatch: unknown }).syncBatch = before;
    }
    expect(boom).toBe(6);
    const after = await victimSync();
    expect(after).toMatchObject({ status: 200, result: 'OK' });
  });
});

describe('#4 serials per record and per batch are bounded, and the biggest batch is quick', () => {
  it('100 records × 1,000 serials is refused at once with 413 naming the cap', async () => {
    const held = await claim(t, attacker.token, session.id, 'A-02');
    const fence = held.status === 200 ? held.body.data.fencing_token : 0;
    let answer: Awaited<ReturnType<typeof sync>> | undefined;
    await underAttack(async () => {
      const records = Array.from({ length: 100 }, (_, r) =>
        countRecord(session.id, 'A-02', 'ITM-C', fence, {
          counted_qty: 1000,
          serials: Array.from({ length: 1000 }, (_, i) => `SN-${r}-${i}-${'X'.repeat(8)}`),
        }),
      );
      answer = await sync(t, attacker.token, records);
    });
    expect(answer!.status).toBe(413);
    expect(answer!.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    // Within the per-request value limit, the serial cap itself answers.
    const ten = await sync(
      t,
      attacker.token,
      Array.from({ length: 10 }, (_, r) =>
        countRecord(session.id, 'A-02', 'ITM-C', fence, {
          counted_qty: 1000,
          serials: Array.from({ length: 1000 }, (_, i) => `SN-${r}-${i}`),
        }),
      ),
    );
    expect(ten.status).toBe(413);
    expect(ten.body.error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      limit: 'serials_per_batch',
      max: MAX_BATCH_SERIALS,
    });
  });

  it('more serials than allowed in one record is that record’s ERROR, the others are saved', async () => {
    const held = await claim(t, attacker.token, session.id, 'A-02');
    const fence = held.body.data.fencing_token;
    const res = await sync(t, attacker.token, [
      countRecord(session.id, 'A-02', 'ITM-C', fence, {
        counted_qty: MAX_RECORD_SERIALS + 1,
        serials: Array.from({ length: MAX_RECORD_SERIALS + 1 }, (_, i) => `BIG-${i}`),
      }),
      countRecord(session.id, 'A-02', 'ITM-C', fence, { counted_qty: 2 }),
    ]);
    expect(res.status).toBe(200);
    expect(res.body.data.results.map((r) => r.status)).toEqual(['ERROR', 'OK']);
    expect(res.body.data.results[0]!.details[0]!.path).toBe('records.0.serials');
  });

  it.each([
    ['5 records × 1,000 serials', MAX_RECORD_SERIALS],
    ['500 records × 10 serials', MAX_BATCH_SERIALS / MAX_BATCH_RECORDS],
  ])('the largest allowed batch (%s) never holds the event loop long', async (_name, per) => {
    const held = await claim(t, attacker.token, session.id, 'A-02');
    const fence = held.body.data.fencing_token;
    const records = Array.from({ length: MAX_BATCH_SERIALS / per }, (_, r) =>
      countRecord(session.id, 'A-02', 'ITM-C', fence, {
        counted_qty: per,
        serials: Array.from({ length: per }, (_, i) => `MAX-${per}-${r}-${i}`),
      }),
    );
    let res: Awaited<ReturnType<typeof sync>> | undefined;
    await underAttack(async () => {
      res = await sync(t, attacker.token, records);
    });
    expect(res!.status).toBe(200);
    expect(res!.body.data.counts.OK).toBe(records.length);
  });
});

describe('#6 only the author changes a count', () => {
  it('staff B cannot supersede staff A’s line, and DUPLICATE_SERIAL does not name A’s op_id', async () => {
    const s = await createSession(t, supervisor.token);
    const a = await claim(t, author.token, s.id, 'A-02');
    const original = countRecord(s.id, 'A-02', 'ITM-C', a.body.data.fencing_token, {
      counted_qty: 399,
      serials: ['SN-SECRET-1'],
    });
    expect((await sync(t, author.token, [original])).body.data.results[0]!.status).toBe('OK');
    const released = await t.request('POST', `/api/sessions/${s.id}/racks/A-02/release`, {
      token: author.token,
      body: {},
    });
    expect(released.status).toBe(200);
    const b = await claim(t, attacker.token, s.id, 'A-02');
    expect(b.status).toBe(200);
    const fence = b.body.data.fencing_token;
    const dup = await sync(t, attacker.token, [
      countRecord(s.id, 'A-02', 'ITM-C', fence, { serials: ['SN-SECRET-1'] }),
    ]);
    const dupResult = dup.body.data.results[0]!;
    expect(dupResult.code).toBe('DUPLICATE_SERIAL');
    expect(JSON.stringify(dupResult)).not.toContain(original.op_id);
    const erase = await sync(t, attacker.token, [
      countRecord(s.id, 'A-02', 'ITM-C', fence, { counted_qty: 0, supersedes: original.op_id }),
    ]);
    expect(erase.body.data.results[0]).toMatchObject({
      status: 'ERROR',
      code: 'SUPERSEDES_UNKNOWN',
    });
    const line = await t.store.lines.getByOpId(original.op_id);
    expect(line).toMatchObject({ counted_qty: 399, superseded_by: null });
    // The author's own correction still works.
    const own = countRecord(s.id, 'A-02', 'ITM-C', fence, { counted_qty: 5 });
    expect((await sync(t, attacker.token, [own])).body.data.results[0]!.status).toBe('OK');
    const fix = countRecord(s.id, 'A-02', 'ITM-C', fence, {
      counted_qty: 6,
      supersedes: own.op_id,
    });
    expect((await sync(t, attacker.token, [fix])).body.data.results[0]!.status).toBe('OK');
    // A line a supervisor sends back for recount is recounted by a counter who did not count the
    // bin, as a new count (issue #16, docs/design.md §11): nobody else erases it by superseding,
    // and a counter of the bin may not answer its task.
    const recount = await t.request('PATCH', `/api/lines/${line!.id}/review`, {
      token: supervisor.token,
      body: { decision: 'recount', note: 'count again' },
    });
    expect(recount.status).toBe(200);
    const redo = countRecord(s.id, 'A-02', 'ITM-C', fence, {
      counted_qty: 398,
      serials: ['SN-SECRET-1'],
      supersedes: original.op_id,
    });
    expect((await sync(t, attacker.token, [redo])).body.data.results[0]).toMatchObject({
      status: 'ERROR',
      code: 'SUPERSEDES_UNKNOWN',
    });
    const task = (await t.store.recountTasks.list(s.id, { state: 'open', page: 1, page_size: 5 }))
      .items[0]!;
    const { fencing_token: _none, ...answer } = countRecord(s.id, 'A-02', 'ITM-C', 1, {
      counted_qty: 0,
      recount_task_id: task.id,
    });
    expect((await sync(t, attacker.token, [answer])).body.data.results[0]).toMatchObject({
      status: 'ERROR',
      code: 'RECOUNT_NOT_ELIGIBLE',
    });
    expect(await t.store.lines.getByOpId(original.op_id)).toMatchObject({
      counted_qty: 399,
      superseded_by: null,
    });
  });
});

describe('#7 and #8: unknown items and stored conflicts are checked and budgeted', () => {
  it('an unknown item without a claim, on a rack outside the session or with an absurd quantity is an ERROR, nothing stored', async () => {
    const s = await createSession(t, supervisor.token);
    const base = {
      type: 'unknown_item',
      session_id: s.id,
      barcode: 'UNK-1',
      description: 'a box',
      counted_at: '2026-11-29T10:00:00Z',
    };
    const res = await sync(t, attacker.token, [
      { ...base, op_id: randomUUID(), rack: 'A-01', counted_qty: 1 },
      { ...base, op_id: randomUUID(), rack: 'NOT-A-RACK', counted_qty: 1 },
      { ...base, op_id: randomUUID(), rack: 'A-01', counted_qty: 1e300 },
    ]);
    expect(res.body.data.results.map((r) => [r.status, r.code])).toEqual([
      ['ERROR', 'RACK_NOT_CLAIMED'],
      ['ERROR', 'VALIDATION_FAILED'],
      ['ERROR', 'VALIDATION_FAILED'],
    ]);
    expect(await t.store.unknownItems.countOpen(s.id)).toBe(0);
    // With the claim, a sane unknown item is recorded.
    await claim(t, attacker.token, s.id, 'A-01');
    const ok = await sync(t, attacker.token, [
      { ...base, op_id: randomUUID(), rack: 'A-01', counted_qty: 3 },
    ]);
    expect(ok.body.data.results[0]!.status).toBe('OK');
  });

  it('a flood of conflicts and unknown items stops at the per-user budget with CONFLICT_BUDGET_EXCEEDED', async () => {
    const { CONFLICT_BUDGET, UNKNOWN_ITEM_BUDGET } = await import('@stockverify/shared');
    await claim(t, attacker.token, session.id, 'A-01');
    // STALE_TOKEN conflicts (a token that is not the attacker's), 500 a batch.
    const answers: RecordResult[] = [];
    await underAttack(async () => {
      for (let b = 0; b < 3; b++) {
        const records = Array.from({ length: 500 }, () =>
          countRecord(session.id, 'B-01', 'ITM-A', 999_999),
        );
        const res = await sync(t, attacker.token, records);
        expect(res.status).toBe(200);
        answers.push(...res.body.data.results);
      }
      const unknown = Array.from({ length: 500 }, (_, i) => ({
        op_id: randomUUID(),
        type: 'unknown_item',
        session_id: session.id,
        rack: 'A-01',
        barcode: `FLOOD-${i}`,
        description: 'flood',
        counted_qty: 1,
        counted_at: '2026-11-29T10:00:00Z',
      }));
      const res = await sync(t, attacker.token, unknown);
      answers.push(...res.body.data.results);
    });
    const conflicts = await t.store.conflicts.list({
      page: 1,
      page_size: 1,
      session: session.id,
      status: 'OPEN',
    });
    expect(conflicts.total).toBeLessThanOrEqual(CONFLICT_BUDGET);
    expect(answers.filter((r) => r.status === 'CONFLICT')).toHaveLength(CONFLICT_BUDGET);
    const refused = answers.filter((r) => r.code === 'CONFLICT_BUDGET_EXCEEDED');
    expect(refused.length).toBe(1500 - CONFLICT_BUDGET);
    const refusedUnknown = answers.filter((r) => r.code === 'UNKNOWN_ITEM_BUDGET_EXCEEDED');
    expect(refusedUnknown.length).toBe(500 - UNKNOWN_ITEM_BUDGET);
    expect([...refused, ...refusedUnknown].every((r) => r.status === 'ERROR')).toBe(true);
    expect(await t.store.unknownItems.countOpen(session.id)).toBe(UNKNOWN_ITEM_BUDGET);
    // The victim's records into the same session still become conflicts when they must.
    const victimConflict = await sync(t, victim.token, [
      countRecord(session.id, 'B-01', 'KG-1', victimFence + 1000),
    ]);
    expect(victimConflict.body.data.results[0]!.status).toBe('CONFLICT');
  });
});

describe('#5 item-master imports run in a worker thread, within caps', () => {
  let admin: User;
  beforeAll(async () => {
    admin = await t.userWithRole('admin', 'bounds-admin');
  });

  function upload(name: string, content: Buffer | string, type: string) {
    const form = new FormData();
    form.append('file', new Blob([content], { type }), name);
    return t.request<ImportResult>('POST', '/api/erp/import', {
      token: admin.token,
      rawBody: form,
    });
  }

  /**
   * A real workbook whose sheet XML is replaced by `mb` megabytes of repeated rows (a zip bomb).
   * Built from Buffers (outside the JS heap) with a small zip writer of its own, so making the
   * bomb leaves no garbage whose collection would show up as event-loop delay during the attack.
   */
  async function xlsxBomb(mb: number): Promise<Buffer> {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Items');
    sheet.addRow(['item_code', 'name']);
    sheet.addRow(['BOMB-1', 'Bomb']);
    const source = await JSZip.loadAsync(await workbook.xlsx.writeBuffer());
    const entries: Array<{ name: string; data: Buffer }> = [];
    for (const name of Object.keys(source.files)) {
      if (source.files[name]!.dir) continue;
      entries.push({ name, data: await source.files[name]!.async('nodebuffer') });
    }
    const row = Buffer.from('<row r="2"><c r="A2" t="inlineStr"><is><t>BOMB</t></is></c></row>');
    const rows = Buffer.alloc(Math.ceil((mb * 1024 * 1024) / row.length) * row.length).fill(row);
    const sheetXml = Buffer.concat([
      Buffer.from(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
      ),
      rows,
      Buffer.from('</sheetData></worksheet>'),
    ]);
    const target = entries.find((e) => e.name === 'xl/worksheets/sheet1.xml')!;
    target.data = sheetXml;
    return zipOf(entries);
  }

  /** A zip of deflated entries: local headers, data, central directory, end record. */
  function zipOf(entries: Array<{ name: string; data: Buffer }>): Buffer {
    const parts: Buffer[] = [];
    const central: Buffer[] = [];
    let offset = 0;
    for (const { name, data } of entries) {
      const packed = deflateRawSync(data, { level: 9 });
      const nameBytes = Buffer.from(name);
      const crc = crc32(data);
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(8, 8);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(packed.length, 18);
      local.writeUInt32LE(data.length, 22);
      local.writeUInt16LE(nameBytes.length, 26);
      const dir = Buffer.alloc(46);
      dir.writeUInt32LE(0x02014b50, 0);
      dir.writeUInt16LE(20, 4);
      dir.writeUInt16LE(20, 6);
      dir.writeUInt16LE(8, 10);
      dir.writeUInt32LE(crc, 16);
      dir.writeUInt32LE(packed.length, 20);
      dir.writeUInt32LE(data.length, 24);
      dir.writeUInt16LE(nameBytes.length, 28);
      dir.writeUInt32LE(offset, 42);
      parts.push(local, nameBytes, packed);
      central.push(dir, nameBytes);
      offset += local.length + nameBytes.length + packed.length;
    }
    const centralSize = central.reduce((n, b) => n + b.length, 0);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(entries.length, 8);
    end.writeUInt16LE(entries.length, 10);
    end.writeUInt32LE(centralSize, 12);
    end.writeUInt32LE(offset, 16);
    return Buffer.concat([...parts, ...central, end]);
  }

  it('an XLSX that inflates past the cap is refused 413 naming the cap; others keep syncing', async () => {
    const bomb = await xlsxBomb(IMPORT_LIMITS.inflatedBytes / 1024 / 1024 + 16);
    expect(bomb.length).toBeLessThan(t.settings.uploadLimitBytes);
    const itemsBefore = await t.store.items.count();
    let res: Awaited<ReturnType<typeof upload>> | undefined;
    await underAttack(async () => {
      res = await upload('bomb.xlsx', bomb, XLSX_TYPE);
    });
    expect(res!.status).toBe(413);
    expect(res!.body.error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      cap: 'inflatedBytes',
      limit: IMPORT_LIMITS.inflatedBytes,
    });
    expect(await t.store.items.count()).toBe(itemsBefore);
  }, 60_000);

  it('a CSV with 200,000 columns is refused 413 (columns) with a small answer', async () => {
    const csv = `item_code,name${',x'.repeat(200_000)}\nCOL-1,Columns\n`;
    const res = await upload('wide.csv', csv, 'text/csv');
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ cap: 'columns', limit: IMPORT_LIMITS.columns });
    expect(JSON.stringify(res.body).length).toBeLessThan(10_000);
    expect(await t.store.items.get('COL-1')).toBeNull();
  }, 60_000);

  it('row problems past the reporting cap are counted, not listed; long cell values are clipped', async () => {
    const lines = ['item_code,name,price'];
    for (let i = 0; i < 5_000; i++) lines.push(`BAD-${i},Bad,${'9'.repeat(i === 0 ? 50_000 : 1)}x`);
    const res = await upload('bad.csv', lines.join('\n'), 'text/csv');
    expect(res.status).toBe(200);
    const errors = res.body.data.errors;
    expect(errors).toHaveLength(MAX_REPORTED_ERRORS);
    expect(errors.at(-1)!.message).toMatch(/4001 more problems not listed/);
    expect(Math.max(...errors.map((e) => e.message.length))).toBeLessThanOrEqual(200);
    expect(res.body.data.rejected).toBe(5_000);
  }, 60_000);
});
