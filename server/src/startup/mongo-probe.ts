/**
 * Replica-set status of a MongoDB deployment, for the startup check: transactions and retryable
 * writes need a replica set (design §3, style "Pitfalls"), so a standalone server is reported.
 */
import { MongoClient } from 'mongodb';
import type { ProbeReport } from './checks';

/** The fields of the `hello` answer the check reads. */
export interface HelloAnswer {
  setName?: string;
  isWritablePrimary?: boolean;
  primary?: string;
  hosts?: string[];
  msg?: string;
}

/** Turns a `hello` answer into the check's detail; throws for a standalone server. */
export function describeHello(hello: HelloAnswer): ProbeReport {
  if (hello.msg === 'isdbgrid') {
    return { detail: 'sharded cluster (mongos)' };
  }
  if (!hello.setName) {
    // The store writes sessions and sync batches in multi-document transactions.
    throw new Error(
      'standalone server, not a replica set: the store needs transactions (mongod --replSet rs0, rs.initiate(), ?replicaSet=rs0 in MONGODB_URI; docs/deployment.md)',
    );
  }
  const members = hello.hosts?.length ?? 0;
  return {
    detail: `replica set ${hello.setName}, ${members} member(s), primary ${hello.primary ?? 'unknown'}`,
  };
}

/** Connects once, asks `hello`, closes. */
export async function probeMongoReplicaSet(uri: string, timeoutMs: number): Promise<ProbeReport> {
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
  });
  try {
    await client.connect();
    const hello = await client.db('admin').command({ hello: 1 });
    return describeHello(hello as HelloAnswer);
  } finally {
    await client.close();
  }
}
