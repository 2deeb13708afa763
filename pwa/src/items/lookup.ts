import type { BarcodeKind, BarcodeLookup, Gs1Data, ItemView } from '@stockverify/shared';
import type { ItemDb } from '../db/item-db';
import type { ScanInput } from '../scan/classify';

/** What the scan screen gets for an item code. */
export type LookupResult =
  | {
      kind: 'found';
      item: ItemView;
      matched: string;
      barcodeKind: BarcodeKind | 'item_code';
      packQty: number;
      gs1: Gs1Data | null;
      source: 'offline' | 'server';
    }
  | { kind: 'unknown'; code: string; gs1: Gs1Data | null; checkedServer: boolean };

/**
 * `GET /items/barcode/:code`: the answer, `null` for ITEM_NOT_FOUND; throws when the server cannot
 * be asked (offline). The HTTP one lives in `api/staff-api.ts`.
 */
export type RemoteLookup = (code: string) => Promise<BarcodeLookup | null>;

/**
 * Finds the item for a scan: the offline cache first (every barcode, pack barcode and item code
 * is indexed), then the server when it can be reached. A code neither knows is an unknown item.
 */
export async function lookupItem(
  db: ItemDb,
  scan: Extract<ScanInput, { kind: 'item' }>,
  remote: RemoteLookup | null,
): Promise<LookupResult> {
  for (const candidate of scan.candidates) {
    const cached = await db.items.where('codes').equals(candidate).first();
    if (!cached) continue;
    const barcode = cached.item.barcodes.find((b) => b.code === candidate);
    return {
      kind: 'found',
      item: cached.item,
      matched: candidate,
      barcodeKind: barcode?.kind ?? 'item_code',
      packQty: barcode?.kind === 'pack' ? barcode.pack_qty : 1,
      gs1: scan.gs1,
      source: 'offline',
    };
  }
  if (remote === null)
    return { kind: 'unknown', code: scan.code, gs1: scan.gs1, checkedServer: false };
  let answer: BarcodeLookup | null;
  try {
    answer = await remote(scan.code);
  } catch {
    return { kind: 'unknown', code: scan.code, gs1: scan.gs1, checkedServer: false };
  }
  if (answer === null)
    return { kind: 'unknown', code: scan.code, gs1: scan.gs1, checkedServer: true };
  return {
    kind: 'found',
    item: answer.item,
    matched: answer.matched_barcode,
    barcodeKind: answer.barcode_kind,
    packQty: answer.pack_qty,
    gs1: answer.gs1 ?? scan.gs1,
    source: 'server',
  };
}

/** The session's book quantity for an item, when the phone may know it. */
export async function bookQuantity(
  db: ItemDb,
  sessionId: string,
  itemCode: string,
): Promise<number | null> {
  return (await db.books.get([sessionId, itemCode]))?.book_qty ?? null;
}
