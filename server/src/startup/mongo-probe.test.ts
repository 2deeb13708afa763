import { describe, expect, it } from 'vitest';
import { describeHello } from './mongo-probe';

describe('describeHello', () => {
  it('names the replica set, its size and primary', () => {
    expect(
      describeHello({
        setName: 'rs0',
        hosts: ['db1:27017', 'db2:27017', 'db3:27017'],
        primary: 'db1:27017',
      }),
    ).toEqual({ detail: 'replica set rs0, 3 member(s), primary db1:27017' });
    expect(describeHello({ msg: 'isdbgrid' })).toEqual({ detail: 'sharded cluster (mongos)' });
  });

  it('refuses a standalone server, saying how to make it a replica set', () => {
    expect(() => describeHello({ isWritablePrimary: true })).toThrow(
      /not a replica set.*--replSet/,
    );
  });
});
