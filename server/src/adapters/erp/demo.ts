/**
 * Demo ErpSource: a generated, realistic hardware-store item master so `npm start` works with no
 * ERP (design §3). Deterministic: the same seed gives the same items, byte for byte, because all
 * randomness comes from a seeded PRNG and `updated_at` counts back from a fixed epoch. Barcodes
 * are derived from the item's index through bijections, so they are unique by construction.
 */
import {
  uomAllowsDecimal,
  type ErpMovement,
  type Item,
  type ItemBarcode,
  type StockQty,
  type Warehouse,
} from '@stockverify/shared';
import { mulberry32 } from '../../lib/mulberry32';
import type { ErpSource, FetchItemsOptions } from '../../ports/erp';
import { batchSizeOf, chunk } from './batches';
import { DemoLedger } from './demo-movements';
import {
  DEMO_GS1_PREFIXES,
  DEMO_LINE_SUFFIXES,
  DEMO_PRODUCTS,
  DEMO_SUPPLIERS,
  type DemoProduct,
} from './demo-catalog';

export interface DemoErpOptions {
  /** Items to generate (default 6,000; at most 1,000,000). */
  itemCount?: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** `updated_at` values count back from this instead of the fixed DEMO_EPOCH. */
  now?: () => Date;
  /**
   * Racks per aisle in the demo warehouses (default 20: WH-MAIN 6 aisles = 120 racks, WH-NORTH
   * 60; at most 999). Larger values give a large-warehouse demo (167: 1,002 racks in WH-MAIN).
   */
  racksPerAisle?: number;
  /**
   * Picks and receipts per minute while movements are read (issue #17; default 0 = a still
   * warehouse). Each moves the demo's own book quantity: `fetchItems` shows the moved stock.
   */
  movementsPerMinute?: number;
  /** The warehouse stands still after this many movements (default 0: it never stops). */
  movementsTotal?: number;
  /** The movements' clock (default the real one); `now` above only dates the generated items. */
  clock?: () => Date;
  /** At most this much idle time between two reads becomes movements (default 2 minutes). */
  movementCatchUpMs?: number;
}

/** Known codes of each kind in a generated dataset, for tests that need a real scan. */
export interface DemoSamples {
  /** An EAN-13 primary barcode and its item. */
  ean13: { code: string; item_code: string };
  /** A Code128-style alphanumeric primary barcode. */
  code128: { code: string; item_code: string };
  manual: { code: string; item_code: string };
  pack: { code: string; item_code: string; pack_qty: number };
  serialized: { code: string; item_code: string };
  batchTracked: { code: string; item_code: string };
  /** An item counted in a decimal unit (KG, L, M). */
  decimal: { code: string; item_code: string; uom: string };
  inactive: { code: string; item_code: string } | null;
}

export interface DemoErpSource extends ErpSource {
  readonly kind: 'demo';
  /** Every item as the demo's book holds it now (moved by its movements); treat as read-only. */
  items(): readonly Item[];
  samples(): DemoSamples;
  /** The movements this run posted, oldest first (tests). */
  movements(): readonly ErpMovement[];
}

export const DEFAULT_DEMO_ITEM_COUNT = 6000;
export const MAX_DEMO_ITEM_COUNT = 1_000_000;
export const DEFAULT_DEMO_RACKS_PER_AISLE = 20;
export const MAX_DEMO_RACKS_PER_AISLE = 999;
/** `updated_at` of the demo items lies in the 180 days before this instant. */
export const DEMO_EPOCH = new Date('2025-01-01T00:00:00.000Z');

const FLOOR_NAMES: Record<string, string> = {
  GF: 'Ground Floor',
  F1: 'First Floor',
  F2: 'Second Floor',
};

function buildWarehouse(
  id: string,
  name: string,
  aislesByFloor: Record<string, string[]>,
  racksPerAisle: number,
): Warehouse {
  // Two digits as always; three when an aisle holds more than 99 racks.
  const width = Math.max(2, String(racksPerAisle).length);
  const racks = Object.entries(aislesByFloor).flatMap(([floor, aisles]) =>
    aisles.flatMap((aisle) =>
      Array.from({ length: racksPerAisle }, (_, i) => {
        const code = `${aisle}-${String(i + 1).padStart(width, '0')}`;
        return { code, floor, location_barcode: `LOC-${id}-${code}` };
      }),
    ),
  );
  const floors = Object.keys(aislesByFloor).map((code) => ({ code, name: FLOOR_NAMES[code]! }));
  return { id, name, floors, racks };
}

