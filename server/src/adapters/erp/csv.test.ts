import { describe, expect, it } from 'vitest';
import { CsvFormatError, decodeCsv, detectDelimiter, parseCsv } from './csv';

describe('parseCsv', () => {
  it('reads quoted fields with delimiters and doubled quotes inside', () => {
    expect(parseCsv('a,"b,c","say ""hi"""\n')).toEqual([['a', 'b,c', 'say "hi"']]);
  });

  it('keeps a line break inside quotes as part of the field', () => {
    expect(parseCsv('code,name\nX1,"two\nlines"\nX2,plain\n')).toEqual([
      ['code', 'name'],
      ['X1', 'two\nlines'],
      ['X2', 'plain'],
    ]);
  });

  it('accepts CRLF, LF and bare CR line ends, and a missing final line break', () => {
    expect(parseCsv('a,b\r\nc,d\ne,f\rg,h')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
      ['g', 'h'],
    ]);
  });

  it('keeps CRLF inside quotes verbatim', () => {
    expect(parseCsv('"x\r\ny",z\r\n')).toEqual([['x\r\ny', 'z']]);
  });

  it('keeps empty fields, empty quoted fields and blank lines', () => {
    expect(parseCsv('a,,""\n\nb,c,\n')).toEqual([['a', '', ''], [''], ['b', 'c', '']]);
  });

  it('keeps a stray quote inside an unquoted field literally', () => {
    expect(parseCsv('12" pipe,x\n')).toEqual([['12" pipe', 'x']]);
  });

  it('throws, naming the line, when a quoted field is never closed', () => {
    expect(() => parseCsv('a,b\nc,"open\nmore\n')).toThrow(CsvFormatError);
    expect(() => parseCsv('a,b\nc,"open\nmore\n')).toThrow(/line 2/);
  });

  it('uses the delimiter it is given', () => {
    expect(parseCsv('a;b,c;d\n', ';')).toEqual([['a', 'b,c', 'd']]);
  });
});

describe('detectDelimiter', () => {
  it('picks ; or tab when the header uses them, ignoring quoted text', () => {
    expect(detectDelimiter('item_code;name;"a,b,c,d"\n1;2;3')).toBe(';');
    expect(detectDelimiter('item_code\tname\tprice\n')).toBe('\t');
    expect(detectDelimiter('item_code,name,price\n1;2;3;4;5')).toBe(',');
    expect(detectDelimiter('single')).toBe(',');
  });
});

describe('decodeCsv', () => {
  it('strips a UTF-8 byte-order mark', () => {
    const text = decodeCsv(Buffer.from('\ufeffitem_code,name\n', 'utf8'));
    expect(text).toBe('item_code,name\n');
  });

  it('reads UTF-16 LE with a BOM (Excel "Unicode text")', () => {
    const body = Buffer.from('item_code\tname\nX\tCafé\n', 'utf16le');
    const text = decodeCsv(Buffer.concat([Buffer.from([0xff, 0xfe]), body]));
    expect(text).toBe('item_code\tname\nX\tCafé\n');
  });
});
