/**
 * The quantities pass of the ERP schedule on SQL Server: rows of (item_code, warehouse, rack,
 * stock_qty, updated_at) — the stock query names its columns so — grouped per item into
 * StockUpdates. An item whose rows carry no warehouse has no stock at all now (stock []).
 */
import type { StockQty } from '@stockverify/shared';
import type { StockUpdate } from '../../ports/erp';

export interface StockRowProblem {
  item_code: string | null;
  field: string | null;
  message: string;
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const s = (value instanceof Date ? value.toISOString() : String(value)).trim();
  return s === '' ? null : s;
}

function quantity(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return 0;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  return Number.isFinite(n) ? n : null;
}

function changedAt(value: unknown): number {
  const time =
    value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(time) ? 0 : time;
}

/** Groups consecutive rows of one item code; an item with contradicting rows is dropped. */
export class StockGrouper {
  private code: string | null = null;
  private rows = new Map<string, StockQty>();
  private latest = 0;
  private bad = false;

  constructor(private readonly report: (problem: StockRowProblem) => void) {}

  /** Feeds one row; returns the previous item's update when this row starts a new item. */
  push(row: Record<string, unknown>): StockUpdate | null {
    const code = text(row.item_code);
    if (code === null) {
      this.report({ item_code: null, field: 'item_code', message: 'required' });
      return null;
    }
    const finished = code === this.code ? null : this.flush();
    this.code = code;
    this.latest = Math.max(this.latest, changedAt(row.updated_at));
    const warehouse = text(row.warehouse);
    if (warehouse === null) return finished;
    const qty = quantity(row.stock_qty);
    if (qty === null) {
      this.report({ item_code: code, field: 'stock_qty', message: 'not a number' });
      this.bad = true;
      return finished;
    }
    const rack = text(row.rack);
    const key = `${warehouse}\u0000${rack ?? ''}`;
    const seen = this.rows.get(key);
    if (seen && seen.qty !== qty) {
      this.report({
        item_code: code,
        field: 'stock_qty',
        message: `${warehouse}${rack ? `/${rack}` : ''} has two quantities (${seen.qty} and ${qty})`,
      });
      this.bad = true;
    }
    this.rows.set(key, { warehouse, rack, qty });
    return finished;
  }

  /** The item being assembled, if any and if consistent. */
  flush(): StockUpdate | null {
    const code = this.code;
    const update: StockUpdate | null =
      code === null || this.bad
        ? null
        : {
            item_code: code,
            stock: [...this.rows.values()],
            updated_at: this.latest > 0 ? new Date(this.latest).toISOString() : null,
          };
    this.code = null;
    this.rows = new Map();
    this.latest = 0;
    this.bad = false;
    return update;
  }
}
