import type { Item, ItemView } from '@stockverify/shared';

/** What a reader may see of an item: book quantities go only where `showBookQty` allows. */
export function viewItem(item: Item, showBookQty: boolean, warehouse?: string): ItemView {
  if (!showBookQty) {
    const { stock: _stock, ...rest } = item;
    return rest;
  }
  return warehouse ? { ...item, stock: item.stock.filter((s) => s.warehouse === warehouse) } : item;
}
