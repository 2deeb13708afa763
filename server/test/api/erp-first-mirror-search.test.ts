/**
 * Issue #13 item 3: a first mirror into an empty store builds some item indexes once at the end
 * instead of row by row. Search ranking and near-miss suggestions must be exactly those of a mirror
 * written batch by batch with every index kept: the same queries against both, answer for answer.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Item } from '@stockverify/shared';
import { createDemoErpSource } from '../../src/adapters/erp/demo';
import { createSqliteStore } from '../../src/adapters/store/sqlite';
import { openDatabase } from '../../src/adapters/store/sqlite/database';
import type { ErpSource } from '../../src/ports/erp';
import { startTestApp, type TestApp } from '../support/test-app';

const ITEMS = 2500;

const apps: TestApp[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Typos, code fragments, words, prefixes and barcodes, from across the master. */
function queries(items: readonly Item[]): string[] {
  const out = ['drill', 'hamer dril', 'bosh', 'scru driver', '10mm', 'LED bulb', 'x', 'it', 'IT00'];
  for (let i = 0; i < 40; i++) {
    const item = items[(i * 7919) % items.length]!;
    const cut = 2 + (i % Math.max(1, item.name.length - 3));
    out.push(item.name.slice(0, cut) + item.name.slice(cut + 1));
    out.push(item.item_code.slice(2 + (i % 3)));
    out.push(item.name.split(' ')[i % 2]!.toLowerCase());
    if (i % 5 === 0) out.push(item.barcodes[0]!.code, item.item_code.toLowerCase());
  }
  return out;
}

/** Real barcodes one slip away: wrong check digit, swapped or dropped characters. */
function nearMisses(items: readonly Item[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < 12; i++) {
    const code = items[(i * 4099) % items.length]!.barcodes[0]!.code;
    const last = Number(code.at(-1));
    out.push(code.slice(0, -1) + String(Number.isNaN(last) ? 0 : (last + 1) % 10));
    out.push(code.slice(0, 3) + code[4] + code[3] + code.slice(5));
    out.push(code.slice(1));
  }
  return out;
}

describe('first mirror: same search as a mirror written with every index kept', () => {
  it('ranks every query and suggests for every unknown code as the batch-by-batch mirror', async () => {
    // Batch by batch with every index kept: the items written as a non-empty mirror writes them.
    const kept = await startTestApp({ erp: createDemoErpSource({ itemCount: ITEMS }) });
    apps.push(kept);
    const items: Item[] = [];
    for await (const batch of kept.erp.fetchItems({ batchSize: 500 })) {
      items.push(...batch);
      await kept.store.items.upsertMany(batch);
    }

    // The real first mirror through the API, which must take the first-mirror path.
    const first = await startTestApp({ erp: createDemoErpSource({ itemCount: ITEMS }) });
    apps.push(first);
    const begin = first.store.items.beginFirstMirror!.bind(first.store.items);
    let taken = 0;
    first.store.items.beginFirstMirror = async () => {
      const mirror = await begin();
      if (mirror) taken++;
      return mirror;
    };
    const firstAdmin = await first.userWithRole('admin');
    const sync = await first.request<{ items_received: number }>('POST', '/api/erp/sync', {
      token: firstAdmin.token,
      body: {},
    });
    expect(sync.status).toBe(200);
    expect(sync.body.data.items_received).toBe(ITEMS);
    expect(taken).toBe(1);

    const keptAdmin = await kept.userWithRole('admin');
    const ask = async (app: TestApp, token: string, url: string) => {
      const res = await app.request('GET', url, { token });
      return { status: res.status, data: res.body.data, error: res.body.error };
    };
    let searched = 0;
    for (const q of queries(items)) {
      for (const limit of [5, 20]) {
        const url = `/api/items/search?q=${encodeURIComponent(q)}&limit=${limit}`;
        const want = await ask(kept, keptAdmin.token, url);
        expect(want.status, url).toBe(200);
        expect(await ask(first, firstAdmin.token, url), url).toEqual(want);
        searched++;
      }
    }
    let suggested = 0;
    for (const code of nearMisses(items)) {
      const url = `/api/items/barcode/${encodeURIComponent(code)}`;
      const want = await ask(kept, keptAdmin.token, url);
      expect(await ask(first, firstAdmin.token, url), url).toEqual(want);
      if (want.status === 404 && (want.error?.suggestions as unknown[] | undefined)?.length)
        suggested++;
    }
    // The comparison covered real answers, not empty ones.
    expect(searched).toBeGreaterThan(200);
    expect(suggested).toBeGreaterThan(10);
  });
});

describe('first mirror that fails half-way', () => {
  it('builds the item indexes again before it answers the failure', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-first-mirror-fail-'));
    const file = path.join(dir, 'store.db');
    const store = createSqliteStore({ file });
    cleanups.push(async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const demo = createDemoErpSource({ itemCount: 400 });
    // The ERP drops the connection after the first batch of the pass.
    const erp: ErpSource = {
      ...demo,
      kind: 'demo',
      async *fetchItems(options) {
        let sent = 0;
        for await (const batch of demo.fetchItems({ ...options, batchSize: 100 })) {
          if (sent++ === 1) throw new Error('ECONNRESET');
          yield batch;
        }
      },
    };
    const app = await startTestApp({ erp, store });
    apps.push(app);
    const indexes = () => {
      const db = openDatabase(file);
      try {
        return db
          .prepare<[], string>(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'items' AND sql IS NOT NULL ORDER BY name",
          )
          .pluck()
          .all();
      } finally {
        db.close();
      }
    };
    const before = indexes();
    expect(before.length).toBeGreaterThan(0);
    const begin = store.items.beginFirstMirror!.bind(store.items);
    let taken = 0;
    store.items.beginFirstMirror = async () => {
      const mirror = await begin();
      if (mirror) taken++;
      return mirror;
    };
    const admin = await app.userWithRole('admin');
    const sync = await app.request('POST', '/api/erp/sync', { token: admin.token, body: {} });
    expect(sync.status).toBe(503);
    expect(taken).toBe(1);
    expect(indexes()).toEqual(before);
    expect(await store.items.count()).toBe(100);
    // The items written before the failure are found by name prefix (the index is back).
    const first = demo.items()[0]!;
    const hits = await store.items.searchPrefix(first.name.slice(0, 6), 50);
    expect(hits.map((item) => item.item_code)).toContain(first.item_code);
  });
});
