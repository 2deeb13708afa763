import type { BarcodeLookup, Item, ItemView, SearchHit } from '@stockverify/shared';
import {
  Gs1ParseError,
  gtinCandidates,
  looksLikeGs1,
  parseGs1,
  type Gs1Data,
} from '@stockverify/shared';
import { unlessUnavailable, type Coordination } from '../../ports/coordination';
import type { ErpSource } from '../../ports/erp';
import type { BarcodeMatch, Store } from '../../ports/store';
import type { CircuitBreaker } from '../../lib/circuit-breaker';
import { notFound } from '../../lib/errors';
import type { AccessPolicy, BookView } from '../access/access-policy';
import type { Actor } from '../audit/audit-log';
import type { ErpStatusRecorder } from '../erp/erp-status';
import { viewItem } from './item-view';
import { BAND, fuzzyQuery, fuzzyScore, prefixScore } from './ranking';
import { nearMissBarcodes } from './near-miss';

export interface ItemsServiceDeps {
  store: Store;
  coordination: Coordination;
  erp: ErpSource;
  erpBreaker: CircuitBreaker;
  erpStatus: ErpStatusRecorder;
  /** The blind rule and the warehouse boundaries (modules/access). */
  access: AccessPolicy;
  cacheTtlMs: number;
}

export type ItemsService = ReturnType<typeof createItemsService>;

const SUGGESTIONS = 5;

