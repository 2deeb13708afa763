/**
 * ItemRepo on SQLite: items with barcodes and stock in indexed child tables, and one FTS5 trigram
 * document per item for fuzzy search (migration 'item search in FTS5', issue #13).
 */
import type { Item } from '@stockverify/shared';
import type { FirstMirror, FuzzyCandidate, ItemListQuery, ItemRepo } from '../../../ports/store';
import { claimBarcodes, itemSearchText } from '../item-index';
import { lazy, toFlag, type Db } from './database';
import {
  assembleItems,
  ITEM_COLUMNS,
  toBarcode,
  toItemRow,
  type BarcodeRow,
  type ItemRow,
  type StockRow,
} from './item-rows';

// Larger than any code point, so `x >= p AND x < p || MAX_CHAR` is "x starts with p" as a range
// the index can seek (SQLite compares text as UTF-8 bytes and U+10FFFF encodes highest).
const MAX_CHAR = '\u{10FFFF}';

// Child rows for a set of items take the codes as one JSON array parameter, so one prepared
// statement serves any number of codes without hitting the bound-parameter limit.
const IN_CODES = 'item_code IN (SELECT value FROM json_each(?))';

// The meta key listing the item indexes a first mirror dropped and has not built again yet, each
// with the CREATE statement SQLite had for it (so whatever the migrations made comes back as is).
const DEFERRED_INDEXES = 'items.deferred_indexes';

interface DeferredIndex {
  name: string;
  sql: string;
}

const quoteName = (name: string) => `"${name.replace(/"/g, '""')}"`;

function readDeferred(db: Db): DeferredIndex[] {
  const value = db
    .prepare<[string], string>('SELECT value FROM meta WHERE key = ?')
    .pluck()
    .get(DEFERRED_INDEXES);
  return value === undefined ? [] : (JSON.parse(value) as DeferredIndex[]);
}

function writeDeferred(db: Db, list: readonly DeferredIndex[]): void {
  if (list.length === 0) {
    db.prepare('DELETE FROM meta WHERE key = ?').run(DEFERRED_INDEXES);
    return;
  }
  db.prepare(
    `INSERT INTO meta (key, value) VALUES (?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  ).run(DEFERRED_INDEXES, JSON.stringify(list));
}

/**
 * Builds one index a first mirror deferred, in its own transaction; false when none is left.
 * Building an index that already exists (another process restored it) is skipped, so any number
 * of callers may race to restore: the end state is the same.
 */
function restoreOneIndex(db: Db): boolean {
  return db
    .transaction(() => {
      const [next, ...rest] = readDeferred(db);
      if (next === undefined) return false;
      const exists = db
        .prepare<[string], number>(
          "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?",
        )
        .pluck()
        .get(next.name);
      if (!exists) db.exec(next.sql);
      writeDeferred(db, rest);
      return true;
    })
    .immediate();
}

/**
 * Builds every item index a first mirror dropped and did not build again (the process stopped
 * mid-mirror). Store start-up calls it before the migrations, so they find the schema they made;
 * with nothing deferred it is one read of `meta`.
 */
export function restoreDeferredItemIndexes(db: Db): void {
  const hasMeta = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'")
    .get();
  if (hasMeta === undefined) return; // a new database: migrations have not run yet
  while (restoreOneIndex(db));
}

/**
 * Starts a first mirror (ItemRepo.beginFirstMirror): when `items` is empty, drops its secondary
 * indexes (name, lower-cased code, updated_at), noting their definitions in `meta` in the same
 * transaction. Keeping them row by row is most of a 100,000-item mirror's cost: names and update
 * times arrive in no order, so every batch rewrites pages all over those indexes (measured: their
 * upkeep about 1 s of CPU, building them afterwards about 0.15 s). Barcodes, stock, the primary key
 * and the search index are kept as usual, so lookups and fuzzy search find what is mirrored so far;
 * only a prefix search scans the table until `finish`.
 */
function beginFirstMirror(db: Db): boolean {
  return db
    .transaction(() => {
      if (db.prepare('SELECT 1 FROM items LIMIT 1').get() !== undefined) return false;
      const indexes = db
        .prepare<[], DeferredIndex>(
          `SELECT name, sql FROM sqlite_master
           WHERE type = 'index' AND tbl_name = 'items' AND sql IS NOT NULL ORDER BY name`,
        )
        .all();
      for (const index of indexes) db.exec(`DROP INDEX ${quoteName(index.name)}`);
      // An earlier first mirror that stopped half-way may still list some: keep them too.
      const earlier = readDeferred(db).filter((d) => !indexes.some((i) => i.name === d.name));
      writeDeferred(db, [...earlier, ...indexes]);
      return true;
    })
    .immediate();
}

/** A trigram as an FTS5 string literal: one token for the `trigram` tokenizer, spaces included. */
function ftsString(trigram: string): string {
  return `"${trigram.replace(/"/g, '""')}"`;
}