/** The demo's locations with `racksPerAisle` racks in each aisle (WH-MAIN aisles A–F, WH-NORTH A–C). */
export function demoWarehouses(racksPerAisle = DEFAULT_DEMO_RACKS_PER_AISLE): Warehouse[] {
  if (
    !Number.isInteger(racksPerAisle) ||
    racksPerAisle < 1 ||
    racksPerAisle > MAX_DEMO_RACKS_PER_AISLE
  ) {
    throw new RangeError(
      `racksPerAisle must be a whole number from 1 to ${MAX_DEMO_RACKS_PER_AISLE}`,
    );
  }
  return [
    buildWarehouse(
      'WH-MAIN',
      'Main Warehouse',
      { GF: ['A', 'B'], F1: ['C', 'D'], F2: ['E', 'F'] },
      racksPerAisle,
    ),
    buildWarehouse('WH-NORTH', 'North Depot', { GF: ['A', 'B'], F1: ['C'] }, racksPerAisle),
  ];
}

/** The demo's default locations: racks A-01…F-20 in WH-MAIN, A-01…C-20 in WH-NORTH. */
export const DEMO_WAREHOUSES: readonly Warehouse[] = demoWarehouses();

/** GS1 mod-10 check digit for a body (EAN-13 body is 12 digits, GTIN-14 body 13). */
export function gs1CheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const d = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return String((10 - (sum % 10)) % 10);
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const round3 = (n: number) => Math.round(n * 1000) / 1000;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** One brand × product × variant × size, with everything about it computed once. */
interface Combo {
  product: DemoProduct;
  brand: string;
  baseName: string;
  sizeIndex: number;
  decimal: boolean;
  gs1Prefix: string;
  maker: string;
  supplier: string;
}

/** Every brand × variant × size of every product, in a seeded shuffled order. */
function shuffledCombos(rand: () => number): Combo[] {
  const combos: Combo[] = [];
  for (const product of DEMO_PRODUCTS) {
    const decimal = uomAllowsDecimal(product.uom);
    const suppliers = DEMO_SUPPLIERS[product.category] ?? ['Demo Supplier'];
    for (const brand of product.brands) {
      const brandHash = hashString(brand);
      for (const variant of product.variants) {
        product.sizes.forEach((size, sizeIndex) => {
          combos.push({
            product,
            brand,
            baseName: [brand, product.product, variant, size].filter(Boolean).join(' '),
            sizeIndex,
            decimal,
            // A brand is a company: its GTINs share one company prefix.
            gs1Prefix: DEMO_GS1_PREFIXES[brandHash % DEMO_GS1_PREFIXES.length]!,
            maker: brand
              .replace(/[^A-Za-z0-9]/g, '')
              .slice(0, 3)
              .toUpperCase(),
            supplier: suppliers[brandHash % suppliers.length]!,
          });
        });
      }
    }
  }
  for (let i = combos.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [combos[i], combos[j]] = [combos[j]!, combos[i]!];
  }
  return combos;
}

