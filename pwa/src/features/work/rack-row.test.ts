import { describe, expect, it } from 'vitest';
import type { CachedRack } from '../../db/device-db';
import { rackRow } from './rack-row';

const rack = (extra: Partial<CachedRack> = {}): CachedRack => ({
  code: 'A-01',
  floor: 'GF',
  location_barcode: null,
  state: 'not_started',
  claimant: null,
  lines: 0,
  ...extra,
});
const alice = { user_id: 'u-a', username: 'alice' };
const bob = { user_id: 'u-b', username: 'bob' };

describe('rackRow', () => {
  it('a free rack is claimed whole, or split when the counter chose shared', () => {
    expect(rackRow(rack(), 'u-a', false, false)).toEqual({
      mine: false,
      taken: false,
      claimSplit: false,
      holders: '',
    });
    expect(rackRow(rack(), 'u-a', false, true).claimSplit).toBe(true);
  });

  it('a rack held whole by someone else is taken, shared or not', () => {
    const held = rack({ state: 'claimed', claimant: bob, holders: [bob], split: false });
    expect(rackRow(held, 'u-a', false, false)).toMatchObject({ taken: true, holders: 'by bob' });
    expect(rackRow(held, 'u-a', false, true)).toMatchObject({ taken: true });
    expect(rackRow(held, 'u-b', false, false)).toMatchObject({
      mine: true,
      taken: false,
      claimSplit: false,
      holders: 'by you',
    });
  });

  it('a rack held split by others is joined only with shared on; its holder claims it split again', () => {
    const split = rack({ state: 'claimed', claimant: bob, holders: [bob, alice], split: true });
    expect(rackRow(split, 'u-c', false, false)).toMatchObject({
      taken: true,
      holders: 'shared by bob, alice',
    });
    expect(rackRow(split, 'u-c', false, true)).toMatchObject({ taken: false, claimSplit: true });
    expect(rackRow(split, 'u-a', false, false)).toMatchObject({
      mine: true,
      taken: false,
      claimSplit: true,
      holders: 'shared by you, bob',
    });
  });

  it('a list saved before split claims (no holders) still reads its claimant', () => {
    const old = rack({ state: 'claimed', claimant: bob });
    expect(rackRow(old, 'u-a', false, false)).toMatchObject({ taken: true, holders: 'by bob' });
  });
});
