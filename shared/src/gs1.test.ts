import { describe, expect, it } from 'vitest';
import {
  Gs1ParseError,
  gs1CheckDigitValid,
  gs1DateToIso,
  gtinCandidates,
  looksLikeGs1,
  parseGs1,
} from './gs1';

const today = new Date('2026-11-29T00:00:00Z');

describe('GS1 element strings', () => {
  it('parses all supported AIs from a raw string with GS separators', () => {
    const raw =
      '0104006381333931' +
      '0204006381333931' +
      '17271231' +
      '10BATCH-1\x1d' +
      '21SER9\x1d' +
      '3012' +
      '\x1d3724';
    expect(parseGs1(raw, today)).toEqual({
      gtin: '04006381333931',
      content_gtin: '04006381333931',
      expiry: '2027-12-31',
      batch: 'BATCH-1',
      serial: 'SER9',
      count: 24,
    });
  });
  it('strips a symbology identifier and reads the bracketed form', () => {
    expect(parseGs1(']d20104006381333931', today)).toEqual({ gtin: '04006381333931' });
    expect(parseGs1('(01)04006381333931(17)270200(21)X', today)).toEqual({
      gtin: '04006381333931',
      expiry: '2027-02-28',
      serial: 'X',
    });
  });
  it('refuses bad check digits, unknown AIs, truncation and junk', () => {
    expect(() => parseGs1('0104006381333932', today)).toThrow(Gs1ParseError);
    expect(() => parseGs1('99ABC', today)).toThrow(/unsupported AI 99/);
    expect(() => parseGs1('01040063813339', today)).toThrow(/cut short/);
    expect(() => parseGs1('(01)04006381333931junk(', today)).toThrow(Gs1ParseError);
    expect(() => parseGs1('17991399', today)).toThrow(/month/);
    expect(() => parseGs1('10' + 'X'.repeat(21), today)).toThrow(/length/);
  });
  it('uses the GS1 century window for dates', () => {
    expect(gs1DateToIso('491231', today)).toBe('2049-12-31');
    expect(gs1DateToIso('760101', today)).toBe('2076-01-01');
    expect(gs1DateToIso('770101', today)).toBe('1977-01-01');
    expect(gs1DateToIso('240200', today)).toBe('2024-02-29');
  });
  it('tells GS1 strings from plain barcodes', () => {
    expect(looksLikeGs1('4006381333931')).toBe(false);
    expect(looksLikeGs1('MAN-1001')).toBe(false);
    expect(looksLikeGs1('0104006381333931')).toBe(true);
    expect(looksLikeGs1('(01)04006381333931')).toBe(true);
    expect(looksLikeGs1(']C1anything')).toBe(true);
  });
  it('checks digits and offers the EAN-13 / UPC-A forms of a GTIN-14', () => {
    expect(gs1CheckDigitValid('4006381333931')).toBe(true);
    expect(gs1CheckDigitValid('4006381333932')).toBe(false);
    expect(gtinCandidates('00012345678905')).toEqual([
      '00012345678905',
      '0012345678905',
      '012345678905',
    ]);
  });
});