function prepareItemStatements(db: Db) {
  return {
    previous: db.prepare<[string], { name: string; search_id: number | null }>(
      'SELECT name, search_id FROM items WHERE item_code = ?',
    ),
    insertItem: db.prepare<[ItemRow & { search_id: number | bigint }]>(
      `INSERT INTO items (${ITEM_COLUMNS}, search_id) VALUES (@item_code, @item_code_lower, @name,
        @name_lower, @category, @brand, @supplier, @uom, @decimal_qty, @price, @cost, @serialized,
        @batch_tracked, @active, @updated_at, @search_id)`,
    ),
    updateItem: db.prepare<[ItemRow]>(
      `UPDATE items SET name = @name, name_lower = @name_lower, category = @category,
        brand = @brand, supplier = @supplier, uom = @uom, decimal_qty = @decimal_qty,
        price = @price, cost = @cost, serialized = @serialized, batch_tracked = @batch_tracked,
        active = @active, updated_at = @updated_at
       WHERE item_code = @item_code`,
    ),
    deleteBarcodes: db.prepare<[string]>('DELETE FROM item_barcodes WHERE item_code = ?'),
    deleteStock: db.prepare<[string]>('DELETE FROM item_stock WHERE item_code = ?'),
    // The search document of an item; its rowid is items.search_id (FTS5 picks a new one).
    insertSearchDoc: db.prepare<[string, string]>(
      'INSERT INTO item_search (item_code, doc) VALUES (?, ?)',
    ),
    replaceSearchDoc: db.prepare<[number, string, string]>(
      'INSERT INTO item_search (rowid, item_code, doc) VALUES (?, ?, ?)',
    ),
    deleteSearchDoc: db.prepare<[number]>('DELETE FROM item_search WHERE rowid = ?'),
    setSearchId: db.prepare<[number | bigint, string]>(
      'UPDATE items SET search_id = ? WHERE item_code = ?',
    ),
    // A barcode maps to one item: a later claim moves the code to the new item (design §4).
    claimBarcode: db.prepare<[BarcodeRow & { position: number }]>(
      `INSERT INTO item_barcodes (code, item_code, kind, pack_qty, position)
       VALUES (@code, @item_code, @kind, @pack_qty, @position)
       ON CONFLICT (code) DO UPDATE SET item_code = excluded.item_code, kind = excluded.kind,
         pack_qty = excluded.pack_qty, position = excluded.position`,
    ),
    insertStock: db.prepare<[StockRow & { position: number }]>(
      `INSERT INTO item_stock (item_code, position, warehouse, rack, qty)
       VALUES (@item_code, @position, @warehouse, @rack, @qty)`,
    ),
    // Whole-batch forms (issue #13): which items of a batch exist, read with one statement.
    previousIn: db.prepare<[string], { item_code: string; name: string; search_id: number | null }>(
      `SELECT item_code, name, search_id FROM items WHERE ${IN_CODES}`,
    ),
    lastSearchId: db.prepare<[], number | null>('SELECT max(rowid) FROM item_search').pluck(),
    // Positional forms of insertItem/updateItem/claimBarcode/insertStock: values bind one by one,
    // straight from the item (measured faster than named objects, than one array per row — about
    // 15 % of a 100,000-item mirror's CPU — and than INSERT … SELECT FROM json_each for these).
    insertItemRow: db.prepare<unknown[]>(
      `INSERT INTO items (${ITEM_COLUMNS}, search_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // Binds the item row's values after the code, then the code (anonymous parameters: numbered
    // ones count as named in better-sqlite3).
    updateItemRow: db.prepare<unknown[]>(
      `UPDATE items SET item_code_lower = ?, name = ?, name_lower = ?, category = ?, brand = ?,
         supplier = ?, uom = ?, decimal_qty = ?, price = ?, cost = ?, serialized = ?,
         batch_tracked = ?, active = ?, updated_at = ?
       WHERE item_code = ?`,
    ),
    claimBarcodeRow: db.prepare<unknown[]>(
      `INSERT INTO item_barcodes (code, item_code, kind, pack_qty, position) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (code) DO UPDATE SET item_code = excluded.item_code, kind = excluded.kind,
         pack_qty = excluded.pack_qty, position = excluded.position`,
    ),
    insertStockRow: db.prepare<unknown[]>(
      'INSERT INTO item_stock (item_code, position, warehouse, rack, qty) VALUES (?, ?, ?, ?, ?)',
    ),
    // The search documents of a batch's new items in one statement over a JSON array of
    // [rowid, item_code, doc] (FTS5 indexes a batch far faster than one document per statement).
    insertSearchDocs: db.prepare<[string]>(
      `INSERT INTO item_search (rowid, item_code, doc)
       SELECT value->>0, value->>1, value->>2 FROM json_each(?)`,
    ),
    deleteBarcodesIn: db.prepare<[string]>(`DELETE FROM item_barcodes WHERE ${IN_CODES}`),
    deleteStockIn: db.prepare<[string]>(`DELETE FROM item_stock WHERE ${IN_CODES}`),
    row: db.prepare<[string], ItemRow>(`SELECT ${ITEM_COLUMNS} FROM items WHERE item_code = ?`),
    rows: db.prepare<[string], ItemRow>(`SELECT ${ITEM_COLUMNS} FROM items WHERE ${IN_CODES}`),
    barcodes: db.prepare<[string], BarcodeRow>(
      `SELECT item_code, code, kind, pack_qty FROM item_barcodes WHERE ${IN_CODES}
       ORDER BY item_code, position`,
    ),
    stock: db.prepare<[string], StockRow>(
      `SELECT item_code, warehouse, rack, qty FROM item_stock WHERE ${IN_CODES}
       ORDER BY item_code, position`,
    ),
    // One-item forms of `barcodes` and `stock`: a plain equality seek, several times faster than
    // the json_each form for the single-item lookups every scan makes.
    barcodesOf: db.prepare<[string], BarcodeRow>(
      'SELECT item_code, code, kind, pack_qty FROM item_barcodes WHERE item_code = ? ORDER BY position',
    ),
    stockOf: db.prepare<[string], StockRow>(
      'SELECT item_code, warehouse, rack, qty FROM item_stock WHERE item_code = ? ORDER BY position',
    ),
    barcode: db.prepare<[string], BarcodeRow>(
      'SELECT item_code, code, kind, pack_qty FROM item_barcodes WHERE code = ?',
    ),
    barcodesIn: db.prepare<[string], BarcodeRow>(
      `SELECT item_code, code, kind, pack_qty FROM item_barcodes
       WHERE code IN (SELECT value FROM json_each(?))`,
    ),
    prefix: db.prepare<[{ lo: string; hi: string; limit: number }], ItemRow>(
      `SELECT ${ITEM_COLUMNS} FROM items
       WHERE (item_code_lower >= @lo AND item_code_lower < @hi)
          OR (name_lower >= @lo AND name_lower < @hi)
       ORDER BY item_code LIMIT @limit`,
    ),
    // One MATCH per query trigram (each an FTS5 string): an item matched by n of them shares n.
    // The item code (for the tie order) is read only for items at or above the n-th best count.
    fuzzy: db.prepare<[{ terms: string; limit: number }], { item_code: string; shared: number }>(
      `WITH matched AS (
         SELECT f.rowid AS id, COUNT(*) AS shared
         FROM json_each(@terms) q JOIN item_search f ON f.item_search MATCH q.value
         GROUP BY f.rowid
       ),
       cut AS (SELECT shared FROM matched ORDER BY shared DESC LIMIT 1 OFFSET @limit - 1)
       SELECT f.item_code, m.shared FROM matched m JOIN item_search f ON f.rowid = m.id
       WHERE m.shared >= coalesce((SELECT shared FROM cut), 0)
       ORDER BY m.shared DESC, f.item_code LIMIT @limit`,
    ),
    // Absent `after`/`since` are bound as '' (every code and time sorts after it), so the range on
    // the primary key stays seekable instead of hiding behind an `IS NULL OR`.
    list: db.prepare<[{ after: string; since: string; limit: number }], ItemRow>(
      `SELECT ${ITEM_COLUMNS} FROM items WHERE item_code > @after AND updated_at > @since
       ORDER BY item_code LIMIT @limit`,
    ),
    listInWarehouse: db.prepare<
      [{ after: string; since: string; limit: number; warehouse: string }],
      ItemRow
    >(
      `SELECT ${ITEM_COLUMNS} FROM items i WHERE item_code > @after AND updated_at > @since
         AND EXISTS (SELECT 1 FROM item_stock s
                     WHERE s.warehouse = @warehouse AND s.item_code = i.item_code)
       ORDER BY item_code LIMIT @limit`,
    ),
    count: db.prepare<[], number>('SELECT COUNT(*) FROM items').pluck(),
  };
}

/** Builds the item repository over an open, migrated database. */
export function createSqliteItemRepo(db: Db): ItemRepo {
  const statements = lazy(() => prepareItemStatements(db));

  const hydrate = (rows: readonly ItemRow[]): Item[] => {
    if (rows.length === 0) return [];
    const codes = JSON.stringify(rows.map((row) => row.item_code));
    const s = statements();
    return assembleItems(rows, s.barcodes.all(codes), s.stock.all(codes));
  };

  const get = (itemCode: string): Item | null => {
    const s = statements();
    const row = s.row.get(itemCode);
    if (!row) return null;
    return assembleItems([row], s.barcodesOf.all(itemCode), s.stockOf.all(itemCode))[0] ?? null;
  };

  const upsertOne = (item: Item): 'inserted' | 'updated' => {
    const s = statements();
    const code = item.item_code;
    const previous = s.previous.get(code);
    if (previous === undefined) {
      const searchId = s.insertSearchDoc.run(code, itemSearchText(item)).lastInsertRowid;
      s.insertItem.run({ ...toItemRow(item), search_id: searchId });
    } else {
      s.updateItem.run(toItemRow(item));
      s.deleteBarcodes.run(code);
      s.deleteStock.run(code);
      // The search document derives from code and name only; an ERP re-sync mostly changes
      // quantities, so an unchanged name leaves the index alone.
      if (previous.name !== item.name) {
        if (previous.search_id === null) {
          s.setSearchId.run(
            s.insertSearchDoc.run(code, itemSearchText(item)).lastInsertRowid,
            code,
          );
        } else {
          s.deleteSearchDoc.run(previous.search_id);
          s.replaceSearchDoc.run(previous.search_id, code, itemSearchText(item));
        }
      }
    }
    item.barcodes.forEach((barcode, position) =>
      s.claimBarcode.run({ ...barcode, item_code: code, position }),
    );
    item.stock.forEach((row, position) => s.insertStock.run({ ...row, item_code: code, position }));
    return previous === undefined ? 'inserted' : 'updated';
  };

  /**
   * A batch in phases: one read of which items exist, the new items' search documents in one
   * statement, then items, barcodes and stock row by row with positional binding. Same rows as
   * upsertOne item by item: a later barcode claim still wins, and an existing item's child rows
   * are replaced (all deleted before any is claimed, which ends the same as deleting per item).
   */
  const upsertBatch = (items: readonly Item[]) => {
    const s = statements();
    const codes = items.map((item) => item.item_code);
    const previous = new Map(s.previousIn.all(JSON.stringify(codes)).map((r) => [r.item_code, r]));
    const inserts: Item[] = [];
    const insertIds: number[] = [];
    const updates: Item[] = [];
    const docs: unknown[][] = [];
    // New search documents are numbered here (after the highest), so a batch's rowids are known
    // before its documents go in with one statement.
    let searchId = s.lastSearchId.get() ?? 0;
    for (const item of items) {
      const code = item.item_code;
      const before = previous.get(code);
      if (before === undefined) {
        searchId++;
        inserts.push(item);
        insertIds.push(searchId);
        docs.push([searchId, code, itemSearchText(item)]);
      } else {
        updates.push(item);
        // The search document derives from code and name only (see upsertOne).
        if (before.name !== item.name) {
          if (before.search_id === null) {
            searchId++;
            s.replaceSearchDoc.run(searchId, code, itemSearchText(item));
            s.setSearchId.run(searchId, code);
          } else {
            s.deleteSearchDoc.run(before.search_id);
            s.replaceSearchDoc.run(before.search_id, code, itemSearchText(item));
          }
        }
      }
    }
    // Rows are bound straight from the items, value by value: no row array per item, barcode or
    // stock row (a 100,000-item mirror would allocate about 380,000 of them).
    if (updates.length > 0) {
      for (const item of updates) {
        const code = item.item_code;
        s.updateItemRow.run(
          code.toLowerCase(),
          item.name,
          item.name.toLowerCase(),
          item.category,
          item.brand,
          item.supplier,
          item.uom,
          toFlag(item.decimal_qty),
          item.price,
          item.cost,
          toFlag(item.serialized),
          toFlag(item.batch_tracked),
          toFlag(item.active),
          item.updated_at,
          code,
        );
      }
      const existing = JSON.stringify(updates.map((item) => item.item_code));
      s.deleteBarcodesIn.run(existing);
      s.deleteStockIn.run(existing);
    }
    if (inserts.length > 0) {
      s.insertSearchDocs.run(JSON.stringify(docs));
      for (let i = 0; i < inserts.length; i++) {
        const item = inserts[i]!;
        const code = item.item_code;
        s.insertItemRow.run(
          code,
          code.toLowerCase(),
          item.name,
          item.name.toLowerCase(),
          item.category,
          item.brand,
          item.supplier,
          item.uom,
          toFlag(item.decimal_qty),
          item.price,
          item.cost,
          toFlag(item.serialized),
          toFlag(item.batch_tracked),
          toFlag(item.active),
          item.updated_at,
          insertIds[i],
        );
      }
    }
    // Every barcode of the batch in item order (a later claim wins), then every stock row.
    for (const item of items) {
      const list = item.barcodes;
      for (let position = 0; position < list.length; position++) {
        const b = list[position]!;
        s.claimBarcodeRow.run(b.code, item.item_code, b.kind, b.pack_qty, position);
      }
    }
    for (const item of items) {
      const list = item.stock;
      for (let position = 0; position < list.length; position++) {
        const q = list[position]!;
        s.insertStockRow.run(item.item_code, position, q.warehouse, q.rack, q.qty);
      }
    }
    return { inserted: inserts.length, updated: updates.length };
  };

  const upsertMany = db.transaction((items: readonly Item[]) => {
    const claimed = claimBarcodes(items);
    // An item listed twice in one batch is an insert then an update of itself: item by item.
    if (new Set(claimed.map((item) => item.item_code)).size === claimed.length) {
      return upsertBatch(claimed);
    }
    const counts = { inserted: 0, updated: 0 };
    for (const item of claimed) counts[upsertOne(item)]++;
    return counts;
  });

  return {
    async upsertMany(items) {
      return upsertMany.immediate(items);
    },
    async get(itemCode) {
      return get(itemCode);
    },
    async getMany(itemCodes) {
      const found = hydrate(statements().rows.all(JSON.stringify(itemCodes)));
      const byCode = new Map(found.map((item) => [item.item_code, item]));
      return [...new Set(itemCodes)].flatMap((code) => byCode.get(code) ?? []);
    },
    async findByBarcode(code) {
      const row = statements().barcode.get(code);
      const item = row ? get(row.item_code) : null;
      return row && item ? { item, barcode: toBarcode(row) } : null;
    },
    async findByBarcodes(codes) {
      if (codes.length === 0) return [];
      const rows = statements().barcodesIn.all(JSON.stringify(codes));
      const items = new Map(
        hydrate(statements().rows.all(JSON.stringify(rows.map((r) => r.item_code)))).map((item) => [
          item.item_code,
          item,
        ]),
      );
      return rows.flatMap((row) => {
        const item = items.get(row.item_code);
        return item ? [{ item, barcode: toBarcode(row) }] : [];
      });
    },
    async searchPrefix(prefix, limit) {
      const lo = prefix.toLowerCase();
      return hydrate(statements().prefix.all({ lo, hi: lo + MAX_CHAR, limit }));
    },
    async fuzzyCandidates(queryTrigrams, limit): Promise<FuzzyCandidate[]> {
      // The trigram tokenizer matches nothing shorter than three characters; trigrams() never
      // yields one, but a caller's stray value must not turn into an error.
      const terms = [...new Set(queryTrigrams)].filter((t) => t.length === 3).map(ftsString);
      if (terms.length === 0) return [];
      const ranked = statements().fuzzy.all({ terms: JSON.stringify(terms), limit });
      const items = new Map(
        hydrate(statements().rows.all(JSON.stringify(ranked.map((r) => r.item_code)))).map(
          (item) => [item.item_code, item],
        ),
      );
      return ranked.flatMap(({ item_code, shared }) => {
        const item = items.get(item_code);
        return item ? [{ item, shared }] : [];
      });
    },
    async list(query: ItemListQuery) {
      const params = { after: query.after ?? '', since: query.since ?? '', limit: query.limit };
      const s = statements();
      const rows =
        query.warehouse === undefined
          ? s.list.all(params)
          : s.listInWarehouse.all({ ...params, warehouse: query.warehouse });
      return hydrate(rows);
    },
    async count() {
      return statements().count.get() ?? 0;
    },
    async beginFirstMirror(): Promise<FirstMirror | null> {
      if (!beginFirstMirror(db)) return null;
      return {
        async finish() {
          // One index per transaction, yielding between them: each build reads the whole table
          // (about 50 ms at 100,000 items), and lookups must not wait for all of them at once.
          while (restoreOneIndex(db)) await new Promise((resolve) => setImmediate(resolve));
        },
      };
    },
  };
}
