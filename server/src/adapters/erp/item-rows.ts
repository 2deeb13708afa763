/**
 * Flat item-master rows (one per item × warehouse/rack × barcode, the shape both a spreadsheet
 * export and an ERP view naturally have) turned into Items. The file and mssql adapters share
 * this so a column means the same thing whichever way the data arrives.
 */
import {
  barcodeValueSchema,
  roundQty,
  uomAllowsDecimal,
  type BarcodeKind,
  type Item,
  type ItemBarcode,
  type StockQty,
  type Warehouse,
} from '@stockverify/shared';

/** Our column names; adapters map their source's headers or columns onto these. */
export const ITEM_FIELDS = [
  'item_code',
  'name',
  'category',
  'brand',
  'supplier',
  'uom',
  'price',
  'cost',
  'barcode',
  'manual_barcode',
  'pack_barcode',
  'pack_qty',
  'serialized',
  'batch_tracked',
  'active',
  'warehouse',
  'floor',
  'rack',
  'location_barcode',
  'stock_qty',
] as const;
export type ItemField = (typeof ITEM_FIELDS)[number];

/** What a cell can hold once the file or driver has decoded it. */
export type CellValue = string | number | boolean | Date | null | undefined;
export type RawItemRow = Partial<Record<ItemField, CellValue>>;

export interface FieldProblem {
  field: ItemField;
  message: string;
}

export interface ItemAttributes {
  name: string;
  category: string | null;
  brand: string | null;
  supplier: string | null;
  uom: string;
  price: number;
  cost: number;
  serialized: boolean;
  batch_tracked: boolean;
  active: boolean;
}
type AttributeKey = keyof ItemAttributes;

const ATTRIBUTE_DEFAULTS: Omit<ItemAttributes, 'name'> = {
  category: null,
  brand: null,
  supplier: null,
  uom: 'PCS',
  price: 0,
  cost: 0,
  serialized: false,
  batch_tracked: false,
  active: true,
};

export interface RowLocation {
  warehouse: string;
  floor: string | null;
  rack: string | null;
  location_barcode: string | null;
  qty: number;
}

/** One row, checked on its own; whether it fits the rest of its item is ItemDraft's job. */
export interface ItemRow {
  item_code: string;
  /** Only what the row states: a blank cell on a later row inherits the item's first row. */
  attributes: Partial<ItemAttributes> & { name: string };
  barcodes: ItemBarcode[];
  location: RowLocation | null;
}

export type RowReadResult = { ok: true; row: ItemRow } | { ok: false; problems: FieldProblem[] };

export interface ReadOptions {
  /** Accept "12,5" as 12.5: a `;`-separated file comes from a locale that writes decimals so. */
  decimalComma?: boolean;
}

/** Field a barcode of each kind comes from, so problems point at the column the user filled. */
export const BARCODE_FIELD: Record<BarcodeKind, ItemField> = {
  primary: 'barcode',
  manual: 'manual_barcode',
  pack: 'pack_barcode',
};

const MAX_LENGTH: Partial<Record<ItemField, number>> = {
  item_code: 64,
  name: 256,
  category: 128,
  brand: 128,
  supplier: 128,
  uom: 16,
  warehouse: 64,
  floor: 64,
  rack: 64,
  location_barcode: 128,
};

const TRUE_WORDS = new Set(['yes', 'y', 'true', '1', 't']);
const FALSE_WORDS = new Set(['no', 'n', 'false', '0', 'f']);
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const COMMA_DECIMAL = /^[+-]?\d+,\d+$/;

/** Reads cells field by field, collecting every problem so a user can fix a row in one go. */
class RowReader {
  readonly problems: FieldProblem[] = [];

  constructor(
    private readonly raw: RawItemRow,
    private readonly options: ReadOptions,
  ) {}

  value(field: ItemField): CellValue {
    return this.raw[field];
  }

  fail(field: ItemField, message: string): void {
    this.problems.push({ field, message });
  }

  text(field: ItemField): string | null {
    const value = this.value(field);
    if (value === null || value === undefined) return null;
    const s = (value instanceof Date ? value.toISOString() : String(value)).trim();
    if (s === '') return null;
    const max = MAX_LENGTH[field];
    if (max !== undefined && s.length > max) {
      this.fail(field, `must be at most ${max} characters`);
      return null;
    }
    return s;
  }

