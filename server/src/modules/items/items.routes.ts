import { Router } from 'express';
import { z } from 'zod';
import {
  barcodeValueSchema,
  exportQuerySchema,
  itemCodeSchema,
  lookupQuerySchema,
  searchQuerySchema,
  type ItemSearch,
} from '@stockverify/shared';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { sendOk } from '../../http/envelope';
import { parse } from '../../http/validate';
import type { ItemsService } from './items.service';

// Schemas are built once: zod 4 compiles an object schema on first use, far too slow per request.
export const barcodeParams = z.object({ code: barcodeValueSchema });
const itemCodeParams = z.object({ item_code: itemCodeSchema });

/** `/items/*` (api.md "Items and ERP"). */
export function itemsRoutes(items: ItemsService, guard: AuthGuard): Router {
  const router = Router();
  router.use(guard.requireAuth, guard.requirePermission('items.read'));

  router.get('/barcode/:code', async (req, res) => {
    const { code } = parse(barcodeParams, req.params, 'params');
    const { session } = parse(lookupQuerySchema, req.query, 'query');
    sendOk(req, res, await items.lookup(code, actorOf(req), session));
  });

  router.get('/search', async (req, res) => {
    const { q, limit, session } = parse(searchQuerySchema, req.query, 'query');
    const hits = await items.search(q, limit, actorOf(req), session);
    sendOk(req, res, { items: hits } satisfies ItemSearch);
  });

  // NDJSON by default (one item per line, streamed with back-pressure); `format=json` gives
  // keyset pages with `next_cursor` for clients that prefer them.
  router.get('/export', async (req, res) => {
    const query = parse(exportQuerySchema, req.query, 'query');
    const generatedAt = new Date().toISOString();
    const pages = await items.export(
      {
        warehouse: query.warehouse,
        since: query.since,
        after: query.cursor,
        pageSize: query.format === 'json' ? query.limit : 1000,
      },
      actorOf(req),
      query.session,
    );
    if (query.format === 'json') {
      const first = await pages.next();
      const page = first.done ? [] : first.value;
      await pages.return(undefined);
      const next = page.length === query.limit ? page[page.length - 1]!.item_code : null;
      sendOk(req, res, { items: page, next_cursor: next, generated_at: generatedAt });
      return;
    }
    res.status(200);
    res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
    res.setHeader('X-Generated-At', generatedAt);
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    for await (const page of pages) {
      if (closed) break;
      const chunk = page.map((item) => JSON.stringify(item)).join('\n') + '\n';
      if (!res.write(chunk))
        await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
    }
    res.end();
  });

  router.get('/:item_code', async (req, res) => {
    const { item_code } = parse(itemCodeParams, req.params, 'params');
    const { session } = parse(lookupQuerySchema, req.query, 'query');
    sendOk(req, res, await items.get(item_code, actorOf(req), session));
  });

  return router;
}