/** Item lookup and search: cache → store → ERP source (design §3, issue "Items"). */
export function createItemsService(deps: ItemsServiceDeps) {
  const { store, coordination, erp, erpBreaker, erpStatus, access, cacheTtlMs } = deps;
  const cacheKey = (code: string) => `item:bc:${code}`;

  /**
   * What the viewer may see of stock. `session=` no longer decides anything (the blind rule is the
   * warehouse's): it is only checked, so a user bound to a warehouse cannot name another's.
   */
  async function bookViewFor(viewer: Actor, sessionId: string | undefined): Promise<BookView> {
    if (sessionId) {
      const session = await store.sessions.get(sessionId);
      if (session) await access.assertWarehouse(viewer, session.warehouse, 'query.session');
    }
    return access.bookView(viewer);
  }

  /** Store or ERP, without the cache; an ERP failure is recorded and treated as "not there". */
  async function findUncached(
    code: string,
  ): Promise<{ match: BarcodeMatch; source: 'store' | 'erp' } | null> {
    const stored = await store.items.findByBarcode(code);
    if (stored) return { match: stored, source: 'store' };
    let fromErp: Item | null;
    try {
      fromErp = await erpBreaker.call(() => erp.findByBarcode(code));
    } catch (err) {
      await erpStatus.recordError(err);
      return null;
    }
    if (!fromErp) return null;
    // Mirror what the ERP just told us so the next lookup never needs it.
    await store.items.upsertMany([fromErp]);
    const barcode = fromErp.barcodes.find((b) => b.code === code);
    return barcode ? { match: { item: fromErp, barcode }, source: 'erp' } : null;
  }

  async function findByCode(
    code: string,
  ): Promise<{ match: BarcodeMatch; source: BarcodeLookup['source'] } | null> {
    // The cache is an optimisation: with Redis down, lookups go to the store (issue #7).
    const cached = await unlessUnavailable(
      coordination.cacheGet<BarcodeMatch>(cacheKey(code)),
      undefined,
    );
    if (cached) return { match: cached, source: 'cache' };
    const found = await findUncached(code);
    if (found)
      await unlessUnavailable(
        coordination.cacheSet(cacheKey(code), found.match, cacheTtlMs),
        undefined,
      );
    return found;
  }

  async function rank(
    query: string,
    limit: number,
  ): Promise<Array<{ item: Item; match: SearchHit['match']; score: number }>> {
    const hits = new Map<string, { item: Item; match: SearchHit['match']; score: number }>();
    const add = (item: Item, match: SearchHit['match'], score: number) => {
      const existing = hits.get(item.item_code);
      if (!existing || existing.score < score) hits.set(item.item_code, { item, match, score });
    };
    const byBarcode = await store.items.findByBarcode(query);
    if (byBarcode) add(byBarcode.item, 'exact_barcode', BAND.exact_barcode);
    const byCode = (await store.items.get(query)) ?? (await store.items.get(query.toUpperCase()));
    if (byCode) add(byCode, 'exact_code', BAND.exact_code);
    for (const item of await store.items.searchPrefix(query, limit))
      add(item, 'prefix', prefixScore(item, query));
    if (hits.size < limit) {
      const q = fuzzyQuery(query);
      if (q.length > 0) {
        for (const { item } of await store.items.fuzzyCandidates(q, Math.max(limit * 4, 40))) {
          const score = fuzzyScore(item, q);
          if (score !== null) add(item, 'fuzzy', score);
        }
      }
    }
    return [...hits.values()]
      .sort((a, b) => b.score - a.score || a.item.name.localeCompare(b.item.name))
      .slice(0, limit);
  }

  /**
   * Up to five items a code nobody has was probably meant to be: items with a barcode one slip
   * away (wrong check digit, swapped, off, dropped or doubled character), most likely first, then
   * the search ranking's matches by code and name (issue #14).
   */
  async function suggest(code: string): Promise<Item[]> {
    const candidates = nearMissBarcodes(code);
    const rankOf = new Map(candidates.map((c, i) => [c.code, i]));
    const matches = await store.items.findByBarcodes(candidates.map((c) => c.code));
    matches.sort((a, b) => rankOf.get(a.barcode.code)! - rankOf.get(b.barcode.code)!);
    const out = new Map<string, Item>();
    for (const m of matches) if (out.size < SUGGESTIONS) out.set(m.item.item_code, m.item);
    if (out.size < SUGGESTIONS) {
      for (const hit of await rank(code, SUGGESTIONS)) {
        if (out.size < SUGGESTIONS && !out.has(hit.item.item_code))
          out.set(hit.item.item_code, hit.item);
      }
    }
    return [...out.values()];
  }

  return {
    /**
     * Exact lookup of a scanned code: primary, manual or pack barcode; a GS1 element string is
     * parsed and its GTIN looked up. Not found → 404 ITEM_NOT_FOUND with suggestions.
     */
    async lookup(code: string, viewer: Actor, sessionId?: string): Promise<BarcodeLookup> {
      let found = await findByCode(code);
      let gs1: Gs1Data | null = null;
      if (!found && looksLikeGs1(code)) {
        try {
          gs1 = parseGs1(code);
        } catch (err) {
          if (!(err instanceof Gs1ParseError)) throw err;
        }
        const gtin = gs1?.gtin ?? gs1?.content_gtin;
        for (const candidate of gtin ? gtinCandidates(gtin) : []) {
          found = await findByCode(candidate);
          if (found) break;
        }
      }
      if (!found) {
        const suggestions = await suggest(code);
        const show = await bookViewFor(viewer, sessionId);
        throw notFound('ITEM_NOT_FOUND', `No item has the barcode ${code}`, {
          suggestions: suggestions.map((item) => viewItem(item, show)),
          ...(erpBreaker.state() === 'closed' ? {} : { erp_unavailable: true }),
        });
      }
      const { match, source } = found;
      return {
        item: viewItem(match.item, await bookViewFor(viewer, sessionId)),
        matched_barcode: match.barcode.code,
        barcode_kind: match.barcode.kind,
        pack_qty: match.barcode.pack_qty,
        gs1,
        source,
      };
    },

    /** Ranked search: exact barcode > exact code > code/name prefix > fuzzy name. */
    async search(
      query: string,
      limit: number,
      viewer: Actor,
      sessionId?: string,
    ): Promise<SearchHit[]> {
      const show = await bookViewFor(viewer, sessionId);
      return (await rank(query, limit)).map((h) => ({
        item: viewItem(h.item, show),
        match: h.match,
        score: h.score,
      }));
    },

    async get(itemCode: string, viewer: Actor, sessionId?: string): Promise<ItemView> {
      const item = await store.items.get(itemCode);
      if (!item) throw notFound('ITEM_NOT_FOUND', `No item with code ${itemCode}`);
      return viewItem(item, await bookViewFor(viewer, sessionId));
    },

    /**
     * Pages of the item master for offline use, keyset-paged by item code. The access checks run
     * before the first page, so a refusal is an error answer, never a cut-off stream.
     */
    async export(
      query: { warehouse?: string; since?: string; after?: string; pageSize: number },
      viewer: Actor,
      sessionId?: string,
    ): Promise<AsyncGenerator<ItemView[]>> {
      if (query.warehouse) await access.assertWarehouse(viewer, query.warehouse, 'query.warehouse');
      const show = await bookViewFor(viewer, sessionId);
      async function* pages(): AsyncGenerator<ItemView[]> {
        let after = query.after;
        for (;;) {
          const page = await store.items.list({
            warehouse: query.warehouse,
            since: query.since,
            after,
            limit: query.pageSize,
          });
          if (page.length === 0) return;
          yield page.map((item) => viewItem(item, show, query.warehouse));
          if (page.length < query.pageSize) return;
          after = page[page.length - 1]!.item_code;
        }
      }
      return pages();
    },
  };
}
