/**
 * The transaction runner's own logic (deployment check, reruns on a unique-index loss), with a
 * stand-in for the two session calls it makes. Real transactions run only where MONGODB_URI is set.
 */
import { MongoServerError, type ClientSession, type MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createTransactionRunner, deploymentOf, STANDALONE_MESSAGE } from './transactions';

describe('deploymentOf', () => {
  it('tells a replica set, a mongos and a standalone server apart from their hello reply', () => {
    expect(deploymentOf({ isWritablePrimary: true, setName: 'rs0' })).toBe('replica-set');
    expect(deploymentOf({ isWritablePrimary: true, msg: 'isdbgrid' })).toBe('sharded');
    expect(deploymentOf({ isWritablePrimary: true })).toBe('standalone');
  });

  it('says plainly how to fix a standalone server', () => {
    expect(STANDALONE_MESSAGE).toMatch(/replica set/);
    expect(STANDALONE_MESSAGE).toMatch(/--replSet/);
    expect(STANDALONE_MESSAGE).toMatch(/rs\.initiate\(\)/);
  });
});

/** A client whose sessions run the callback once, as a commit without retries would. */
function fakeClient() {
  const counts = { started: 0, ended: 0 };
  const client = {
    startSession() {
      counts.started++;
      const session = {
        withTransaction: (fn: (s: ClientSession) => Promise<unknown>) =>
          fn(session as unknown as ClientSession),
        endSession: async () => {
          counts.ended++;
        },
      };
      return session;
    },
  };
  return { client: client as unknown as MongoClient, counts };
}

const duplicateKey = () => new MongoServerError({ message: 'E11000 duplicate key', code: 11000 });

describe('createTransactionRunner', () => {
  it("returns the callback's value and ends the session", async () => {
    const { client, counts } = fakeClient();
    const run = createTransactionRunner(client);
    expect(await run(async () => 42)).toBe(42);
    expect(counts).toEqual({ started: 1, ended: 1 });
  });

  it('reruns the whole transaction after a unique-index loss when asked, up to three times', async () => {
    const { client, counts } = fakeClient();
    const run = createTransactionRunner(client);
    let attempts = 0;
    const flaky = async () => {
      if (++attempts < 3) throw duplicateKey();
      return 'stored';
    };
    expect(await run(flaky, { retryOnDuplicateKey: true })).toBe('stored');
    expect(attempts).toBe(3);
    expect(counts).toEqual({ started: 3, ended: 3 });

    attempts = -10;
    await expect(run(flaky, { retryOnDuplicateKey: true })).rejects.toThrow(/E11000/);
    expect(attempts).toBe(-7);
  });

  it('passes a duplicate key through when not asked to rerun, and any other error always', async () => {
    const { client, counts } = fakeClient();
    const run = createTransactionRunner(client);
    await expect(run(() => Promise.reject(duplicateKey()))).rejects.toThrow(/E11000/);
    let calls = 0;
    await expect(
      run(
        () => {
          calls++;
          return Promise.reject(new Error('network'));
        },
        { retryOnDuplicateKey: true },
      ),
    ).rejects.toThrow('network');
    expect(calls).toBe(1);
    expect(counts.started).toBe(counts.ended);
  });
});
