/**
 * Near-miss barcodes (issue #14 finding 4): the codes a scanned or typed code most likely was
 * meant to be when no item has it — one character off, two neighbours swapped, one character
 * dropped or doubled, or a wrong check digit. For GTIN lengths (EAN-8, UPC-A, EAN-13, ITF-14) only
 * candidates with a valid check digit are kept, so a one-digit slip gives about a dozen lookups.
 */

const GTIN_LENGTHS = new Set([8, 12, 13, 14]);
const DIGITS = '0123456789';
/** Upper bound of candidates looked up for one code (non-GTIN codes can yield more). */
export const MAX_NEAR_MISSES = 400;

/** The GS1 check digit of the body (every digit but the last), weights 3,1,3,… from the right. */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** True for an all-digit EAN-8, UPC-A, EAN-13 or ITF-14 whose check digit is right. */
export function isValidGtin(code: string): boolean {
  if (!GTIN_LENGTHS.has(code.length) || !/^\d+$/.test(code)) return false;
  return gs1CheckDigit(code.slice(0, -1)) === code.charCodeAt(code.length - 1) - 48;
}

/** How a candidate differs from the code read; the order is the order suggestions are shown in. */
export type NearMissKind =
  'check_digit' | 'transposition' | 'substitution' | 'deletion' | 'insertion';
const ORDER: readonly NearMissKind[] = [
  'check_digit',
  'transposition',
  'substitution',
  'deletion',
  'insertion',
];

/**
 * Candidate codes one slip away from `code`, most likely first, without `code` itself and without
 * repeats. All-digit codes vary in digits only; others also in letters (upper-cased, as Code 128
 * labels print them).
 */
export function nearMissBarcodes(code: string): Array<{ code: string; kind: NearMissKind }> {
  // Too short to guess what was meant: every code of a few characters is one slip from it.
  if (code.length < 4) return [];
  const digitsOnly = /^\d+$/.test(code);
  const alphabet = digitsOnly ? DIGITS : `${DIGITS}ABCDEFGHIJKLMNOPQRSTUVWXYZ`;
  const found = new Map<string, NearMissKind>();
  const add = (candidate: string, kind: NearMissKind) => {
    if (candidate === code || candidate.length === 0 || found.has(candidate)) return;
    // A GTIN-length all-digit candidate must carry a valid check digit to be worth a lookup.
    if (digitsOnly && GTIN_LENGTHS.has(candidate.length) && !isValidGtin(candidate)) return;
    found.set(candidate, kind);
  };
  if (digitsOnly && GTIN_LENGTHS.has(code.length)) {
    add(code.slice(0, -1) + String(gs1CheckDigit(code.slice(0, -1))), 'check_digit');
  }
  for (let i = 0; i + 1 < code.length; i++) {
    if (code[i] !== code[i + 1]) {
      add(code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2), 'transposition');
    }
  }
  for (let i = 0; i < code.length; i++) {
    for (const c of alphabet) {
      if (c !== code[i]) add(code.slice(0, i) + c + code.slice(i + 1), 'substitution');
    }
  }
  if (digitsOnly && GTIN_LENGTHS.has(code.length)) {
    // One body digit off with the check digit computed for it (a typed code whose check digit
    // was made to fit, or a label printed from a mistyped number): 7616270734403 → …739408.
    for (let i = 0; i + 1 < code.length; i++) {
      for (const c of DIGITS) {
        if (c === code[i]) continue;
        const body = code.slice(0, i) + c + code.slice(i + 1, -1);
        add(body + String(gs1CheckDigit(body)), 'substitution');
      }
    }
  }
  for (let i = 0; i < code.length; i++) add(code.slice(0, i) + code.slice(i + 1), 'deletion');
  for (let i = 0; i <= code.length; i++) {
    for (const c of alphabet) add(code.slice(0, i) + c + code.slice(i), 'insertion');
  }
  return [...found]
    .map(([candidate, kind]) => ({ code: candidate, kind }))
    .sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind))
    .slice(0, MAX_NEAR_MISSES);
}
