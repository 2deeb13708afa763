import type { Item } from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import { claimBarcodes, itemTrigrams } from './item-index';

function item(itemCode: string, barcodes: Item['barcodes']): Item {
  return {
    item_code: itemCode,
    name: itemCode,
    category: null,
    brand: null,
    supplier: null,
    uom: 'pcs',
    decimal_qty: false,
    price: 0,
    cost: 0,
    serialized: false,
    batch_tracked: false,
    barcodes,
    stock: [],
    active: true,
    updated_at: '2025-03-01T00:00:00.000Z',
  };
}

describe('claimBarcodes', () => {
  it('gives a code claimed twice in one batch to the later item only', () => {
    const a = item('A', [
      { code: 'X', kind: 'primary', pack_qty: 1 },
      { code: 'A1', kind: 'manual', pack_qty: 1 },
    ]);
    const b = item('B', [{ code: 'X', kind: 'pack', pack_qty: 6 }]);
    const [claimedA, claimedB] = claimBarcodes([a, b]);
    expect(claimedA?.barcodes).toEqual([{ code: 'A1', kind: 'manual', pack_qty: 1 }]);
    expect(claimedB).toBe(b);
    expect(a.barcodes).toHaveLength(2);
  });

  it('keeps the last listing of a code repeated within one item', () => {
    const a = item('A', [
      { code: 'X', kind: 'primary', pack_qty: 1 },
      { code: 'Y', kind: 'manual', pack_qty: 1 },
      { code: 'X', kind: 'pack', pack_qty: 12 },
    ]);
    expect(claimBarcodes([a])[0]?.barcodes).toEqual([
      { code: 'Y', kind: 'manual', pack_qty: 1 },
      { code: 'X', kind: 'pack', pack_qty: 12 },
    ]);
  });
});

describe('itemTrigrams', () => {
  it('indexes both the code and the name', () => {
    const tris = itemTrigrams({ item_code: 'CBL-4', name: 'Cable' });
    expect(tris).toEqual(expect.arrayContaining([' cb', 'cbl', ' ca', 'abl']));
  });
});
