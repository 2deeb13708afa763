import type { Item, ItemView } from '@stockverify/shared';
import type { BookView } from '../access/access-policy';

/**
 * What a reader may see of an item: stock rows only of warehouses the access policy allows (the
 * blind rule and the warehouse boundary), narrowed to `warehouse` when given.
 */
export function viewItem(item: Item, view: BookView, warehouse?: string): ItemView {
  if (view.kind === 'all') {
    return warehouse
      ? { ...item, stock: item.stock.filter((s) => s.warehouse === warehouse) }
      : item;
  }
  const { stock, ...rest } = item;
  const shown =
    view.kind === 'none'
      ? []
      : stock.filter(
          (s) => (warehouse === undefined || s.warehouse === warehouse) && view.allows(s.warehouse),
        );
  // A restricted reader with nothing to see gets no `stock` at all, not an empty list.
  return shown.length > 0 ? { ...rest, stock: shown } : rest;
}
