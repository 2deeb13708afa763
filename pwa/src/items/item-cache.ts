import type { ItemView } from '@stockverify/shared';
import type { CachedItem, ItemDb } from '../db/item-db';

/** Items are written in chunks this big: one IndexedDB transaction each. */
const WRITE_CHUNK = 2000;

/** Every code an item answers to when scanned or typed. */
export function itemCodes(item: ItemView): string[] {
  return [...new Set([item.item_code, ...item.barcodes.map((b) => b.code)])];
}

export interface CatalogDownload {
  warehouse: string;
  /** Items written (new or changed). */
  written: number;
  /** Incremental (`since`) or a full download. */
  incremental: boolean;
  generatedAt: string | null;
}

/** Streams `GET /items/export` as NDJSON; the HTTP one lives in `api/staff-api.ts`. */
export type ExportFetcher = (query: {
  warehouse: string;
  since: string | null;
  session: string | null;
}) => Promise<Response>;

/**
 * Downloads the item master of one warehouse into the offline cache (design §5): the first time in
 * full, then only what changed since the server's last `X-Generated-At`. NDJSON is parsed as it
 * arrives and written in chunks, so 50,000 items never sit in memory as one JSON document.
 */
export async function refreshCatalog(
  db: ItemDb,
  fetchExport: ExportFetcher,
  warehouse: string,
  options: { session?: string | null; full?: boolean; onProgress?: (written: number) => void } = {},
): Promise<CatalogDownload> {
  const state = options.full ? undefined : await db.catalogs.get(warehouse);
  const since = state?.since ?? null;
  const response = await fetchExport({ warehouse, since, session: options.session ?? null });
  if (!response.ok || response.body === null) {
    throw new Error(`The item list could not be downloaded (HTTP ${response.status}).`);
  }
  const generatedAt = response.headers.get('X-Generated-At');
  let written = 0;
  let chunk: CachedItem[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    await db.items.bulkPut(chunk);
    written += chunk.length;
    chunk = [];
    options.onProgress?.(written);
  };
  for await (const exported of ndjsonItems(response.body)) {
    // Live ERP stock is never kept on the phone: book quantities come from the session's snapshot
    // (and never for blind sessions), so nothing here can reveal them.
    const { stock: _stock, ...item } = exported;
    chunk.push({ item_code: item.item_code, codes: itemCodes(item), warehouse, item });
    if (chunk.length >= WRITE_CHUNK) await flush();
  }
  await flush();
  await db.catalogs.put({
    warehouse,
    since: generatedAt ?? since,
    item_count: await db.items.where('warehouse').equals(warehouse).count(),
    refreshed_at: new Date().toISOString(),
  });
  return { warehouse, written, incremental: since !== null, generatedAt };
}

/** Parses an NDJSON byte stream into items, one line at a time. */
export async function* ndjsonItems(body: ReadableStream<Uint8Array>): AsyncGenerator<ItemView> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    rest += decoder.decode(value, { stream: true });
    let newline = rest.indexOf('\n');
    while (newline >= 0) {
      const line = rest.slice(0, newline).trim();
      rest = rest.slice(newline + 1);
      if (line.length > 0) yield JSON.parse(line) as ItemView;
      newline = rest.indexOf('\n');
    }
  }
  rest += decoder.decode();
  if (rest.trim().length > 0) yield JSON.parse(rest) as ItemView;
}

/** Stores a session's book-quantity snapshot (standard and strict sessions; never blind). */
export async function storeBookQuantities(
  db: ItemDb,
  sessionId: string,
  rows: ReadonlyArray<{ item_code: string; book_qty: number }>,
): Promise<void> {
  await db.transaction('rw', db.books, async () => {
    await db.books.where('session_id').equals(sessionId).delete();
    await db.books.bulkPut(rows.map((r) => ({ session_id: sessionId, ...r })));
  });
}