function lineSuffix(round: number): string {
  if (round === 0) return '';
  return DEMO_LINE_SUFFIXES[round - 1] ?? `Series ${round - DEMO_LINE_SUFFIXES.length + 1}`;
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

const PACK_SIZES = [6, 12, 24] as const;

/**
 * Builds item after item from one PRNG stream. Item i depends only on the seed and i (never on
 * the count), so a 6,000-item dataset is the first 6,000 items of a 100,000-item one. Methods
 * rather than per-item closures: this runs 100,000 times in the benchmark.
 */
class DemoGenerator {
  private readonly rand: () => number;
  private readonly combos: Combo[];
  private readonly offset9: number;
  private readonly offset10: number;

  constructor(
    seed: number,
    private readonly epoch: number,
    private readonly main: Warehouse,
    private readonly north: Warehouse,
  ) {
    this.rand = mulberry32(seed);
    this.combos = shuffledCombos(mulberry32(seed ^ 0x9e3779b9));
    // Offsets into bijections i → (i·k + offset) mod 10^n (k coprime to 10^n): distinct indexes
    // give distinct numbers, so barcodes never collide and need no uniqueness bookkeeping.
    this.offset9 = Math.floor(this.rand() * 1e9);
    this.offset10 = Math.floor(this.rand() * 1e10);
  }

  item(i: number): Item {
    const rand = this.rand;
    const combo = this.combos[i % this.combos.length]!;
    const { product, sizeIndex, decimal } = combo;
    const suffix = lineSuffix(Math.floor(i / this.combos.length));
    const [lo, hi] = product.price;
    const price = Math.max(0.05, round2((lo + (hi - lo) * rand()) * (1 + 0.6 * sizeIndex)));
    const cost = Math.min(round2(price * (0.55 + 0.25 * rand())), round2(price - 0.01));
    const serialized = product.serialized === true && rand() < 0.4;
    const batchTracked = product.batch === true && rand() < 0.7;
    const barcodes = this.barcodes(i, combo);
    const stock = this.stock(decimal, serialized);
    const minutesAgo = Math.floor(rand() * 180 * 24 * 60);
    return {
      item_code: `IT${pad(i + 1, 6)}`,
      name: suffix === '' ? combo.baseName : `${combo.baseName} ${suffix}`,
      category: product.category,
      brand: combo.brand,
      supplier: combo.supplier,
      uom: product.uom,
      decimal_qty: decimal,
      price,
      cost,
      serialized,
      batch_tracked: batchTracked,
      barcodes,
      stock,
      active: rand() >= 0.01,
      updated_at: new Date(this.epoch - minutesAgo * 60_000).toISOString(),
    };
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.rand() * list.length)]!;
  }

  private barcodes(i: number, combo: Combo): ItemBarcode[] {
    const rand = this.rand;
    let primary: string;
    if (rand() < 0.92) {
      const body = combo.gs1Prefix + pad((i * 7_919_813 + this.offset9) % 1e9, 9);
      primary = body + gs1CheckDigit(body);
    } else {
      primary = `${combo.product.abbrev}-${combo.maker}-${pad(i + 1, 6)}`;
    }
    const barcodes: ItemBarcode[] = [{ code: primary, kind: 'primary', pack_qty: 1 }];
    if (rand() < 0.15) barcodes.push({ code: `M${pad(i + 1, 7)}`, kind: 'manual', pack_qty: 1 });
    // Packs only for counted units: a "pack of 6" of a loose KG item means nothing.
    if (combo.decimal || rand() >= 0.115) return barcodes;
    const packQty = this.pick(PACK_SIZES);
    if (primary.length === 13) {
      // A case of a GTIN-13 item carries a GTIN-14 (ITF-14): indicator digit + the item's
      // first 12 digits + a new check digit; indicator 2 marks the bigger outer carton.
      const inner = `1${primary.slice(0, 12)}`;
      barcodes.push({ code: inner + gs1CheckDigit(inner), kind: 'pack', pack_qty: packQty });
      if (rand() < 0.25) {
        const outer = `2${primary.slice(0, 12)}`;
        barcodes.push({ code: outer + gs1CheckDigit(outer), kind: 'pack', pack_qty: packQty * 4 });
      }
    } else {
      // Items without a GTIN get an in-store EAN-13 from the restricted-circulation 29 range.
      const body = `29${pad((i * 1_000_003 + this.offset10) % 1e10, 10)}`;
      barcodes.push({ code: body + gs1CheckDigit(body), kind: 'pack', pack_qty: packQty });
    }
    return barcodes;
  }

  private quantity(decimal: boolean, serialized: boolean): number {
    const r = this.rand();
    if (decimal) return round3(r * 400);
    // Serialized stock is a handful of units; other stock skews small with a long tail.
    return serialized ? Math.floor(r * 21) : Math.floor(r * r * 500);
  }

  private stock(decimal: boolean, serialized: boolean): StockQty[] {
    const rand = this.rand;
    const stock: StockQty[] = [];
    const inMain = rand() < 0.9;
    const inNorth = rand() < 0.5 || !inMain;
    const { main: MAIN, north: NORTH } = this;
    if (inMain) {
      const rack = this.pick(MAIN.racks).code;
      stock.push({ warehouse: MAIN.id, rack, qty: this.quantity(decimal, serialized) });
      if (rand() < 0.1) {
        const overflow = this.pick(MAIN.racks).code;
        if (overflow !== rack) {
          stock.push({
            warehouse: MAIN.id,
            rack: overflow,
            qty: this.quantity(decimal, serialized),
          });
        }
      }
    }
    if (inNorth) {
      const rack = this.pick(NORTH.racks).code;
      stock.push({ warehouse: NORTH.id, rack, qty: this.quantity(decimal, serialized) });
    }
    return stock;
  }
}

