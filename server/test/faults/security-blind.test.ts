/**
 * Blind counts are a property of the warehouse for staff, not of the request (issue #12, High #2
 * and #3; design §4). While a blind session is OPEN in a warehouse, a staff member of that
 * warehouse gets no book quantity or variance of it through ANY route, whatever `session=` names
 * (a standard session, a reconciled one, another warehouse's), and no answer (message, status,
 * review flag, error detail) lets them infer one.
 *
 * The route list below is checked against the app's real router: every route a staff token (or no
 * token) gets past the RBAC table is found by asking the running app, and a route that is
 * staff-reachable but not in STAFF_ROUTES fails the first test. Adding a route means adding its
 * probe here.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CountLine, CountSession, RecordResult } from '@stockverify/shared';
import {
  claim,
  countRecord,
  createSession,
  seedCounting,
  sync,
  userIn as userInWarehouse,
  NORTH,
} from '../support/counting-fixture';
import { apiRoutes } from '../support/app-routes';
import { makeItem, startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let supervisor: { token: string };
/** Staff of WH-T, where the blind session is open. */
let tess: { id: string; token: string };
/** Staff of WH-N, where no blind session is open. */
let nora: { id: string; token: string };
let blind: CountSession;
let standard: CountSession;
let reconciled: CountSession;
let north: CountSession;

const userIn = (role: 'staff' | 'supervisor', username: string, warehouse: string | null) =>
  userInWarehouse(t, role, username, warehouse);

beforeAll(async () => {
  t = await startTestApp();
  await seedCounting(t);
  await t.store.locations.upsertWarehouses([NORTH]);
  await t.seedItems([
    makeItem('MIX-1', 'Mixed Site Item', {
      stock: [
        { warehouse: 'WH-T', rack: 'A-01', qty: 5 },
        { warehouse: 'WH-N', rack: 'N-01', qty: 8 },
      ],
      barcodes: [{ code: 'BC-MIX', kind: 'primary', pack_qty: 1 }],
    }),
    makeItem('BLD-1', 'Blind One', { stock: [{ warehouse: 'WH-T', rack: 'A-01', qty: 4 }] }),
    makeItem('BLD-2', 'Blind Two', { stock: [{ warehouse: 'WH-T', rack: 'A-01', qty: 4 }] }),
    // Same book (4); a tolerance rule allows TOL-2 no difference at all (issue #16).
    makeItem('TOL-1', 'Tolerance One', { stock: [{ warehouse: 'WH-T', rack: 'A-01', qty: 4 }] }),
    makeItem('TOL-2', 'Tolerance Two', { stock: [{ warehouse: 'WH-T', rack: 'A-01', qty: 4 }] }),
    makeItem('NTH-1', 'North Item', {
      stock: [{ warehouse: 'WH-N', rack: 'N-01', qty: 7 }],
      barcodes: [{ code: 'BC-N', kind: 'primary', pack_qty: 1 }],
    }),
  ]);
  supervisor = await t.userWithRole('supervisor', 'blind-sup');
  const rule = await t.request('POST', '/api/tolerance-rules', {
    token: supervisor.token,
    body: {
      id: 'tol-2-exact',
      scope: { kind: 'item', item_code: 'TOL-2' },
      thresholds: { shortage: { units: 0 }, overage: { units: 0 } },
      on_exceed: 'recount',
    },
  });
  expect(rule.status).toBe(201);
  tess = await userIn('staff', 'tess', 'WH-T');
  nora = await userIn('staff', 'nora', 'WH-N');
  reconciled = await createSession(t, supervisor.token, { name: 'Old count' });
  for (const step of ['close', 'reconcile'])
    expect(
      (
        await t.request('POST', `/api/sessions/${reconciled.id}/${step}`, {
          token: supervisor.token,
        })
      ).status,
    ).toBe(200);
  standard = await createSession(t, supervisor.token, {
    name: 'Standard beside',
    scope: { floors: [], racks: ['A-02', 'B-01'] },
  });
  north = await createSession(t, supervisor.token, { warehouse: 'WH-N', name: 'North count' });
  blind = await createSession(t, supervisor.token, {
    name: 'Blind count',
    mode: 'blind',
    scope: { floors: [], racks: ['A-01'] },
  });
});