  required(field: ItemField): string | null {
    const s = this.text(field);
    if (s === null && !this.problems.some((p) => p.field === field)) this.fail(field, 'required');
    return s;
  }

  number(field: ItemField): number | null {
    const value = this.value(field);
    if (typeof value === 'number') {
      if (Number.isFinite(value)) return value;
      this.fail(field, 'must be a number');
      return null;
    }
    const s = this.text(field);
    if (s === null) return null;
    const parsed = parseNumber(s, this.options.decimalComma === true);
    if (parsed === null) this.fail(field, `must be a number, got "${s}"`);
    return parsed;
  }

  nonNegative(field: ItemField): number | null {
    const n = this.number(field);
    if (n !== null && n < 0) {
      this.fail(field, `must not be negative, got ${n}`);
      return null;
    }
    return n;
  }

  boolean(field: ItemField): boolean | null {
    const value = this.value(field);
    if (typeof value === 'boolean') return value;
    const s = this.text(field);
    if (s === null) return null;
    const word = s.toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    this.fail(field, `must be yes/no, true/false, y/n or 1/0, got "${s}"`);
    return null;
  }

  barcode(field: ItemField, code: string): boolean {
    const result = barcodeValueSchema.safeParse(code);
    if (!result.success) this.fail(field, `barcode "${code}": ${result.error.issues[0]?.message}`);
    return result.success;
  }
}

function parseNumber(s: string, decimalComma: boolean): number | null {
  const compact = s.replace(/\s+/g, '');
  if (PLAIN_NUMBER.test(compact)) return Number(compact);
  if (decimalComma && COMMA_DECIMAL.test(compact)) return Number(compact.replace(',', '.'));
  return null;
}

/** Splits a `|`-separated list cell, the way several pack barcodes share one column. */
function splitList(s: string | null): string[] {
  return s === null ? [] : s.split('|').map((part) => part.trim());
}

function readBarcodes(r: RowReader): ItemBarcode[] {
  const barcodes: ItemBarcode[] = [];
  const seen = new Map<string, ItemField>();
  const add = (field: ItemField, code: string, kind: BarcodeKind, packQty: number) => {
    if (!r.barcode(field, code)) return;
    const earlier = seen.get(code);
    if (earlier !== undefined) {
      r.fail(field, `barcode "${code}" is already given in ${earlier} on this row`);
      return;
    }
    seen.set(code, field);
    barcodes.push({ code, kind, pack_qty: packQty });
  };

  const primary = r.text('barcode');
  if (primary !== null) add('barcode', primary, 'primary', 1);
  const manual = r.text('manual_barcode');
  if (manual !== null) add('manual_barcode', manual, 'manual', 1);

  const packCodes = splitList(r.text('pack_barcode'));
  const rawQty = r.value('pack_qty');
  const packQtyCells =
    typeof rawQty === 'number' ? [String(rawQty)] : splitList(r.text('pack_qty'));
  if (packCodes.length === 0 && packQtyCells.length > 0) {
    r.fail('pack_qty', 'pack_qty given without a pack_barcode');
  } else if (packCodes.length !== packQtyCells.length) {
    r.fail(
      'pack_qty',
      `${packCodes.length} pack barcode(s) but ${packQtyCells.length} pack_qty value(s); give one pack_qty per pack barcode, separated by |`,
    );
  } else {
    packCodes.forEach((code, i) => {
      const qtyText = packQtyCells[i]!;
      const qty = parseNumber(qtyText, false);
      if (code === '') {
        r.fail('pack_barcode', 'empty pack barcode in the | list');
      } else if (qty === null || !Number.isInteger(qty) || qty < 1) {
        r.fail('pack_qty', `must be a positive whole number, got "${qtyText}"`);
      } else {
        add('pack_barcode', code, 'pack', qty);
      }
    });
  }
  return barcodes;
}

function readLocation(r: RowReader): RowLocation | null {
  const warehouse = r.text('warehouse');
  const floor = r.text('floor');
  const rack = r.text('rack');
  const locationBarcode = r.text('location_barcode');
  // Book quantities may be negative: ERPs oversell, and the count is what corrects that.
  const qty = r.number('stock_qty');
  if (locationBarcode !== null) r.barcode('location_barcode', locationBarcode);
  if (warehouse === null) {
    if (rack !== null) r.fail('warehouse', 'a rack needs a warehouse');
    else if (qty !== null) r.fail('warehouse', 'a stock quantity needs a warehouse');
    else if (floor !== null || locationBarcode !== null) {
      r.fail('warehouse', 'a floor or location barcode needs a warehouse and rack');
    }
    return null;
  }
  if (rack === null && (floor !== null || locationBarcode !== null)) {
    r.fail('rack', 'a floor or location barcode needs a rack');
  }
  return { warehouse, floor, rack, location_barcode: locationBarcode, qty: qty ?? 0 };
}

