/**
 * Multi-document transactions for the MongoDB Store (issue #7). Transactions need a replica set
 * (or a sharded cluster); a standalone server is refused at start-up with a message saying how to
 * turn it into a single-node replica set, rather than running with the races of README.md.
 */
import type { ClientSession, Db, Document, MongoClient, TransactionOptions } from 'mongodb';
import { isDuplicateKey } from './collections';

export type Deployment = 'replica-set' | 'sharded' | 'standalone';

/** What kind of deployment a `hello` reply describes. */
export function deploymentOf(hello: Document): Deployment {
  if (hello['msg'] === 'isdbgrid') return 'sharded';
  if (typeof hello['setName'] === 'string') return 'replica-set';
  return 'standalone';
}

/** Plain words for an operator who pointed MONGODB_URI at a standalone server. */
export const STANDALONE_MESSAGE =
  'MongoDB is a standalone server, but Stock Verify needs a replica set: a session and its ' +
  'snapshot, and the count lines of a sync batch, are written in multi-document transactions. ' +
  'A single-node replica set is enough: start mongod with --replSet rs0, run rs.initiate() once ' +
  'in mongosh, and add ?replicaSet=rs0 to MONGODB_URI (docs/deployment.md).';

/** Throws STANDALONE_MESSAGE unless the server can run transactions. */
export async function assertTransactions(db: Db): Promise<Deployment> {
  const deployment = deploymentOf(await db.admin().command({ hello: 1 }));
  if (deployment === 'standalone') throw new Error(STANDALONE_MESSAGE);
  return deployment;
}

export interface TransactionRunOptions {
  /**
   * Run the whole transaction again when it fails on a unique index (E11000). Inside a
   * transaction such an error aborts it; the rerun's checks then see the writer that won (a
   * concurrent op_id or serial) and answer as the repository's contract says.
   */
  retryOnDuplicateKey?: boolean;
}

/** Runs `fn` in one transaction; the driver retries transient errors and unknown commits. */
export type RunInTransaction = <T>(
  fn: (session: ClientSession) => Promise<T>,
  options?: TransactionRunOptions,
) => Promise<T>;

// Snapshot reads so that every check in a transaction sees one point in time; majority writes so a
// committed batch survives a failover.
const TRANSACTION: TransactionOptions = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
};

const DUPLICATE_KEY_ATTEMPTS = 3;

/** Builds the transaction runner over one client. */
export function createTransactionRunner(client: MongoClient): RunInTransaction {
  return async (fn, options = {}) => {
    for (let attempt = 1; ; attempt++) {
      const session = client.startSession();
      try {
        return await session.withTransaction(() => fn(session), TRANSACTION);
      } catch (err) {
        if (!options.retryOnDuplicateKey || !isDuplicateKey(err)) throw err;
        if (attempt >= DUPLICATE_KEY_ATTEMPTS) throw err;
      } finally {
        await session.endSession();
      }
    }
  };
}
