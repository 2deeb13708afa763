/** ItemRepo on MongoDB: one document per item with derived, indexed search fields. */
import type { Item } from '@stockverify/shared';
import type { AnyBulkWriteOperation, Collection, Filter } from 'mongodb';
import type { FuzzyCandidate, ItemRepo } from '../../../ports/store';
import { claimBarcodes, itemTrigrams } from '../item-index';
import { escapeRegex, type ItemDocument } from './collections';

// Bounds each bulkWrite and $in list so a 100k-item sync never builds one oversized command.
const CHUNK = 1000;

function toDocument(item: Item): ItemDocument {
  return {
    ...item,
    item_code_lower: item.item_code.toLowerCase(),
    name_lower: item.name.toLowerCase(),
    trigrams: itemTrigrams(item),
  };
}

/** The Item fields of a stored document, without _id and the derived search fields. */
function toItem(doc: ItemDocument): Item {
  return {
    item_code: doc.item_code,
    name: doc.name,
    category: doc.category,
    brand: doc.brand,
    supplier: doc.supplier,
    uom: doc.uom,
    decimal_qty: doc.decimal_qty,
    price: doc.price,
    cost: doc.cost,
    serialized: doc.serialized,
    batch_tracked: doc.batch_tracked,
    barcodes: doc.barcodes.map((b) => ({ code: b.code, kind: b.kind, pack_qty: b.pack_qty })),
    stock: doc.stock.map((s) => ({ warehouse: s.warehouse, rack: s.rack, qty: s.qty })),
    active: doc.active,
    updated_at: doc.updated_at,
  };
}

/** Builds the item repository over the items collection. */
export function createMongoItemRepo(items: Collection<ItemDocument>): ItemRepo {
  const getMany = async (itemCodes: readonly string[]): Promise<Item[]> => {
    const docs = await items.find({ item_code: { $in: [...itemCodes] } }).toArray();
    const byCode = new Map(docs.map((doc) => [doc.item_code, toItem(doc)]));
    return [...new Set(itemCodes)].flatMap((code) => byCode.get(code) ?? []);
  };

  const upsertChunk = async (chunk: readonly Item[]) => {
    // A barcode maps to one item and the later claim wins: take the codes away from whatever
    // stored item holds them before this chunk's documents replace their own.
    const claimed = chunk.flatMap((item) => item.barcodes.map((b) => b.code));
    if (claimed.length > 0) {
      await items.updateMany(
        { 'barcodes.code': { $in: claimed } },
        { $pull: { barcodes: { code: { $in: claimed } } } },
      );
    }
    const ops: AnyBulkWriteOperation<ItemDocument>[] = chunk.map((item) => ({
      replaceOne: {
        filter: { item_code: item.item_code },
        replacement: toDocument(item),
        upsert: true,
      },
    }));
    const result = await items.bulkWrite(ops, { ordered: true });
    return { inserted: result.upsertedCount, updated: result.matchedCount };
  };

  return {
    async upsertMany(batch) {
      const claimedBatch = claimBarcodes(batch);
      const counts = { inserted: 0, updated: 0 };
      for (let i = 0; i < claimedBatch.length; i += CHUNK) {
        const result = await upsertChunk(claimedBatch.slice(i, i + CHUNK));
        counts.inserted += result.inserted;
        counts.updated += result.updated;
      }
      return counts;
    },
    async get(itemCode) {
      const doc = await items.findOne({ item_code: itemCode });
      return doc ? toItem(doc) : null;
    },
    getMany,
    async findByBarcode(code) {
      const doc = await items.findOne({ 'barcodes.code': code });
      const barcode = doc?.barcodes.find((b) => b.code === code);
      return doc && barcode ? { item: toItem(doc), barcode: { ...barcode } } : null;
    },
    async findByBarcodes(codes) {
      if (codes.length === 0) return [];
      const wanted = new Set(codes);
      const docs = await items.find({ 'barcodes.code': { $in: [...wanted] } }).toArray();
      return docs.flatMap((doc) =>
        doc.barcodes
          .filter((b) => wanted.has(b.code))
          .map((b) => ({ item: toItem(doc), barcode: { ...b } })),
      );
    },
    async searchPrefix(prefix, limit) {
      // Anchored, case-sensitive regexes on the lower-cased copies can use their indexes.
      const pattern = { $regex: `^${escapeRegex(prefix.toLowerCase())}` };
      const docs = await items
        .find({ $or: [{ item_code_lower: pattern }, { name_lower: pattern }] })
        .sort({ item_code: 1 })
        .limit(limit)
        .toArray();
      return docs.map(toItem);
    },
    async fuzzyCandidates(queryTrigrams, limit): Promise<FuzzyCandidate[]> {
      if (queryTrigrams.length === 0) return [];
      const q = [...new Set(queryTrigrams)];
      const ranked = await items
        .aggregate<{ item_code: string; shared: number }>([
          { $match: { trigrams: { $in: q } } },
          {
            $project: {
              _id: 0,
              item_code: 1,
              shared: { $size: { $setIntersection: ['$trigrams', { $literal: q }] } },
            },
          },
          { $sort: { shared: -1, item_code: 1 } },
          { $limit: limit },
        ])
        .toArray();
      const found = new Map(
        (await getMany(ranked.map((r) => r.item_code))).map((i) => [i.item_code, i]),
      );
      return ranked.flatMap(({ item_code, shared }) => {
        const item = found.get(item_code);
        return item ? [{ item, shared }] : [];
      });
    },
    async list(query) {
      const filter: Filter<ItemDocument> = {};
      if (query.after !== undefined) filter.item_code = { $gt: query.after };
      if (query.since !== undefined) filter.updated_at = { $gt: query.since };
      if (query.warehouse !== undefined) filter['stock.warehouse'] = query.warehouse;
      const docs = await items.find(filter).sort({ item_code: 1 }).limit(query.limit).toArray();
      return docs.map(toItem);
    },
    async count() {
      return items.countDocuments();
    },
  };
}
