import { z } from 'zod';
import { isoInstantSchema } from './envelope';

export const BARCODE_KINDS = ['primary', 'manual', 'pack'] as const;
export const barcodeKindSchema = z.enum(BARCODE_KINDS);
export type BarcodeKind = z.infer<typeof barcodeKindSchema>;

/** A scannable code is printable ASCII without spaces at either end; GS1 FNC1 arrives as GS (0x1D). */
export const barcodeValueSchema = z
  .string()
  .trim()
  .min(1, 'required')
  .max(128, 'at most 128 characters')
  // eslint-disable-next-line no-control-regex -- GS (0x1d) is the GS1 FNC1 separator, allowed on purpose
  .regex(/^[\x1d\x20-\x7e]+$/, 'printable ASCII only');

export const itemBarcodeSchema = z.object({
  code: barcodeValueSchema,
  kind: barcodeKindSchema,
  /** Units in one scan of this code: 1 for primary/manual, the pack size for a pack barcode. */
  pack_qty: z.number().int().positive(),
});
export type ItemBarcode = z.infer<typeof itemBarcodeSchema>;

/** Book quantity the ERP holds for an item in one warehouse (and rack, where the ERP knows it). */
export const stockQtySchema = z.object({
  warehouse: z.string().min(1),
  rack: z.string().nullable(),
  qty: z.number().finite(),
});
export type StockQty = z.infer<typeof stockQtySchema>;

export const itemCodeSchema = z.string().trim().min(1, 'required').max(64);

/** The ERP golden record as mirrored by the server (design §4 "Item"). */
export const itemSchema = z.object({
  item_code: itemCodeSchema,
  name: z.string().trim().min(1, 'required').max(256),
  category: z.string().max(128).nullable(),
  brand: z.string().max(128).nullable(),
  supplier: z.string().max(128).nullable(),
  uom: z.string().trim().min(1).max(16),
  /** True when the unit of measure allows fractional quantities (kg, litre, metre…). */
  decimal_qty: z.boolean(),
  price: z.number().finite().min(0),
  cost: z.number().finite().min(0),
  serialized: z.boolean(),
  batch_tracked: z.boolean(),
  barcodes: z.array(itemBarcodeSchema),
  stock: z.array(stockQtySchema),
  active: z.boolean(),
  updated_at: z.string(),
});
export type Item = z.infer<typeof itemSchema>;

/** An item as a given reader may see it: book quantities are withheld in blind contexts. */
export const itemViewSchema = itemSchema
  .omit({ stock: true })
  .extend({ stock: z.array(stockQtySchema).optional() });
export type ItemView = z.infer<typeof itemViewSchema>;

/** Parsed GS1 element string (AI 01/02/10/17/21/30/37). */
export const gs1DataSchema = z.object({
  gtin: z.string().optional(),
  content_gtin: z.string().optional(),
  batch: z.string().optional(),
  expiry: z.string().optional(),
  serial: z.string().optional(),
  count: z.number().optional(),
});
export type Gs1Data = z.infer<typeof gs1DataSchema>;

/** Answer of `GET /items/barcode/:code`. */
export const barcodeLookupSchema = z.object({
  item: itemViewSchema,
  matched_barcode: z.string(),
  barcode_kind: barcodeKindSchema,
  pack_qty: z.number(),
  gs1: gs1DataSchema.nullable(),
  source: z.enum(['cache', 'store', 'erp']),
});
export type BarcodeLookup = z.infer<typeof barcodeLookupSchema>;

export const searchQuerySchema = z.object({
  q: z.string().trim().min(1, 'required').max(128),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  session: z.string().max(64).optional(),
});

export const lookupQuerySchema = z.object({
  session: z.string().max(64).optional(),
});

export const exportQuerySchema = z.object({
  warehouse: z.string().trim().min(1).max(64).optional(),
  since: isoInstantSchema.optional(),
  session: z.string().max(64).optional(),
  format: z.enum(['ndjson', 'json']).default('ndjson'),
  cursor: z.string().max(128).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});

export const SEARCH_MATCH_KINDS = ['exact_barcode', 'exact_code', 'prefix', 'fuzzy'] as const;
export type SearchMatchKind = (typeof SEARCH_MATCH_KINDS)[number];

/** One hit of `GET /items/search`: the item, how it matched, and its rank score. */
export const searchHitSchema = z.object({
  item: itemViewSchema,
  match: z.enum(SEARCH_MATCH_KINDS),
  score: z.number(),
});
export type SearchHit = z.infer<typeof searchHitSchema>;

/** `GET /items/search`: the hits, best first. */
export const itemSearchSchema = z.object({ items: z.array(searchHitSchema) });
export type ItemSearch = z.infer<typeof itemSearchSchema>;

export const rackSchema = z.object({
  code: z.string().min(1).max(64),
  floor: z.string().min(1).max(64),
  location_barcode: z.string().nullable(),
});
export type Rack = z.infer<typeof rackSchema>;

export const warehouseSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(128),
  floors: z.array(z.object({ code: z.string(), name: z.string() })),
  racks: z.array(rackSchema),
});
export type Warehouse = z.infer<typeof warehouseSchema>;

/** Where the item master comes from. */
export const ERP_SOURCE_KINDS = ['demo', 'file', 'mssql'] as const;

/** The ERP circuit breaker: `open` = calls refused for a while after failures (design §5). */
export const CIRCUIT_STATES = ['closed', 'open', 'half-open'] as const;