/** Generates the demo item master; pure and deterministic for a given seed and epoch. */
export function generateDemoItems(options: DemoErpOptions = {}): Item[] {
  const count = options.itemCount ?? DEFAULT_DEMO_ITEM_COUNT;
  if (!Number.isInteger(count) || count < 0 || count > MAX_DEMO_ITEM_COUNT) {
    throw new RangeError(`itemCount must be a whole number from 0 to ${MAX_DEMO_ITEM_COUNT}`);
  }
  const [main, north] = demoWarehouses(options.racksPerAisle);
  const generator = new DemoGenerator(
    options.seed ?? 1,
    (options.now?.() ?? DEMO_EPOCH).getTime(),
    main!,
    north!,
  );
  const items: Item[] = new Array(count);
  for (let i = 0; i < count; i++) items[i] = generator.item(i);
  return items;
}

function findSamples(items: readonly Item[]): DemoSamples {
  const first = (test: (item: Item) => boolean, kind: ItemBarcode['kind'] = 'primary') => {
    for (const item of items) {
      const barcode = item.barcodes.find((b) => b.kind === kind);
      if (barcode && item.active && test(item)) return { item, barcode };
    }
    throw new Error(`the demo dataset is too small to hold a ${kind} barcode sample`);
  };
  const ref = (found: { item: Item; barcode: ItemBarcode }) => ({
    code: found.barcode.code,
    item_code: found.item.item_code,
  });
  const pack = first(() => true, 'pack');
  const decimal = first((item) => item.decimal_qty);
  const inactive = items.find((item) => !item.active);
  return {
    ean13: ref(first((item) => /^\d{13}$/.test(item.barcodes[0]!.code))),
    code128: ref(first((item) => /[A-Z]/.test(item.barcodes[0]!.code))),
    manual: ref(first(() => true, 'manual')),
    pack: { ...ref(pack), pack_qty: pack.barcode.pack_qty },
    serialized: ref(first((item) => item.serialized)),
    batchTracked: ref(first((item) => item.batch_tracked)),
    decimal: { ...ref(decimal), uom: decimal.item.uom },
    inactive: inactive ? { code: inactive.barcodes[0]!.code, item_code: inactive.item_code } : null,
  };
}

/** Demo ErpSource over a generated dataset (default 6,000 items in WH-MAIN and WH-NORTH). */
export function createDemoErpSource(options: DemoErpOptions = {}): DemoErpSource {
  const warehouses = demoWarehouses(options.racksPerAisle);
  let items: Item[] | null = null;
  let byBarcode: Map<string, number> | null = null;
  let samples: DemoSamples | null = null;
  // Generated on first use so building the app (and tests that never touch the ERP) stay fast.
  const all = () => (items ??= generateDemoItems(options));
  // Movements replace items in place (by index), so lookups and passes see the moved book.
  const ledger = new DemoLedger(
    {
      count: () => all().length,
      get: (index) => all()[index]!,
      set: (index, item) => {
        all()[index] = item;
      },
    },
    {
      perMinute: options.movementsPerMinute ?? 0,
      total: options.movementsTotal ?? 0,
      seed: options.seed ?? 1,
      now: options.clock ?? (() => new Date()),
      maxCatchUpMs: options.movementCatchUpMs,
    },
  );

  return {
    kind: 'demo',
    items: all,
    samples: () => (samples ??= findSamples(all())),
    movements: () => ledger.all(),
    async *fetchItems(fetchOptions?: FetchItemsOptions) {
      const size = batchSizeOf(fetchOptions);
      const since = fetchOptions?.since?.getTime();
      const list =
        since === undefined ? all() : all().filter((i) => Date.parse(i.updated_at) > since);
      yield* chunk([...list], size);
    },
    async countItems(countOptions?: Pick<FetchItemsOptions, 'since'>) {
      const since = countOptions?.since?.getTime();
      if (since === undefined) return all().length;
      return all().filter((i) => Date.parse(i.updated_at) > since).length;
    },
    async fetchMovements(since, page) {
      return ledger.page(since, page);
    },
    async currentWatermark() {
      return ledger.current();
    },
    async fetchWarehouses() {
      return structuredClone(warehouses);
    },
    async findByBarcode(code: string) {
      const list = all();
      if (!byBarcode) {
        byBarcode = new Map();
        list.forEach((item, index) => {
          for (const b of item.barcodes) byBarcode!.set(b.code, index);
        });
      }
      const index = byBarcode.get(code.trim());
      return index === undefined ? null : list[index]!;
    },
    async ping() {},
    async close() {},
  };
}
