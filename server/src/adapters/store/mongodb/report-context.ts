/**
 * What every MongoDB report reads with (issue #6): the collections, the chosen sessions of a
 * scope, and cursors read in batches that are closed however the reader stops.
 */
import type { AbstractCursor } from 'mongodb';
import type { SessionRecord } from '../../../ports/counting';
import type { ReportScope } from '../../../ports/reports';
import type { Collections } from './collections';
import type { ReadModelCollections } from './read-model';
import { sessionFilter, type LookupNames } from './report-pipelines';

export interface ReportContext {
  c: Collections;
  /** The session read model (issue #13). */
  rm: ReadModelCollections;
  names: LookupNames;
  /** The sessions a scope chooses, by created_at then id. */
  sessionsOf(scope: ReportScope): Promise<SessionRecord[]>;
}

export function reportContext(c: Collections, rm: ReadModelCollections): ReportContext {
  return {
    c,
    rm,
    names: {
      snapshot: c.snapshot.collectionName,
      items: c.items.collectionName,
      lines: c.lines.collectionName,
    },
    async sessionsOf(scope) {
      const docs = await c.sessions
        .find(sessionFilter(scope))
        .sort({ created_at: 1, id: 1 })
        .toArray();
      return docs.map(({ _id, ...s }) => s);
    },
  };
}

/** A cursor's documents, `size` per round trip; the cursor is closed when the reader stops. */
export async function* batches<T>(cursor: AbstractCursor<T>, size: number): AsyncGenerator<T> {
  try {
    for await (const doc of cursor.batchSize(size)) yield doc;
  } finally {
    await cursor.close();
  }
}
