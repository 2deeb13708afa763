/**
 * docs/api.md cannot drift from the code (issue #15): its route tables and request / answer shapes
 * are generated from the route table (src/tools/api-docs/api-routes.ts) and the shared zod
 * schemas, and this suite fails when
 * - the page differs from what `npm run docs:api` would write (a schema, a summary or a role
 *   changed and the page was not regenerated),
 * - the running app serves a route the table lacks, or the table names one the app does not serve,
 * - a route asks for another role than the table says (asked of the running app, with no token, a
 *   staff token and a supervisor token).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  PERMISSIONS,
  loginSchema,
  syncRecordSchema,
  type Permission,
  type Role,
} from '@stockverify/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  API_ROUTES,
  EMPTY_BODY,
  text,
  type RouteDoc,
  type Shape,
} from '../../src/tools/api-docs/api-routes';
import {
  generatedRegions,
  renderApiDoc,
  spliceRegions,
  tablesOf,
} from '../../src/tools/api-docs/render';
import { apiRoutes } from '../support/app-routes';
import { startTestApp, type TestApp } from '../support/test-app';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DOC = path.join(ROOT, 'docs/api.md');

/**
 * Each request or answer of the table written as text where a JSON one has a shared schema
 * instead: a query is always a schema; a body may be text only when empty or not JSON (an
 * upload); an answer only when it is not an enveloped JSON answer (a file, a stream).
 */
function untyped(routes: Record<string, RouteDoc>): string[] {
  const textOf = (shape: Shape | undefined) =>
    shape && !(shape instanceof z.ZodType) && shape.kind === 'text' ? shape.text : null;
  const notJsonBody = (value: string) =>
    value === EMPTY_BODY || /^(multipart form data|the image bytes)\b/.test(value);
  const notJsonAnswer = (value: string) => /, not enveloped\.$/.test(value);
  const out: string[] = [];
  for (const [route, doc] of Object.entries(routes)) {
    const query = textOf(doc.query);
    if (query !== null) out.push(`${route} query: ${query}`);
    const body = textOf(doc.body);
    if (body !== null && !notJsonBody(body)) out.push(`${route} body: ${body}`);
    const answer = textOf(doc.answer);
    if (answer !== null && !notJsonAnswer(answer)) out.push(`${route} answer: ${answer}`);
    for (const more of doc.more ?? []) {
      const extra = textOf(more.shape);
      if (extra !== null) out.push(`${route} ${more.label}: ${extra}`);
    }
  }
  return out;
}

describe('docs/api.md is generated from the shared schemas', () => {
  it('is what npm run docs:api writes', async () => {
    const current = fs.readFileSync(DOC, 'utf8');
    const expected = await renderApiDoc(current, DOC);
    // A plain equality so the message says what to do; the diff follows if it fails.
    if (expected !== current) {
      expect(current, 'docs/api.md is out of date: run npm run docs:api').toBe(expected);
    }
  });

  it('a changed schema changes the page (the check can fail)', async () => {
    const current = fs.readFileSync(DOC, 'utf8');
    // The login body as it is, and with one more field and a tighter username.
    const before = tablesOf(loginSchema, 'input');
    const changed = loginSchema.extend({
      username: z.string().min(3).max(32),
      remember_me: z.boolean(),
    });
    const after = tablesOf(changed, 'input');
    expect(after).not.toEqual(before);
    const route = API_ROUTES['POST /auth/login']!;
    const original = route.body;
    route.body = changed;
    try {
      const stale = await renderApiDoc(current, DOC);
      expect(stale).not.toBe(current);
      expect(stale).toContain('`remember_me`');
      expect(stale).toMatch(/`username` +\| string +\| yes +\| 3–32 chars/);
    } finally {
      route.body = original;
    }
    expect(await renderApiDoc(current, DOC)).toBe(current);
  });

  it('keeps the hand-written prose and refuses a page without its generated regions', () => {
    const current = fs.readFileSync(DOC, 'utf8');
    const regions = generatedRegions();
    const spliced = spliceRegions(current, regions);
    for (const prose of ['## Envelope and errors', '## Details pinned down', 'Lockout: after 5']) {
      expect(spliced).toContain(prose);
    }
    const withoutShapes = current.replace(
      /<!-- generated:begin shapes -->[\s\S]*?<!-- generated:end shapes -->/,
      '',
    );
    expect(() => spliceRegions(withoutShapes, regions)).toThrow(
      /lacks the generated region\(s\) shapes/,
    );
    const stray = `${current}\n<!-- generated:begin nothing -->\n<!-- generated:end nothing -->\n`;
    expect(() => spliceRegions(stray, regions)).toThrow(/region "nothing" nothing generates/);
  });

  it('documents every route field by field: paths, nesting, variants, constraints', () => {
    const doc = fs.readFileSync(DOC, 'utf8');
    for (const route of Object.keys(API_ROUTES)) expect(doc).toContain(`### ${route}\n`);
    // Nested answer fields, a union's variants and a request's limits, all read off the schemas.
    expect(doc).toMatch(
      /`user\.role` +\| string +\| yes +\| one of `staff`, `supervisor`, `admin`/,
    );
    expect(doc).toContain('When `type` is `"rack_complete"`:');
    expect(doc).toMatch(/`records` +\| array of objects +\| yes +\| 1–500 items/);
  });

  it('every JSON request and answer has a shared schema: text only for what is not JSON', () => {
    expect(untyped(API_ROUTES)).toEqual([]);
    // The check can fail: a request schema private to a route file, an answer without a schema.
    const gaps: Record<string, RouteDoc> = {
      'POST /x': {
        ...API_ROUTES['POST /erp/sync']!,
        body: text('checked by a schema private to `server/src/modules/x.routes.ts`.'),
        answer: text('the sync result (no shared schema yet).'),
      },
      'GET /y': { ...API_ROUTES['GET /admin/audit']!, query: text('page and filters') },
    };
    expect(untyped(gaps)).toEqual([
      'POST /x body: checked by a schema private to `server/src/modules/x.routes.ts`.',
      'POST /x answer: the sync result (no shared schema yet).',
      'GET /y query: page and filters',
    ]);
  });

  it('its hand-written record example is a valid sync record', () => {
    const doc = fs.readFileSync(DOC, 'utf8');
    const examples = [...doc.matchAll(/```json\n([\s\S]*?)\n```/g)]
      .map((m) => JSON.parse(m[1]!) as Record<string, unknown>)
      .filter((json) => 'op_id' in json);
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const parsed = syncRecordSchema.safeParse(example);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    }
  });
});

