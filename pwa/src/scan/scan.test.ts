import { describe, expect, it } from 'vitest';
import { classifyScan } from './classify';
import { ReadConfirmer } from './read-confirm';
import { WedgeDetector } from './wedge';
import type { WedgeVerdict } from './wedge';

/** Types `text` then Enter with `gapMs` between keys; answers the last verdict. */
function type(detector: WedgeDetector, text: string, gapMs: number, start = 1000): WedgeVerdict {
  let t = start;
  for (const key of text) {
    detector.push({ key, timeStamp: t });
    t += gapMs;
  }
  return detector.push({ key: 'Enter', timeStamp: t });
}

describe('WedgeDetector', () => {
  it('accepts a fast burst ending in Enter', () => {
    expect(type(new WedgeDetector(), '4006381333931', 4)).toEqual({
      kind: 'code',
      code: '4006381333931',
    });
  });

  it('ignores a person typing at human speed', () => {
    expect(type(new WedgeDetector(), '4006381333931', 120)).toEqual({ kind: 'ignored' });
  });

  it('ignores bursts shorter than the minimum and Enter on its own', () => {
    const detector = new WedgeDetector();
    expect(type(detector, '12', 3)).toEqual({ kind: 'ignored' });
    expect(detector.push({ key: 'Enter', timeStamp: 5000 })).toEqual({ kind: 'ignored' });
  });

  it('drops a slow prefix and keeps the burst that follows it', () => {
    const detector = new WedgeDetector();
    detector.push({ key: 'x', timeStamp: 0 });
    detector.push({ key: 'y', timeStamp: 300 });
    expect(type(detector, 'ABC-12345', 5, 900)).toEqual({ kind: 'code', code: 'ABC-12345' });
  });

  it('needs Enter soon after the last key', () => {
    const detector = new WedgeDetector();
    for (const [i, key] of [...'12345678'].entries()) detector.push({ key, timeStamp: i * 5 });
    expect(detector.push({ key: 'Enter', timeStamp: 35 + 500 })).toEqual({ kind: 'ignored' });
  });

  it('skips modifier keys and shortcuts, and keeps GS1 group separators', () => {
    const detector = new WedgeDetector();
    const keys = ['Shift', '0', '1', 'GroupSeparator', '1', '0', 'A', 'B'];
    keys.forEach((key, i) => detector.push({ key, timeStamp: i * 3 }));
    expect(detector.push({ key: 'Enter', timeStamp: keys.length * 3 })).toEqual({
      kind: 'code',
      code: '01\u001d10AB',
    });
    expect(detector.push({ key: 'v', timeStamp: 10, ctrlKey: true })).toEqual({ kind: 'ignored' });
  });
});

describe('ReadConfirmer', () => {
  it('accepts a code after two identical reads within the window', () => {
    const confirm = new ReadConfirmer({ required: 2, windowMs: 2000, cooldownMs: 2500 });
    expect(confirm.offer('123', 0)).toBeNull();
    expect(confirm.offer('123', 1500)).toBe('123');
  });

  it('does not pair reads further apart than the window, nor different codes', () => {
    const confirm = new ReadConfirmer({ required: 2, windowMs: 2000, cooldownMs: 0 });
    expect(confirm.offer('123', 0)).toBeNull();
    expect(confirm.offer('128', 100)).toBeNull();
    expect(confirm.offer('123', 2101)).toBeNull();
    expect(confirm.offer('123', 2200)).toBe('123');
  });

  it('does not accept the same code again while it stays in view', () => {
    const confirm = new ReadConfirmer({ required: 2, windowMs: 2000, cooldownMs: 2500 });
    confirm.offer('A', 0);
    expect(confirm.offer('A', 100)).toBe('A');
    expect(confirm.offer('A', 200)).toBeNull();
    expect(confirm.offer('A', 300)).toBeNull();
    expect(confirm.offer('A', 2700)).toBeNull();
    expect(confirm.offer('A', 2800)).toBe('A');
  });

  it('accepts on the first read when configured for one', () => {
    expect(new ReadConfirmer({ required: 1, windowMs: 0, cooldownMs: 0 }).offer('A', 0)).toBe('A');
  });
});

describe('classifyScan', () => {
  const racks = [{ code: 'A-01', location_barcode: 'LOC-WH-MAIN-A-01' }];

  it('recognises a rack label', () => {
    expect(classifyScan(' LOC-WH-MAIN-A-01 ', racks)).toEqual({
      kind: 'rack',
      rack: 'A-01',
      code: 'LOC-WH-MAIN-A-01',
    });
  });

  it('reads a GS1 DataMatrix string into GTIN candidates, batch, expiry and serial', () => {
    const scan = classifyScan('0104006381333931\u001d10LOT42\u001d17271231\u001d21SN-9', racks);
    expect(scan).toMatchObject({
      kind: 'item',
      candidates: ['04006381333931', '4006381333931', expect.any(String)],
      gs1: { gtin: '04006381333931', batch: 'LOT42', expiry: '2027-12-31', serial: 'SN-9' },
    });
  });

  it('keeps plain codes as scanned', () => {
    expect(classifyScan('4006381333931')).toEqual({
      kind: 'item',
      code: '4006381333931',
      candidates: ['4006381333931'],
      gs1: null,
    });
  });
});