afterAll(async () => {
  await t?.close();
});

/** Keys that carry a book quantity or a variance, or tell whether a count matched the book. */
const LEAKY_KEYS = new Set([
  'stock',
  'book_qty',
  'variance',
  'total_variance',
  'variance_value_at_cost',
  'variance_value_at_price',
  'value_at_cost',
  'value_at_price',
  'has_variances',
  'review_reasons',
  // The tolerance rule that decided a line and whether the count was within it (issue #16).
  'tolerance',
]);

/** Every place in a JSON value where a leaky key has a value (null counts as hidden). */
function leaks(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaks(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') {
    // A message that says a supervisor will review a line tells a blind counter it was off.
    return typeof value === 'string' && /review/i.test(value) ? [`${path}: "${value}"`] : [];
  }
  return Object.entries(value).flatMap(([key, v]) => [
    ...(LEAKY_KEYS.has(key) && v !== null && v !== undefined
      ? [`${path}.${key} = ${JSON.stringify(v).slice(0, 80)}`]
      : []),
    ...leaks(v, `${path}.${key}`),
  ]);
}

interface Answer {
  label: string;
  status: number;
  text: string;
  json: unknown;
}

async function call(
  method: string,
  url: string,
  token: string | null,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(t.baseUrl + url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json: unknown = null;
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('application/json')) json = JSON.parse(text);
  else if (type.includes('ndjson'))
    json = text
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as unknown);
  return { label: `${method} ${url}`, status: res.status, text, json };
}

const sessionIds = () => [blind.id, standard.id, reconciled.id, north.id, 'no-such-session'];
const sessionQueries = () => ['', ...sessionIds().map((id) => `session=${id}`)];

type Probe = () => Promise<Answer[]>;

/** Calls `path` (with `:id` replaced by each session's id) as tess. */
function perSession(method: string, path: string, body?: unknown): Probe {
  return async () => {
    const out: Answer[] = [];
    for (const id of sessionIds())
      out.push(await call(method, path.replace(':id', id), tess.token, body));
    return out;
  };
}

/** Calls a lookup as tess without and with every `session=`. */
function perQuery(path: string, extra = ''): Probe {
  return async () => {
    const out: Answer[] = [];
    for (const q of sessionQueries()) {
      const query = [extra, q].filter(Boolean).join('&');
      out.push(await call('GET', query ? `${path}?${query}` : path, tess.token));
    }
    return out;
  };
}

/** One count line of tess in the standard session beside the blind one, online and by sync. */
const countProbe: Probe = async () => {
  const held = await claim(t, tess.token, standard.id, 'A-02');
  const token = held.body.data?.fencing_token ?? 1;
  const online = await call(
    'POST',
    `/api/sessions/${standard.id}/count-lines`,
    tess.token,
    countRecord(standard.id, 'A-02', 'ITM-C', token, { counted_qty: 2 }),
  );
  const batch = await call(
    'POST',
    '/api/sync/batch',
    tess.token,
    {
      device_id: 'phone-t',
      records: [countRecord(standard.id, 'A-02', 'ITM-C', token, { counted_qty: 3 })],
    },
    { 'idempotency-key': randomUUID() },
  );
  return [{ label: 'claim A-02', status: held.status, text: '', json: held.body }, online, batch];
};

/**
 * Another counter of WH-T counts MIX-1 (book 5) ten times over in the blind session: a recount
 * task opens, offered to every counter who did not count the bin — tess among them.
 */
let taskMade = false;
async function recountTaskForTess(): Promise<void> {
  if (taskMade) return;
  taskMade = true;
  const tim = await userIn('staff', 'tim', 'WH-T');
  const held = await claim(t, tim.token, blind.id, 'A-01');
  expect(held.status).toBe(200);
  const res = await sync(t, tim.token, [
    countRecord(blind.id, 'A-01', 'MIX-1', held.body.data.fencing_token, { counted_qty: 50 }),
  ]);
  expect(res.body.data.results[0]!.status).toBe('OK');
  await call('POST', `/api/sessions/${blind.id}/racks/A-01/release`, tim.token, {});
}

