import { gtinCandidates, looksLikeGs1, parseGs1 } from '@stockverify/shared';
import type { Gs1Data } from '@stockverify/shared';

/** What a scanned string is on the scan screen. */
export type ScanInput =
  | { kind: 'rack'; rack: string; code: string }
  | { kind: 'item'; code: string; candidates: string[]; gs1: Gs1Data | null };

/** A rack label the phone knows (from the rack list of the current session). */
export interface RackLabel {
  code: string;
  location_barcode: string | null;
}

/**
 * Decides whether a scan is a rack label (claim that rack) or an item, and for GS1 element
 * strings (GS1-128, DataMatrix) pulls out GTIN, batch, expiry and serial. `candidates` are the
 * codes to look up, most specific first (a GTIN-14 is also tried as its EAN-13/UPC-A form).
 */
export function classifyScan(raw: string, racks: readonly RackLabel[] = []): ScanInput {
  const code = raw.trim();
  const rack = racks.find((r) => r.location_barcode === code);
  if (rack) return { kind: 'rack', rack: rack.code, code };
  if (looksLikeGs1(code)) {
    try {
      const gs1 = parseGs1(code);
      const gtin = gs1.gtin ?? gs1.content_gtin;
      const candidates = gtin ? [...gtinCandidates(gtin), code] : [code];
      return { kind: 'item', code, candidates: [...new Set(candidates)], gs1 };
    } catch {
      // Not a valid element string after all: look it up as scanned.
    }
  }
  return { kind: 'item', code, candidates: [code], gs1: null };
}