/** Progress of an items pass (the first mirror of a large master takes a while). */
export const erpMirrorProgressSchema = z.object({
  /** True while the pass runs; false once finished, failed or interrupted. */
  running: z.boolean(),
  /** Whole master (true) or only the items changed since the last pass. */
  full: z.boolean(),
  started_at: z.string(),
  /** Null while running, or when the process stopped before finishing (see `interrupted`). */
  finished_at: z.string().nullable(),
  items_done: z.number(),
  /** Null when the source cannot count its items ahead. */
  items_total: z.number().nullable(),
  /** The pass stopped without finishing: the process ended, or no progress for 5 minutes. */
  interrupted: z.boolean(),
  error: z.string().nullable(),
});
export type ErpMirrorProgress = z.infer<typeof erpMirrorProgressSchema>;

/** One scheduled mirror pass as `/erp/status` shows it. */
export const erpPassStatusSchema = z.object({
  last_started_at: z.string().nullable(),
  last_finished_at: z.string().nullable(),
  last_success_started_at: z.string().nullable(),
  last_error: z.string().nullable(),
  next_due_at: z.string().nullable(),
});
export type ErpPassStatus = z.infer<typeof erpPassStatusSchema>;

/** The scheduled mirror passes: quantities, new items, the nightly full pass. */
export const ERP_SYNC_PASSES = ['quantities', 'items', 'full'] as const;

/** The mirror schedule: its settings and every pass. */
export const erpScheduleSchema = z.object({
  settings: z.object({ qtyMinutes: z.number(), itemMinutes: z.number(), fullAt: z.string() }),
  passes: z.record(z.enum(ERP_SYNC_PASSES), erpPassStatusSchema),
});
export type ErpSchedule = z.infer<typeof erpScheduleSchema>;

/** The ERP movement pull (issue #17) as `/erp/status` shows it. */
export const erpMovementStatusSchema = z.object({
  /** The last ledger watermark pulled; null before the first movement. */
  watermark: z.string().nullable(),
  last_pull_at: z.string().nullable(),
  /** The newest posted_at among the stored movements. */
  newest_posted_at: z.string().nullable(),
  /** Now − newest_posted_at (ms): how far the stored ledger trails; null before the first. */
  lag_ms: z.number().nullable(),
  /** Movements stored. */
  count: z.number(),
  /** Pull interval (ms; 0 = off); null before a pull ran. */
  interval_ms: z.number().nullable(),
  /** The ledger watermark the mirror's book includes (what new sessions record). */
  mirror_watermark: z.string().nullable(),
  last_result: z
    .object({
      pages: z.number(),
      received: z.number(),
      inserted: z.number(),
      more: z.boolean(),
      duration_ms: z.number(),
    })
    .nullable(),
  last_error: z.string().nullable(),
  last_error_at: z.string().nullable(),
});
export type ErpMovementStatus = z.infer<typeof erpMovementStatusSchema>;

/** Status of the ERP mirror, `GET /erp/status`. */
export const erpStatusSchema = z.object({
  source: z.enum(ERP_SOURCE_KINDS),
  last_sync_at: z.string().nullable(),
  last_success_at: z.string().nullable(),
  last_error: z.string().nullable(),
  last_error_at: z.string().nullable(),
  item_count: z.number(),
  reachable: z.boolean().nullable(),
  /** The ERP circuit breaker (`open` = calls refused for a while after failures). */
  circuit: z.enum(CIRCUIT_STATES).optional(),
  /** Scheduled passes (SQL Server sources); null when no schedule runs. */
  schedule: erpScheduleSchema.nullable().optional(),
  /** The latest items pass into the mirror, live while it runs; null before the first one. */
  mirror: erpMirrorProgressSchema.nullable().optional(),
  /** The ERP movement pull (issue #17); null when the source has no ledger. */
  movements: erpMovementStatusSchema.nullable().optional(),
});
export type ErpStatus = z.infer<typeof erpStatusSchema>;

/** One rejected row of an item-master import: where it is and why. */
export const importRowErrorSchema = z.object({
  row: z.number(),
  /** The column at fault; null when the row as a whole is wrong. */
  field: z.string().nullable(),
  message: z.string(),
});
export type ImportRowError = z.infer<typeof importRowErrorSchema>;

/** `POST /erp/import`: what became of the file's rows. */
export const importResultSchema = z.object({
  format: z.enum(['csv', 'xlsx']),
  rows: z.number(),
  accepted: z.number(),
  inserted: z.number(),
  updated: z.number(),
  /** Distinct data rows rejected (a row may have several errors). */
  rejected: z.number(),
  errors: z.array(importRowErrorSchema),
  /** Header columns the importer does not know; reported, not fatal. */
  ignored_columns: z.array(z.string()),
});
export type ImportResult = z.infer<typeof importResultSchema>;

/** `POST /erp/sync`: from when (only items changed since; the whole master when left out). */
export const erpSyncBodySchema = z.strictObject({
  since: z.iso.datetime({ offset: true }).optional(),
});

/** `POST /erp/sync`: what the items pass did. */
export const erpSyncResultSchema = z.object({
  items_received: z.number(),
  inserted: z.number(),
  updated: z.number(),
  warehouses: z.number(),
  duration_ms: z.number(),
});
export type ErpSyncResult = z.infer<typeof erpSyncResultSchema>;
