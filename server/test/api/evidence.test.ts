/**
 * Evidence photos and client error reports through the real app (api.md POST /photos, "Monitoring"
 * POST /client-errors, GET /admin/errors).
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `size` bytes starting with the signature of `type`, the rest a pattern covering every byte. */
function image(type: 'jpeg' | 'png' | 'webp', size = 64 * 1024): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + 3) % 256;
  const head = {
    jpeg: Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
    png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    webp: Buffer.concat([Buffer.from('RIFF'), Buffer.from([0, 0, 0, 0]), Buffer.from('WEBP')]),
  }[type];
  head.copy(bytes);
  return bytes;
}

interface Uploaded {
  photo_id: string;
  bytes: number;
  content_type: string;
  sha256: string;
}

interface Envelope<T> {
  success: boolean;
  data: T;
  error: { code: string; message: string; details?: Array<{ path: string }> } | null;
}

let t: TestApp;
let staff: { token: string; user: { id: string; username: string } };
let supervisor: { token: string };
let admin: { token: string };

beforeEach(async () => {
  t = await startTestApp();
  staff = await t.userWithRole('staff', 'alice');
  supervisor = await t.userWithRole('supervisor', 'sup');
  admin = await t.userWithRole('admin', 'root');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await t.close();
});

/** POSTs raw bytes (the test app's `request` only sends text). */
async function upload(body: Buffer | string, contentType: string | null, token?: string) {
  const headers: Record<string, string> = {};
  if (contentType !== null) headers['content-type'] = contentType;
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${t.baseUrl}/api/photos`, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as Envelope<Uploaded> };
}

async function download(id: string, token?: string) {
  const res = await fetch(`${t.baseUrl}/api/photos/${id}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('POST /photos and GET /photos/:id', () => {
  it('round-trips a staff upload byte for byte, with its digest and caching headers', async () => {
    const bytes = image('jpeg', 300 * 1024);
    const res = await upload(bytes, 'image/jpeg', staff.token);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.data).toEqual({
      photo_id: expect.stringMatching(UUID),
      bytes: bytes.length,
      content_type: 'image/jpeg',
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });

    const got = await download(res.body.data.photo_id, supervisor.token);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/jpeg');
    expect(got.headers.get('cache-control')).toBe('private, max-age=86400');
    expect(got.bytes.equals(bytes)).toBe(true);

    const meta = await t.store.photos.getMeta(res.body.data.photo_id);
    expect(meta).toMatchObject({ uploaded_by: staff.user.id, uploaded_by_name: 'alice' });
  });

  it('accepts PNG and WebP, and a content type with parameters', async () => {
    for (const [type, header] of [
      ['png', 'image/png'],
      ['webp', 'image/webp'],
      ['jpeg', 'image/jpeg; charset=binary'],
    ] as const) {
      const bytes = image(type, 1024);
      const res = await upload(bytes, header, staff.token);
      expect(res.status, header).toBe(201);
      const got = await download(res.body.data.photo_id, staff.token);
      expect(got.headers.get('content-type')).toBe(header.split(';')[0]);
      expect(got.bytes.equals(bytes)).toBe(true);
    }
  });

  it('answers 415 when the bytes are not the declared type, or the type is not an image', async () => {
    const cases: Array<[Buffer | string, string | null]> = [
      [image('jpeg'), 'image/png'],
      [image('png'), 'image/webp'],
      [image('webp'), 'image/jpeg'],
      [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml'],
      [Buffer.from('GIF89a......'), 'image/gif'],
      ['just text', 'text/plain'],
      ['{"photo":"x"}', 'application/json'],
      [image('jpeg'), 'application/octet-stream'],
      [image('jpeg'), null],
    ];
    for (const [body, type] of cases) {
      const res = await upload(body, type, staff.token);
      expect(res.status, String(type)).toBe(415);
      expect(res.body.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('answers 413 over 8 MB and 400 for an empty body, storing nothing', async () => {
    const save = vi.spyOn(t.store.photos, 'save');
    const big = image('jpeg', 8 * 1024 * 1024 + 1);
    const tooBig = await upload(big, 'image/jpeg', staff.token);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error?.code).toBe('PAYLOAD_TOO_LARGE');
    // Exactly the limit is fine.
    const atLimit = await upload(image('jpeg', 8 * 1024 * 1024), 'image/jpeg', staff.token);
    expect(atLimit.status).toBe(201);
    const empty = await upload(Buffer.alloc(0), 'image/jpeg', staff.token);
    expect(empty.status).toBe(400);
    expect(empty.body.error?.code).toBe('VALIDATION_FAILED');
    expect(save).toHaveBeenCalledTimes(1);
  });

  it('needs a signed-in user for both upload and download', async () => {
    const anonymous = await upload(image('png'), 'image/png');
    expect(anonymous.status).toBe(401);
    const res = await upload(image('png'), 'image/png', staff.token);
    const got = await download(res.body.data.photo_id);
    expect(got.status).toBe(401);
  });

  it('answers a JSON 404 for an unknown id', async () => {
    const res = await t.request('GET', '/api/photos/0b7d1f3e-5c2a-4b8e-9f10-123456789abc', {
      token: staff.token,
    });
    expect(res.status).toBe(404);
    expect(res.body.error?.code).toBe('NOT_FOUND');
  });

  it('refuses malformed and path-traversal ids without asking the store', async () => {
    const get = vi.spyOn(t.store.photos, 'get');
    for (const id of [
      '..%2F..%2Fetc%2Fpasswd',
      '..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd',
      '%2e%2e',
      '..%5C..%5Cwindows%5Cwin.ini',
      'not-a-uuid',
      '0B7D1F3E-5C2A-4B8E-9F10-123456789ABC',
      '0b7d1f3e-5c2a-4b8e-9f10-123456789abc%00.png',
    ]) {
      const res = await t.request('GET', `/api/photos/${id}`, { token: staff.token });
      expect([400, 404], id).toContain(res.status);
      expect(res.body.success).toBe(false);
      expect(JSON.stringify(res.body)).not.toContain('root:');
    }
    expect(get).not.toHaveBeenCalled();
  });
});

interface ClientErrorItem {
  id: string;
  source: string;
  message: string;
  stack: string | null;
  context: Record<string, unknown> | null;
  user_id: string | null;
  username: string | null;
  request_id: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
}

describe('POST /client-errors and GET /admin/errors', () => {
  it('stores a report with who sent it, and lists reports newest first to admins', async () => {
    const first = await t.request<{ id: string }>('POST', '/api/client-errors', {
      token: staff.token,
      body: {
        source: 'pwa',
        message: 'TypeError: cannot read properties of undefined',
        stack: 'TypeError\n    at scan (scan.ts:10:5)',
        url: 'http://localhost/scan',
        app_version: '1.4.0',
        context: { rack: 'A-01', online: false },
      },
      headers: { 'user-agent': 'PhoneBrowser/1.0' },
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.data.id).toMatch(UUID);
    t.advance(1000);
    const second = await t.request('POST', '/api/client-errors', {
      token: supervisor.token,
      body: { source: 'console', message: 'chart failed' },
    });
    expect(second.status).toBe(201);

    const list = await t.request<{ items: ClientErrorItem[]; total: number; page: number }>(
      'GET',
      '/api/admin/errors',
      { token: admin.token },
    );
    expect(list.status).toBe(200);
    expect(list.body.data.total).toBe(2);
    expect(list.body.data.items.map((r) => r.message)).toEqual([
      'chart failed',
      'TypeError: cannot read properties of undefined',
    ]);
    expect(list.body.data.items[1]).toMatchObject({
      id: first.body.data.id,
      source: 'pwa',
      stack: 'TypeError\n    at scan (scan.ts:10:5)',
      context: { rack: 'A-01', online: false },
      user_id: staff.user.id,
      username: 'alice',
      request_id: first.body.request_id,
      ip: expect.stringContaining('127.0.0.1'),
      user_agent: 'PhoneBrowser/1.0',
    });
    expect(list.body.data.items[0]).toMatchObject({ stack: null, context: null });

    const consoleOnly = await t.request<{ items: ClientErrorItem[] }>(
      'GET',
      '/api/admin/errors?source=console&page_size=1',
      { token: admin.token },
    );
    expect(consoleOnly.body.data.items.map((r) => r.message)).toEqual(['chart failed']);
  });

  it('refuses bad reports with the fields at fault', async () => {
    const tooManyKeys = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
    const res = await t.request('POST', '/api/client-errors', {
      token: staff.token,
      body: {
        source: 'phone',
        message: 'x'.repeat(2001),
        stack: 's'.repeat(20_001),
        url: 'u'.repeat(2001),
        context: tooManyKeys,
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error?.details?.map((d) => d.path).sort()).toEqual([
      'context',
      'message',
      'source',
      'stack',
      'url',
    ]);
    const empty = await t.request('POST', '/api/client-errors', {
      token: staff.token,
      body: { source: 'pwa', message: '   ' },
    });
    expect(empty.status).toBe(400);
    expect((await t.store.clientErrors.list({ page: 1, page_size: 10 })).total).toBe(0);
  });

  it('needs a signed-in reporter, and only admins read the list', async () => {
    const anonymous = await t.request('POST', '/api/client-errors', {
      body: { source: 'pwa', message: 'boom' },
    });
    expect(anonymous.status).toBe(401);
    expect((await t.request('GET', '/api/admin/errors', { token: staff.token })).status).toBe(403);
    expect((await t.request('GET', '/api/admin/errors', { token: supervisor.token })).status).toBe(
      403,
    );
    expect((await t.request('GET', '/api/admin/errors')).status).toBe(401);
  });
});
