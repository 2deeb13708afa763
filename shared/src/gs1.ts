/**
 * GS1 element strings (GS1-128, DataMatrix, QR) with the application identifiers staff meet on
 * cartons: 01 GTIN, 02 content GTIN, 10 batch, 17 expiry, 21 serial, 30 and 37 count.
 */
import type { Gs1Data } from './items';

const GS = '\x1d';
const SYMBOLOGY_PREFIX = /^\](C1|e0|d2|Q3|J1)/;

interface AiSpec {
  /** Fixed data length, or undefined for variable-length fields ended by GS. */
  fixed?: number;
  max: number;
  digits: boolean;
}

const AIS: Record<string, AiSpec> = {
  '01': { fixed: 14, max: 14, digits: true },
  '02': { fixed: 14, max: 14, digits: true },
  '10': { max: 20, digits: false },
  '17': { fixed: 6, max: 6, digits: true },
  '21': { max: 20, digits: false },
  '30': { max: 8, digits: true },
  '37': { max: 8, digits: true },
};

export class Gs1ParseError extends Error {}

/** GS1 mod-10 check digit over all digits but the last. */
export function gs1CheckDigitValid(digits: string): boolean {
  if (!/^\d{8,18}$/.test(digits)) return false;
  let sum = 0;
  const body = digits.slice(0, -1);
  for (let i = 0; i < body.length; i++) {
    const d = Number(body[body.length - 1 - i]);
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return (10 - (sum % 10)) % 10 === Number(digits[digits.length - 1]);
}

/** Whether a scanned string should be read as a GS1 element string rather than a plain code. */
export function looksLikeGs1(raw: string): boolean {
  if (SYMBOLOGY_PREFIX.test(raw) || raw.includes(GS)) return true;
  if (/^\(\d{2,4}\)/.test(raw)) return true;
  return /^0[12]\d{14}/.test(raw) && raw.length >= 16 && gs1CheckDigitValid(raw.slice(2, 16));
}

/**
 * Turns YYMMDD into an ISO date. GS1 General Specifications 7.12: the century is the one that
 * puts the year within −49…+50 years of `today`; day 00 means the last day of the month.
 */
export function gs1DateToIso(yymmdd: string, today = new Date()): string {
  if (!/^\d{6}$/.test(yymmdd)) throw new Gs1ParseError(`bad date ${yymmdd}`);
  const yy = Number(yymmdd.slice(0, 2));
  const mm = Number(yymmdd.slice(2, 4));
  let dd = Number(yymmdd.slice(4, 6));
  if (mm < 1 || mm > 12) throw new Gs1ParseError(`bad month in date ${yymmdd}`);
  const currentYear = today.getUTCFullYear();
  const century = Math.floor(currentYear / 100) * 100;
  let year = century + yy;
  const diff = year - currentYear;
  if (diff >= 51) year -= 100;
  else if (diff <= -50) year += 100;
  const lastDay = new Date(Date.UTC(year, mm, 0)).getUTCDate();
  if (dd === 0) dd = lastDay;
  if (dd > lastDay) throw new Gs1ParseError(`bad day in date ${yymmdd}`);
  return `${year}-${String(mm).padStart(2, '0')}-${String(dd).padStart(2, '0')}`;
}

function assign(out: Gs1Data, ai: string, value: string, today: Date): void {
  const spec = AIS[ai]!;
  if (value.length === 0 || value.length > spec.max) {
    throw new Gs1ParseError(`AI ${ai} has a value of bad length`);
  }
  if (spec.digits && !/^\d+$/.test(value)) throw new Gs1ParseError(`AI ${ai} must be digits`);
  switch (ai) {
    case '01':
    case '02':
      if (!gs1CheckDigitValid(value)) throw new Gs1ParseError(`AI ${ai} check digit is wrong`);
      if (ai === '01') out.gtin = value;
      else out.content_gtin = value;
      break;
    case '10':
      out.batch = value;
      break;
    case '17':
      out.expiry = gs1DateToIso(value, today);
      break;
    case '21':
      out.serial = value;
      break;
    default:
      out.count = Number(value);
  }
}

function parseParenthesised(raw: string, today: Date): Gs1Data {
  const out: Gs1Data = {};
  const re = /\((\d{2,4})\)([^(]*)/g;
  let consumed = 0;
  for (const m of raw.matchAll(re)) {
    if (m.index !== consumed) throw new Gs1ParseError('unexpected text between elements');
    const ai = m[1]!;
    if (!AIS[ai]) throw new Gs1ParseError(`unsupported AI ${ai}`);
    assign(out, ai, m[2]!, today);
    consumed = m.index + m[0].length;
  }
  if (consumed !== raw.length) throw new Gs1ParseError('trailing text after last element');
  return out;
}

function parseRaw(raw: string, today: Date): Gs1Data {
  const out: Gs1Data = {};
  let i = 0;
  while (i < raw.length) {
    if (raw[i] === GS) {
      i++;
      continue;
    }
    const ai = raw.slice(i, i + 2);
    const spec = AIS[ai];
    if (!spec) throw new Gs1ParseError(`unsupported AI ${ai} at position ${i}`);
    i += 2;
    let value: string;
    if (spec.fixed !== undefined) {
      value = raw.slice(i, i + spec.fixed);
      if (value.length !== spec.fixed) throw new Gs1ParseError(`AI ${ai} is cut short`);
      i += spec.fixed;
    } else {
      const end = raw.indexOf(GS, i);
      const stop = end === -1 ? raw.length : end;
      value = raw.slice(i, stop);
      i = stop;
    }
    assign(out, ai, value, today);
  }
  return out;
}

/**
 * Parses a GS1 element string (raw with GS separators, optionally behind a symbology identifier,
 * or the human-readable "(01)…(17)…" form). Throws Gs1ParseError on anything it cannot read.
 */
export function parseGs1(input: string, today = new Date()): Gs1Data {
  const raw = input.replace(SYMBOLOGY_PREFIX, '');
  const data = raw.startsWith('(') ? parseParenthesised(raw, today) : parseRaw(raw, today);
  if (Object.keys(data).length === 0) throw new Gs1ParseError('no elements found');
  return data;
}

/** Codes a GTIN-14 may be printed as on a unit: itself, EAN-13 (one leading 0), UPC-A (two). */
export function gtinCandidates(gtin14: string): string[] {
  const out = [gtin14];
  if (gtin14.startsWith('0')) out.push(gtin14.slice(1));
  if (gtin14.startsWith('00')) out.push(gtin14.slice(2));
  return out;
}
