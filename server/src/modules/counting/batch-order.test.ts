import { describe, expect, it } from 'vitest';
import { batchOrder } from './batch-order';

describe('batchOrder', () => {
  it('keeps the order sent when nothing depends on anything', () => {
    expect(batchOrder([{ op_id: 'a' }, { op_id: 'b' }, { op_id: 'c' }])).toEqual([0, 1, 2]);
  });
  it('takes an original before the correction that came first', () => {
    expect(
      batchOrder([{ op_id: 'fix', supersedes: 'orig' }, { op_id: 'x' }, { op_id: 'orig' }]),
    ).toEqual([2, 0, 1]);
  });
  it('follows chains of corrections', () => {
    expect(
      batchOrder([
        { op_id: 'c', supersedes: 'b' },
        { op_id: 'b', supersedes: 'a' },
        { op_id: 'a' },
      ]),
    ).toEqual([2, 1, 0]);
  });
  it('answers a repeated op_id once, at its first place', () => {
    expect(batchOrder([{ op_id: 'a' }, { op_id: 'b' }, { op_id: 'a' }])).toEqual([0, 1]);
  });
  it('survives a cycle and records without an op_id', () => {
    expect(
      batchOrder([
        { op_id: 'a', supersedes: 'b' },
        { op_id: 'b', supersedes: 'a' },
        {},
        { op_id: 7 },
      ]),
    ).toEqual([1, 0, 2, 3]);
  });
});
