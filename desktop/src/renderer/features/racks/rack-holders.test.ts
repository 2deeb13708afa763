import type { RackView } from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import { holdersText } from './RackMap';

const now = Date.parse('2026-12-06T12:00:00Z');
const tile = (extra: Partial<RackView>): RackView => ({
  code: 'A-01',
  floor: 'GF',
  location_barcode: null,
  state: 'claimed',
  claimant: null,
  lines: 0,
  has_variances: null,
  ...extra,
});
const alice = { user_id: 'u-a', username: 'alice', last_heartbeat_at: '2026-12-06T11:58:00Z' };
const bob = { user_id: 'u-b', username: 'bob', last_heartbeat_at: '2026-12-06T11:59:30Z' };

describe('holdersText', () => {
  it('names the one holder of a whole claim, and nobody on a free rack', () => {
    expect(holdersText(tile({ claimant: alice, holders: [alice] }), now)).toMatch(/^alice · /);
    expect(holdersText(tile({ state: 'not_started', holders: [] }), now)).toBeNull();
  });

  it('names every part of a split rack', () => {
    const text = holdersText(tile({ claimant: bob, holders: [bob, alice], split: true }), now);
    expect(text).toMatch(/^split: bob · .+, alice · /);
  });

  it('reads an answer without holders (an older server) from its claimant', () => {
    expect(holdersText(tile({ claimant: bob }), now)).toMatch(/^bob · /);
  });
});
