/**
 * The first mirror of a large item master (issue #13 item 3): while it runs, `/erp/status` shows
 * how far it is, and a lookup of an item not mirrored yet still falls through to the ERP source.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BarcodeLookup, ErpStatus, Item, SearchHit } from '@stockverify/shared';
import { createDemoErpSource } from '../../src/adapters/erp/demo';
import type { ErpSource } from '../../src/ports/erp';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A demo source that stops after each batch until the test lets it go on. */
function gatedErp(itemCount: number, batchSize: number) {
  const demo = createDemoErpSource({ itemCount });
  const waiting: Array<() => void> = [];
  let paused: (() => void) | null = null;
  let onBatch: () => void = () => {};
  const source: ErpSource = {
    kind: 'demo',
    async *fetchItems(options) {
      for await (const batch of demo.fetchItems({ ...options, batchSize })) {
        onBatch();
        yield batch;
        await new Promise<void>((resolve) => {
          paused = resolve;
          for (const w of waiting.splice(0)) w();
        });
      }
    },
    countItems: (options) => demo.countItems!(options),
    fetchWarehouses: () => demo.fetchWarehouses(),
    findByBarcode: (code) => demo.findByBarcode(code),
    ping: () => demo.ping(),
    close: () => demo.close(),
  };
  return {
    source,
    items: demo.items(),
    /** Resolves once the mirror has written a batch and waits for the next. */
    paused: () =>
      new Promise<void>((resolve) => {
        if (paused) resolve();
        else waiting.push(resolve);
      }),
    /** Lets the mirror read its next batch. */
    resume() {
      const go = paused;
      paused = null;
      go?.();
    },
    set onBatch(fn: () => void) {
      onBatch = fn;
    },
  };
}

describe('first mirror of the item master', () => {
  it('shows progress on /erp/status, and finds items not mirrored yet through the ERP', async () => {
    const erp = gatedErp(300, 100);
    const app = await startTestApp({ erp: erp.source });
    t = app;
    // Each batch takes a second of test time, so every batch's progress is written.
    erp.onBatch = () => app.advance(1000);
    const admin = await app.userWithRole('admin');
    const started = app.clock().toISOString();

    const sync = app.request<{ items_received: number }>('POST', '/api/erp/sync', {
      token: admin.token,
      body: {},
    });
    await erp.paused();
    const during = await app.request<ErpStatus>('GET', '/api/erp/status', { token: admin.token });
    expect(during.status).toBe(200);
    expect(during.body.data.mirror).toEqual({
      running: true,
      full: true,
      started_at: started,
      finished_at: null,
      items_done: 100,
      items_total: 300,
      interrupted: false,
      error: null,
    });
    expect(during.body.data.item_count).toBe(100);

    // An item of a later batch: not in the mirror yet, found through the ERP, and mirrored.
    const later: Item = erp.items[250]!;
    expect(await app.store.items.get(later.item_code)).toBeNull();
    const found = await app.request<BarcodeLookup>(
      'GET',
      `/api/items/barcode/${later.barcodes[0]!.code}`,
      { token: admin.token },
    );
    expect(found.status).toBe(200);
    expect(found.body.data).toMatchObject({
      source: 'erp',
      item: { item_code: later.item_code },
    });
    // One of the first batch comes from the mirror.
    const early = await app.request<BarcodeLookup>(
      'GET',
      `/api/items/barcode/${erp.items[10]!.barcodes[0]!.code}`,
      { token: admin.token },
    );
    expect(early.body.data.source).toBe('store');

    erp.resume();
    await erp.paused();
    const second = await app.request<ErpStatus>('GET', '/api/erp/status', { token: admin.token });
    expect(second.body.data.mirror).toMatchObject({ running: true, items_done: 200 });
    erp.resume();
    await erp.paused();
    erp.resume();

    const done = await sync;
    expect(done.status).toBe(200);
    expect(done.body.data.items_received).toBe(300);
    const after = await app.request<ErpStatus>('GET', '/api/erp/status', { token: admin.token });
    expect(after.body.data.item_count).toBe(300);
    expect(after.body.data.mirror).toMatchObject({
      running: false,
      full: true,
      started_at: started,
      items_done: 300,
      items_total: 300,
      interrupted: false,
      error: null,
    });
    expect(after.body.data.mirror!.finished_at).not.toBeNull();
  });

  it('reports a pass that stopped writing for five minutes as interrupted', async () => {
    const erp = gatedErp(200, 100);
    const app = await startTestApp({ erp: erp.source });
    t = app;
    const admin = await app.userWithRole('admin');
    const sync = app.request('POST', '/api/erp/sync', { token: admin.token, body: {} });
    await erp.paused();
    app.advance(5 * 60 * 1000 + 1);
    const status = await app.request<ErpStatus>('GET', '/api/erp/status', { token: admin.token });
    expect(status.body.data.mirror).toMatchObject({ running: false, interrupted: true });
    erp.resume();
    await erp.paused();
    erp.resume();
    await sync;
  });

  it('searches the mirrored items by name with the same fuzzy matching after a mirror', async () => {
    const erp = gatedErp(300, 300);
    const app = await startTestApp({ erp: erp.source });
    t = app;
    const admin = await app.userWithRole('admin');
    const sync = app.request('POST', '/api/erp/sync', { token: admin.token, body: {} });
    await erp.paused();
    erp.resume();
    expect((await sync).status).toBe(200);
    const target = erp.items[42]!;
    // One letter dropped from the name's longest word: still found by trigrams.
    const word = target.name.split(' ').sort((a, b) => b.length - a.length)[0]!;
    const typo = target.name.replace(word, word.slice(0, 2) + word.slice(3));
    const hits = await app.request<{ items: SearchHit[] }>(
      'GET',
      `/api/items/search?q=${encodeURIComponent(typo)}&limit=20`,
      { token: admin.token },
    );
    expect(hits.status).toBe(200);
    expect(hits.body.data.items.map((h) => h.item.item_code)).toContain(target.item_code);
  });
});
