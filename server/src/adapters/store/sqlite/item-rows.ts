/** Mapping between an Item and its rows in items, item_barcodes and item_stock. */
import type { BarcodeKind, Item, ItemBarcode, StockQty } from '@stockverify/shared';
import { toFlag } from './database';

/** An `items` row as bound and as read (flags are 0/1; lower-cased copies serve prefix search). */
export interface ItemRow {
  item_code: string;
  item_code_lower: string;
  name: string;
  name_lower: string;
  category: string | null;
  brand: string | null;
  supplier: string | null;
  uom: string;
  decimal_qty: number;
  price: number;
  cost: number;
  serialized: number;
  batch_tracked: number;
  active: number;
  updated_at: string;
}

export interface BarcodeRow {
  item_code: string;
  code: string;
  kind: BarcodeKind;
  pack_qty: number;
}

export interface StockRow {
  item_code: string;
  warehouse: string;
  rack: string | null;
  qty: number;
}

export const ITEM_COLUMNS = `item_code, item_code_lower, name, name_lower, category, brand,
  supplier, uom, decimal_qty, price, cost, serialized, batch_tracked, active, updated_at`;

/** The `items` row of an item. */
export function toItemRow(item: Item): ItemRow {
  return {
    item_code: item.item_code,
    item_code_lower: item.item_code.toLowerCase(),
    name: item.name,
    name_lower: item.name.toLowerCase(),
    category: item.category,
    brand: item.brand,
    supplier: item.supplier,
    uom: item.uom,
    decimal_qty: toFlag(item.decimal_qty),
    price: item.price,
    cost: item.cost,
    serialized: toFlag(item.serialized),
    batch_tracked: toFlag(item.batch_tracked),
    active: toFlag(item.active),
    updated_at: item.updated_at,
  };
}

/** The barcode part of a barcode row. */
export function toBarcode(row: BarcodeRow): ItemBarcode {
  return { code: row.code, kind: row.kind, pack_qty: row.pack_qty };
}

function toStock(row: StockRow): StockQty {
  return { warehouse: row.warehouse, rack: row.rack, qty: row.qty };
}

function groupByItem<R extends { item_code: string }>(rows: readonly R[]): Map<string, R[]> {
  const groups = new Map<string, R[]>();
  for (const row of rows) {
    const group = groups.get(row.item_code);
    if (group) group.push(row);
    else groups.set(row.item_code, [row]);
  }
  return groups;
}

/** Rebuilds items (in the order of `rows`) from their rows and child rows in stored order. */
export function assembleItems(
  rows: readonly ItemRow[],
  barcodes: readonly BarcodeRow[],
  stock: readonly StockRow[],
): Item[] {
  const barcodesByItem = groupByItem(barcodes);
  const stockByItem = groupByItem(stock);
  return rows.map((row) => ({
    item_code: row.item_code,
    name: row.name,
    category: row.category,
    brand: row.brand,
    supplier: row.supplier,
    uom: row.uom,
    decimal_qty: row.decimal_qty === 1,
    price: row.price,
    cost: row.cost,
    serialized: row.serialized === 1,
    batch_tracked: row.batch_tracked === 1,
    barcodes: (barcodesByItem.get(row.item_code) ?? []).map(toBarcode),
    stock: (stockByItem.get(row.item_code) ?? []).map(toStock),
    active: row.active === 1,
    updated_at: row.updated_at,
  }));
}