/** Every staff-reachable route and how it is probed. */
const STAFF_ROUTES: Record<string, Probe> = {
  'GET /api/health': async () => [await call('GET', '/api/health', tess.token)],
  'GET /api/metrics': async () => [await call('GET', '/api/metrics', null)],
  'POST /api/auth/login': async () => [
    await call('POST', '/api/auth/login', null, { username: 'tess', password: 'pw-tess-secret' }),
  ],
  'POST /api/auth/pin-login': async () => [
    await call('POST', '/api/auth/pin-login', null, { username: 'tess', pin: '0000' }),
  ],
  'POST /api/auth/refresh': async () => [
    await call('POST', '/api/auth/refresh', null, { refresh_token: 'x'.repeat(40) }),
  ],
  'POST /api/auth/logout': async () => [await call('POST', '/api/auth/logout', tess.token, {})],
  'GET /api/auth/me': async () => [await call('GET', '/api/auth/me', tess.token)],
  'PUT /api/auth/me/password': async () => [
    await call('PUT', '/api/auth/me/password', tess.token, {}),
  ],
  'PUT /api/auth/me/pin': async () => [await call('PUT', '/api/auth/me/pin', tess.token, {})],
  'GET /api/items/barcode/:code': async () => [
    ...(await perQuery('/api/items/barcode/BC-A')()),
    ...(await perQuery('/api/items/barcode/BC-MIX')()),
    // Not found: the suggestions are items too.
    ...(await perQuery('/api/items/barcode/Alpha')()),
  ],
  'GET /api/items/:item_code': async () => [
    ...(await perQuery('/api/items/ITM-A')()),
    ...(await perQuery('/api/items/MIX-1')()),
  ],
  'GET /api/items/search': perQuery('/api/items/search', 'q=a&limit=50'),
  'GET /api/items/export': async () => [
    ...(await perQuery('/api/items/export', 'warehouse=WH-T')()),
    ...(await perQuery('/api/items/export', 'warehouse=WH-T&format=json&limit=500')()),
    ...(await perQuery('/api/items/export')()),
  ],
  'GET /api/warehouses/': async () => [await call('GET', '/api/warehouses', tess.token)],
  'GET /api/warehouses/:id/racks': async () => {
    const out = [await call('GET', '/api/warehouses/WH-T/racks', tess.token)];
    for (const s of [blind, standard, reconciled])
      out.push(await call('GET', `/api/warehouses/WH-T/racks?session=${s.id}`, tess.token));
    return out;
  },
  'GET /api/sessions/': async () => [
    await call('GET', '/api/sessions', tess.token),
    await call('GET', '/api/sessions?status=OPEN&warehouse=WH-T', tess.token),
  ],
  'GET /api/sessions/:id': perSession('GET', '/api/sessions/:id'),
  'GET /api/sessions/:id/book-quantities': perSession('GET', '/api/sessions/:id/book-quantities'),
  'POST /api/sessions/:id/heartbeat': perSession('POST', '/api/sessions/:id/heartbeat', {}),
  'GET /api/sessions/:id/recounts': perSession('GET', '/api/sessions/:id/recounts'),
  // A recount task is blind whatever the session (issue #16): one open to tess is listed.
  'GET /api/sessions/:id/recount-tasks': async () => {
    await recountTaskForTess();
    const answers = await perSession('GET', '/api/sessions/:id/recount-tasks')();
    const listed = answers.find((a) => a.label.includes(blind.id))!;
    expect((listed.json as { data: { items: unknown[] } }).data.items).toHaveLength(1);
    return answers;
  },
  // The task notices say only "your list changed": the stream of each session, read briefly.
  'GET /api/sessions/:id/recount-tasks/live': async () => {
    const out: Answer[] = [];
    for (const id of sessionIds()) {
      const abort = new AbortController();
      const res = await fetch(`${t.baseUrl}/api/sessions/${id}/recount-tasks/live`, {
        headers: { authorization: `Bearer ${tess.token}` },
        signal: abort.signal,
      });
      let text: string;
      if (res.status === 200) {
        const first = await res.body!.getReader().read();
        text = new TextDecoder().decode(first.value);
        abort.abort();
      } else text = await res.text();
      const json = text.startsWith('{') ? (JSON.parse(text) as unknown) : null;
      out.push({ label: `GET live ${id}`, status: res.status, text, json });
    }
    return out;
  },
  'GET /api/sessions/:id/racks/:rack/lines': perSession(
    'GET',
    '/api/sessions/:id/racks/A-01/lines',
  ),
  'POST /api/sessions/:id/count-lines': countProbe,
  'POST /api/sync/batch': countProbe,
  'POST /api/sessions/:id/racks/:rack/claim': countProbe,
  'POST /api/sessions/:id/racks/:rack/pause': perSession(
    'POST',
    '/api/sessions/:id/racks/A-02/pause',
    {},
  ),
  'POST /api/sessions/:id/racks/:rack/resume': perSession(
    'POST',
    '/api/sessions/:id/racks/A-02/resume',
    {},
  ),
  'POST /api/sessions/:id/racks/:rack/complete': perSession(
    'POST',
    '/api/sessions/:id/racks/B-01/complete',
    {},
  ),
  'POST /api/sessions/:id/racks/:rack/release': perSession(
    'POST',
    '/api/sessions/:id/racks/B-01/release',
    {},
  ),
  'POST /api/photos': async () => [
    await call('POST', '/api/photos', tess.token, undefined, { 'content-type': 'image/png' }),
  ],
  'GET /api/photos/:id': async () => [await call('GET', `/api/photos/${randomUUID()}`, tess.token)],
  'POST /api/client-errors': async () => [
    await call('POST', '/api/client-errors', tess.token, { source: 'pwa', message: 'probe' }),
  ],
};