describe('the route table matches the running app', () => {
  let t: TestApp;
  let staff: { token: string };
  let supervisor: { token: string };

  beforeAll(async () => {
    // No network allow-listed for /metrics, so it too answers by role like every other route.
    t = await startTestApp({ settings: { metricsAllowNetworks: [] } });
    // Throwaway accounts: asking every route has side effects (logout, …).
    staff = await t.userWithRole('staff', 'docs-staff');
    supervisor = await t.userWithRole('supervisor', 'docs-supervisor');
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The app's routes under /api as the page names them: method and path without `/api`. */
  function appRoutes(): string[] {
    return apiRoutes(t)
      .map((r) => r.replace(/\/$/, '').replace(' /api/', ' /'))
      .sort();
  }

  it('every route the app serves is documented, and nothing else', () => {
    const routes = appRoutes();
    expect(routes.length).toBeGreaterThan(60);
    expect(Object.keys(API_ROUTES).sort()).toEqual(routes);
  });

  /** Concrete values for path parameters; the ids need not exist, roles are checked first. */
  function concrete(route: string): string {
    return route
      .replace(':item_code', 'ITM-A')
      .replace(':code', 'BC-A')
      .replace(':rack', 'A-01')
      .replace(':format', 'csv')
      .replace(':serial', 'SER-X')
      .replace(':id', 'no-such-id');
  }

  interface Probe {
    status: number;
    code?: string;
    message?: string;
  }

  async function ask(route: string, token: string | null): Promise<Probe> {
    const [method, routePath] = route.split(' ') as [string, string];
    const res = await fetch(`${t.baseUrl}/api${concrete(routePath)}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
      },
      body: method === 'GET' ? undefined : '{}',
    });
    // Streams (live events) never end: read only JSON answers.
    if (!res.headers.get('content-type')?.includes('application/json')) {
      await res.body?.cancel();
      return { status: res.status };
    }
    const body = (await res.json()) as { error?: { code?: string; message?: string } | null };
    return { status: res.status, code: body.error?.code, message: body.error?.message };
  }

  const refusedByRole = (probe: Probe, permission?: string) =>
    probe.status === 403 &&
    probe.code === 'FORBIDDEN' &&
    (permission
      ? probe.message === `Needs the ${permission} permission`
      : /^Needs the [a-z_.]+ permission/.test(probe.message ?? ''));

  it('each route asks for the role the table says', async () => {
    const wrong: string[] = [];
    for (const [route, doc] of Object.entries(API_ROUTES)) {
      const anonymous = await ask(route, null);
      if (doc.who === 'anyone') {
        if (anonymous.status === 401)
          wrong.push(`${route}: 401 without a token, documented for anyone`);
        continue;
      }
      if (anonymous.status !== 401) {
        wrong.push(`${route}: ${anonymous.status} without a token`);
      }
      const lowest: Role = doc.who === 'signed in' ? 'staff' : PERMISSIONS[doc.who as Permission];
      for (const [role, token] of [
        ['staff', staff.token],
        ['supervisor', supervisor.token],
      ] as const) {
        const probe = await ask(route, token);
        const allowed = role === 'staff' ? lowest === 'staff' : lowest !== 'admin';
        if (allowed && refusedByRole(probe)) {
          wrong.push(`${route}: ${role} refused (${probe.message}), documented ${doc.who}`);
        }
        if (!allowed && !refusedByRole(probe, doc.who)) {
          wrong.push(
            `${route}: ${role} answered ${probe.status} ${probe.message ?? ''}, documented ${doc.who}`,
          );
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