/** Checks one row on its own and returns it in our shape, or every problem found in it. */
export function readItemRow(raw: RawItemRow, options: ReadOptions = {}): RowReadResult {
  const r = new RowReader(raw, options);
  const itemCode = r.required('item_code');
  const name = r.required('name');
  const attributes: Partial<ItemAttributes> = {};
  const set = <K extends AttributeKey>(key: K, value: ItemAttributes[K] | null) => {
    if (value !== null) attributes[key] = value;
  };
  set('category', r.text('category'));
  set('brand', r.text('brand'));
  set('supplier', r.text('supplier'));
  // Upper-cased so "Pcs" on one row and "PCS" on the next are the same unit, not a conflict.
  set('uom', r.text('uom')?.toUpperCase() ?? null);
  set('price', r.nonNegative('price'));
  set('cost', r.nonNegative('cost'));
  set('serialized', r.boolean('serialized'));
  set('batch_tracked', r.boolean('batch_tracked'));
  set('active', r.boolean('active'));
  const barcodes = readBarcodes(r);
  const location = readLocation(r);
  if (r.problems.length > 0 || itemCode === null || name === null) {
    return { ok: false, problems: r.problems };
  }
  return {
    ok: true,
    row: { item_code: itemCode, attributes: { ...attributes, name }, barcodes, location },
  };
}

function stockKey(warehouse: string, rack: string | null): string {
  return `${warehouse}\u0000${rack ?? ''}`;
}