/** Concrete values for path parameters, for asking the app whether staff get past RBAC. */
function concrete(path: string): string {
  return path
    .replace(':item_code', 'ITM-A')
    .replace(':code', 'BC-A')
    .replace(':rack', 'A-01')
    .replace(':format', 'csv')
    .replace(':serial', 'SER-X')
    .replace(':id', path.startsWith('/api/warehouses') ? 'WH-T' : 'no-such-id');
}

describe('every staff-reachable route is probed', () => {
  it('the route list matches the routes staff get past the RBAC table (asked of the running app)', async () => {
    // A throwaway staff member of the same warehouse: asking has side effects (logout, …).
    const prober = await userIn('staff', 'route-prober', 'WH-T');
    const routes = apiRoutes(t);
    expect(routes.length).toBeGreaterThan(40);
    const reachable: string[] = [];
    for (const route of routes) {
      const [method, path] = route.split(' ') as [string, string];
      const res = await call(
        method,
        concrete(path),
        prober.token,
        method === 'GET' ? undefined : {},
      );
      const error = (res.json as { error?: { code?: string; message?: string } } | null)?.error;
      const refusedByRole =
        res.status === 403 &&
        error?.code === 'FORBIDDEN' &&
        /^Needs the [a-z_.]+ permission/.test(error.message ?? '');
      if (!refusedByRole) reachable.push(route);
    }
    expect(reachable.sort()).toEqual(Object.keys(STAFF_ROUTES).sort());
  });
});

