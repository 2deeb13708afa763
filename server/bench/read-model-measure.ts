/**
 * A quick before/after measurement for the session read model (issue #13), not a test and not the
 * session benchmark (`npm run bench:session`): one session of MEASURE_LINES (100,000) count lines
 * over MEASURE_RACKS (120) racks, 20,000 snapshot items and 40 counters, written straight into the
 * store in batches of 500 (the same insertMany the sync endpoint uses), then each of
 * `GET /warehouses/:id/racks?session=` (as supervisor and as staff) and `GET /sessions/:id` timed
 * MEASURE_REPEATS (5) times through the real app; prints the median and the slowest. Runs on any
 * commit that has the test app (before the read model too), so both sides use this one script:
 *
 *   cd server && npx tsx bench/read-model-measure.ts
 */
import { makeLine, makeSession, makeSnapshotRow } from '../test/support/counting-records';
import { startTestApp } from '../test/support/test-app';

const LINES = Number(process.env.MEASURE_LINES ?? 100_000);
const RACKS = Number(process.env.MEASURE_RACKS ?? 120);
const ITEMS = 20_000;
const COUNTERS = 40;
const REPEATS = Number(process.env.MEASURE_REPEATS ?? 5);

const t = await startTestApp();
try {
  const racks = Array.from({ length: RACKS }, (_, i) => `R-${String(i + 1).padStart(3, '0')}`);
  await t.store.locations.upsertWarehouses([
    {
      id: 'WH-M',
      name: 'Measure',
      floors: [{ code: 'GF', name: 'Ground' }],
      racks: racks.map((code) => ({ code, floor: 'GF', location_barcode: `LOC-${code}` })),
    },
  ]);
  const codes = Array.from({ length: ITEMS }, (_, i) => `ITM-${String(i).padStart(6, '0')}`);
  await t.store.sessions.create(
    makeSession('S-M', { warehouse: 'WH-M', racks, snapshot_items: ITEMS }),
    codes.map((code, i) =>
      makeSnapshotRow('S-M', code, { book_qty: (i % 9) + 1, cost: 1.25, price: 2.5 }),
    ),
  );
  const started = Date.now();
  const base = Date.parse('2026-01-01T08:00:00.000Z');
  for (let n = 0; n < LINES; n += 500) {
    const batch = Array.from({ length: Math.min(500, LINES - n) }, (_, j) => {
      const i = n + j;
      const item = i % ITEMS;
      const book = (item % 9) + 1;
      const counted = (i % 11) + 1;
      const variance = counted - book;
      return makeLine(`op-${i}`, {
        id: `line-${i}`,
        session_id: 'S-M',
        rack: racks[(item * 7 + Math.floor(i / ITEMS)) % RACKS]!,
        item_code: codes[item]!,
        counted_qty: counted,
        book_qty: book,
        variance,
        value_at_cost: variance * 1.25,
        value_at_price: variance * 2.5,
        counted_by: `u-${i % COUNTERS}`,
        counted_by_name: `counter${i % COUNTERS}`,
        counted_at: new Date(base + i * 1000).toISOString(),
        received_at: new Date(base + i * 1000 + 500).toISOString(),
      });
    });
    await t.store.lines.insertMany(batch);
  }
  const writeMs = Date.now() - started;
  const supervisor = await t.userWithRole('supervisor');
  const staff = await t.userWithRole('staff');

  const time = async (label: string, url: string, token: string) => {
    const ms: number[] = [];
    let bytes = 0;
    for (let r = 0; r < REPEATS; r++) {
      const t0 = performance.now();
      const res = await t.request('GET', url, { token });
      ms.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
      bytes = JSON.stringify(res.body).length;
    }
    ms.sort((a, b) => a - b);
    return {
      request: label,
      median_ms: Math.round(ms[Math.floor(ms.length / 2)]! * 10) / 10,
      max_ms: Math.round(ms[ms.length - 1]! * 10) / 10,
      bytes,
    };
  };
  const rows = [
    await time(
      'GET /warehouses/WH-M/racks?session= (supervisor)',
      '/api/warehouses/WH-M/racks?session=S-M',
      supervisor.token,
    ),
    await time(
      'GET /warehouses/WH-M/racks?session= (staff)',
      '/api/warehouses/WH-M/racks?session=S-M',
      staff.token,
    ),
    await time('GET /sessions/S-M (supervisor)', '/api/sessions/S-M', supervisor.token),
  ];
  console.log(JSON.stringify({ lines: LINES, racks: RACKS, items: ITEMS, write_ms: writeMs }));
  console.table(rows);
} finally {
  await t.close();
}