function quote(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/**
 * One item being assembled from its rows. The first row fixes the attributes (blanks take the
 * defaults); later rows may add stock and barcodes, and must agree on any attribute they state.
 * `check` never changes anything, so a rejected row leaves the item as it was.
 */
export class ItemDraft {
  private readonly attributes: ItemAttributes;
  private readonly barcodes = new Map<string, ItemBarcode>();
  private readonly stock = new Map<string, StockQty>();

  /** `origin` names the first row in messages ("row 2"), since the user fixes rows, not items. */
  constructor(
    first: ItemRow,
    private readonly origin: string,
  ) {
    this.item_code = first.item_code;
    this.attributes = { ...ATTRIBUTE_DEFAULTS, ...first.attributes };
  }

  readonly item_code: string;

  get decimalQty(): boolean {
    return uomAllowsDecimal(this.attributes.uom);
  }

  /** Whether the item already carries this code (any kind). */
  hasBarcode(code: string): boolean {
    return this.barcodes.has(code);
  }

  /** Problems merging `row` into this item would cause. */
  check(row: ItemRow): FieldProblem[] {
    const problems: FieldProblem[] = [];
    for (const key of Object.keys(row.attributes) as AttributeKey[]) {
      const value = row.attributes[key];
      if (value !== undefined && value !== this.attributes[key]) {
        problems.push({
          field: key,
          message: `${quote(value)} disagrees with ${this.origin} of item ${this.item_code} (${quote(this.attributes[key])})`,
        });
      }
    }
    for (const barcode of row.barcodes) {
      const existing = this.barcodes.get(barcode.code);
      if (existing && (existing.kind !== barcode.kind || existing.pack_qty !== barcode.pack_qty)) {
        problems.push({
          field: BARCODE_FIELD[barcode.kind],
          message: `barcode "${barcode.code}" is already this item's ${existing.kind} barcode (pack_qty ${existing.pack_qty})`,
        });
      }
    }
    const location = row.location;
    if (location) {
      if (!this.decimalQty && !Number.isInteger(location.qty)) {
        problems.push({
          field: 'stock_qty',
          message: `must be a whole number for uom ${this.attributes.uom}, got ${location.qty}`,
        });
      }
      const existing = this.stock.get(stockKey(location.warehouse, location.rack));
      if (existing && existing.qty !== this.qtyOf(location)) {
        const where = location.rack ? `${location.warehouse}/${location.rack}` : location.warehouse;
        problems.push({
          field: 'stock_qty',
          message: `stock for ${where} is already given as ${existing.qty}`,
        });
      }
    }
    return problems;
  }

  /** Adds the row's barcodes and stock; call only after `check` found nothing. */
  commit(row: ItemRow): void {
    for (const barcode of row.barcodes) {
      if (!this.barcodes.has(barcode.code)) this.barcodes.set(barcode.code, barcode);
    }
    const location = row.location;
    if (location) {
      const key = stockKey(location.warehouse, location.rack);
      // The same warehouse/rack with the same quantity is one stock line repeated (a row added
      // to list another barcode, or a joined ERP view), not a second lot to add up.
      if (!this.stock.has(key)) {
        this.stock.set(key, {
          warehouse: location.warehouse,
          rack: location.rack,
          qty: this.qtyOf(location),
        });
      }
    }
  }

  /** The assembled item. */
  toItem(updatedAt: string): Item {
    const a = this.attributes;
    return {
      item_code: this.item_code,
      name: a.name,
      category: a.category,
      brand: a.brand,
      supplier: a.supplier,
      uom: a.uom,
      decimal_qty: uomAllowsDecimal(a.uom),
      price: a.price,
      cost: a.cost,
      serialized: a.serialized,
      batch_tracked: a.batch_tracked,
      barcodes: [...this.barcodes.values()],
      stock: [...this.stock.values()],
      active: a.active,
      updated_at: updatedAt,
    };
  }

  private qtyOf(location: RowLocation): number {
    // Spreadsheets store 2.3 as 2.2999999999999998; keep the precision counts use.
    return this.decimalQty ? roundQty(location.qty) : location.qty;
  }
}

interface RackEntry {
  floor: string | null;
  location_barcode: string | null;
}

/** A warehouse whose rows name no floor is one level; its racks go on this floor. */
export const DEFAULT_FLOOR = { code: 'GF', name: 'Ground floor' } as const;

/** Warehouses, floors and racks named by item rows, with a rack's floor and label kept consistent. */
export class LocationRegistry {
  private readonly warehouses = new Map<string, Map<string, RackEntry>>();

  /** Problems recording `location` would cause: a rack moving floor or changing its label. */
  check(location: RowLocation): FieldProblem[] {
    if (location.rack === null) return [];
    const existing = this.warehouses.get(location.warehouse)?.get(location.rack);
    if (!existing) return [];
    const problems: FieldProblem[] = [];
    const where = `rack ${location.warehouse}/${location.rack}`;
    if (location.floor !== null && existing.floor !== null && location.floor !== existing.floor) {
      problems.push({ field: 'floor', message: `${where} is already on floor ${existing.floor}` });
    }
    if (
      location.location_barcode !== null &&
      existing.location_barcode !== null &&
      location.location_barcode !== existing.location_barcode
    ) {
      problems.push({
        field: 'location_barcode',
        message: `${where} already has location barcode "${existing.location_barcode}"`,
      });
    }
    return problems;
  }

  /** Records the warehouse and rack; a later row may fill in a floor or label left blank before. */
  commit(location: RowLocation): void {
    let racks = this.warehouses.get(location.warehouse);
    if (!racks) {
      racks = new Map();
      this.warehouses.set(location.warehouse, racks);
    }
    if (location.rack === null) return;
    const existing = racks.get(location.rack);
    racks.set(location.rack, {
      floor: existing?.floor ?? location.floor,
      location_barcode: existing?.location_barcode ?? location.location_barcode,
    });
  }

  /** Warehouses in first-seen order, floors in first-seen order, racks sorted naturally. */
  toWarehouses(): Warehouse[] {
    const collator = new Intl.Collator('en', { numeric: true });
    return [...this.warehouses].map(([id, racks]) => {
      const floors: string[] = [];
      for (const entry of racks.values()) {
        const floor = entry.floor ?? DEFAULT_FLOOR.code;
        if (!floors.includes(floor)) floors.push(floor);
      }
      return {
        id,
        name: id,
        floors: floors.map((code) => ({
          code,
          name: code === DEFAULT_FLOOR.code ? DEFAULT_FLOOR.name : code,
        })),
        racks: [...racks]
          .map(([code, entry]) => ({
            code,
            floor: entry.floor ?? DEFAULT_FLOOR.code,
            location_barcode: entry.location_barcode,
          }))
          .sort((a, b) => collator.compare(a.code, b.code)),
      };
    });
  }
}