describe('while a blind session is open in WH-T', () => {
  it('staff of WH-T get no book quantity or variance through any route, whatever session= says', async () => {
    const found: string[] = [];
    for (const [route, probe] of Object.entries(STAFF_ROUTES)) {
      for (const answer of await probe()) {
        for (const leak of leaks(answer.json))
          found.push(`${route} → ${answer.label} (${answer.status}): ${leak}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('supervisors still see every book quantity and variance', async () => {
    const item = await call('GET', `/api/items/ITM-A?session=${blind.id}`, supervisor.token);
    expect((item.json as { data: { stock: unknown[] } }).data.stock).toEqual([
      { warehouse: 'WH-T', rack: 'A-01', qty: 10 },
    ]);
    const books = await call('GET', `/api/sessions/${blind.id}/book-quantities`, supervisor.token);
    expect(books.status).toBe(200);
    const racks = await call(
      'GET',
      `/api/warehouses/WH-T/racks?session=${blind.id}`,
      supervisor.token,
    );
    const rack = (racks.json as { data: { items: Array<{ has_variances: unknown }> } }).data
      .items[0]!;
    expect(typeof rack.has_variances).toBe('boolean');
  });

  it('staff of a warehouse without a blind session still see its stock and variances', async () => {
    const item = await call('GET', `/api/items/barcode/BC-N?session=${north.id}`, nora.token);
    expect((item.json as { data: { item: { stock: unknown[] } } }).data.item.stock).toEqual([
      { warehouse: 'WH-N', rack: 'N-01', qty: 7 },
    ]);
    // The mixed item shows its WH-N row to nora, never WH-T's (blind, and not her warehouse).
    const mixed = await call('GET', '/api/items/MIX-1', nora.token);
    expect((mixed.json as { data: { stock: unknown[] } }).data.stock).toEqual([
      { warehouse: 'WH-N', rack: 'N-01', qty: 8 },
    ]);
    const books = await call('GET', `/api/sessions/${north.id}/book-quantities`, nora.token);
    expect(books.status).toBe(200);
    const held = await claim(t, nora.token, north.id, 'N-01');
    expect(held.status).toBe(200);
    const answer = await call(
      'POST',
      `/api/sessions/${north.id}/count-lines`,
      nora.token,
      countRecord(north.id, 'N-01', 'NTH-1', held.body.data.fencing_token, { counted_qty: 6 }),
    );
    expect(answer.status).toBe(201);
    expect((answer.json as { data: RecordResult }).data.variance).toBe(-1);
  });
});

describe('blind count answers do not depend on the quantity (High #3)', () => {
  /** An answer with its ids taken out, for byte-for-byte comparison. */
  function withoutIds(answer: Answer): string {
    return answer.text
      .replace(/"(op_id|line_id|request_id)":"[^"]*"/g, '"$1":"…"')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '…');
  }

  it('online: the book quantity and the book quantity + 1 get the same answer', async () => {
    const held = await claim(t, tess.token, blind.id, 'A-01');
    expect(held.status).toBe(200);
    const fence = held.body.data.fencing_token;
    // Two items with the same book quantity (4), so no rule but the variance tells them apart.
    const send = (item: string, qty: number) =>
      call(
        'POST',
        `/api/sessions/${blind.id}/count-lines`,
        tess.token,
        countRecord(blind.id, 'A-01', item, fence, { counted_qty: qty }),
      );
    const matching = await send('BLD-1', 4);
    const off = await send('BLD-2', 5);
    expect(matching.status).toBe(201);
    expect(withoutIds(off)).toBe(withoutIds(matching));
    // The supervisor still sees which line needs review.
    const lines = await t.store.lines.list(blind.id, { page: 1, page_size: 50 });
    const byItem = new Map(lines.items.map((l) => [l.item_code, l]));
    expect(byItem.get('BLD-1')?.status).toBe('PENDING');
    expect(byItem.get('BLD-2')?.status).toBe('NEEDS_REVIEW');
    expect(byItem.get('BLD-2')?.review_reasons).toContain('MISSING_REASON');
  });

  it('sync batch: the same two quantities get the same per-record answers', async () => {
    const held = await claim(t, tess.token, blind.id, 'A-01');
    const fence = held.body.data.fencing_token;
    const batch = (item: string, qty: number) =>
      call(
        'POST',
        '/api/sync/batch',
        tess.token,
        {
          device_id: 'phone-t',
          records: [countRecord(blind.id, 'A-01', item, fence, { counted_qty: qty })],
        },
        { 'idempotency-key': randomUUID() },
      );
    const matching = await batch('ITM-A', 10);
    const off = await batch('ITM-B', 101);
    expect(matching.status).toBe(200);
    expect(withoutIds(off)).toBe(withoutIds(matching));
  });

  it('a strict session beside the blind one: no refusal tells the counter the count is off', async () => {
    const strict = await createSession(t, supervisor.token, {
      name: 'Strict beside',
      mode: 'strict',
      scope: { floors: [], racks: ['B-01'] },
    });
    const held = await claim(t, tess.token, strict.id, 'B-01');
    expect(held.status).toBe(200);
    const fence = held.body.data.fencing_token;
    const send = (item: string, qty: number) =>
      call(
        'POST',
        `/api/sessions/${strict.id}/count-lines`,
        tess.token,
        countRecord(strict.id, 'B-01', item, fence, { counted_qty: qty }),
      );
    // ITM-C's book on B-01 is 4; KG-1's is 20.5. Neither line is confirmed or explained.
    const matching = await send('ITM-C', 4);
    const off = await send('KG-1', 3);
    expect(matching.status).toBe(201);
    expect(withoutIds(off)).toBe(withoutIds(matching));
    const lines = await t.store.lines.list(strict.id, { page: 1, page_size: 10 });
    const kg = lines.items.find((l) => l.item_code === 'KG-1');
    expect(kg?.status).toBe('NEEDS_REVIEW');
    expect(kg?.review_reasons).toContain('VARIANCE_UNCONFIRMED');
  });

  it('a replayed answer (same op_id) is as blind as the first', async () => {
    const held = await claim(t, tess.token, blind.id, 'A-01');
    const record = countRecord(blind.id, 'A-01', 'MIX-1', held.body.data.fencing_token, {
      counted_qty: 9,
    });
    const key = randomUUID();
    const first = await sync(t, tess.token, [record], key);
    // The same batch again (Idempotency-Key replay) and the same op_id in a new batch.
    const replay = await sync(t, tess.token, [record], key);
    expect(replay.body.data.replayed).toBe(true);
    const again = await sync(t, tess.token, [record]);
    for (const res of [first, replay, again]) {
      expect(leaks(res.body)).toEqual([]);
      expect(res.body.data.results[0]!.status).toBe('OK');
    }
  });

  it('no answer or line read tells a counter whether the count was within tolerance (issue #16)', async () => {
    const held = await claim(t, tess.token, blind.id, 'A-01');
    expect(held.status).toBe(200);
    const fence = held.body.data.fencing_token;
    const count = (item: string, qty: number) =>
      call(
        'POST',
        '/api/sync/batch',
        tess.token,
        {
          device_id: 'phone-t',
          records: [
            countRecord(blind.id, 'A-01', item, fence, {
              counted_qty: qty,
              variance_reason: 'as found',
            }),
          ],
        },
        { 'idempotency-key': randomUUID() },
      );
    // Both books are 4: TOL-1 matches, TOL-2 is one over a rule that allows nothing.
    const within = await count('TOL-1', 4);
    const outside = await count('TOL-2', 5);
    expect(within.status).toBe(200);
    expect(leaks(outside.json)).toEqual([]);
    expect(withoutIds(outside)).toBe(withoutIds(within));

    // The rack's lines as the counter reads them: no decision, and the two lines alike.
    const rack = await call('GET', `/api/sessions/${blind.id}/racks/A-01/lines`, tess.token);
    expect(rack.status).toBe(200);
    expect(leaks(rack.json)).toEqual([]);
    const rows = (rack.json as { data: { items: Array<Record<string, unknown>> } }).data.items;
    const shown = (item: string) => {
      const {
        op_id: _op,
        item_code: _code,
        item_name: _name,
        ...rest
      } = rows.find((r) => r.item_code === item)!;
      return rest;
    };
    expect(shown('TOL-2')).toEqual(shown('TOL-1'));

    // The supervisor sees the decision that the counter does not.
    const lines = await call(
      'GET',
      `/api/sessions/${blind.id}/lines?page_size=200`,
      supervisor.token,
    );
    const all = (lines.json as { data: { items: CountLine[] } }).data.items;
    const decided = all.find((l) => l.item_code === 'TOL-2')!;
    expect(decided.status).toBe('NEEDS_REVIEW');
    expect(decided.review_reasons).toContain('RECOUNT_REQUIRED');
    expect(decided.tolerance).toMatchObject({ rule_id: 'tol-2-exact', within: false });
    expect(all.find((l) => l.item_code === 'TOL-1')?.tolerance?.within).toBe(true);
  });

  it('staff cannot open the live event stream, where supervisors see review flags', async () => {
    const res = await call('GET', '/api/events', tess.token);
    expect(res.status).toBe(403);
  });
});
