/**
 * ClockSampleRepo and ItemLineReads on MongoDB (issue #17, docs/design.md §13). One document per
 * user, device and server receive time (`_id`), upserted so a round trip reported later turns a one-way
 * sample into a two-way one; each write prunes the device's samples beyond
 * CLOCK_SAMPLES_PER_DEVICE. Index: CLOCK_SAMPLE_INDEXES (migration 8).
 */
import type { Collection, Db, IndexDescription } from 'mongodb';
import {
  CLOCK_SAMPLES_PER_DEVICE,
  type ClockSampleRepo,
  type ItemLineReads,
  type StoredClockSample,
} from '../../../ports/clock-samples';
import type { CountLineDocument } from './collections';
import { toLine } from './lines';

export const CLOCK_SAMPLE_COLLECTION = 'clock_samples';
export const CLOCK_SAMPLE_INDEXES: IndexDescription[] = [
  { key: { user_id: 1, device_id: 1, server_received_at: -1 } },
];

const idOf = (s: { user_id: string; device_id: string; server_received_at: string }): string =>
  JSON.stringify([s.user_id, s.device_id, s.server_received_at]);

type SampleDocument = StoredClockSample & { _id: string };

function toSample(doc: SampleDocument): StoredClockSample {
  const { _id, ...sample } = doc;
  return sample;
}

export function createMongoClockSampleRepo(db: Db): ClockSampleRepo {
  const samples: Collection<SampleDocument> = db.collection(CLOCK_SAMPLE_COLLECTION);
  return {
    async record(sample) {
      await samples.updateOne(
        { _id: idOf(sample) },
        { $setOnInsert: { ...sample, client_received_at: null } },
        { upsert: true },
      );
      const cut = await samples
        .find({ user_id: sample.user_id, device_id: sample.device_id })
        .sort({ server_received_at: -1 })
        .skip(CLOCK_SAMPLES_PER_DEVICE - 1)
        .limit(1)
        .toArray();
      if (cut[0] !== undefined) {
        await samples.deleteMany({
          user_id: sample.user_id,
          device_id: sample.device_id,
          server_received_at: { $lt: cut[0].server_received_at },
        });
      }
    },
    async completeRoundTrip(sample) {
      const { client_received_at, ...stored } = sample;
      const result = await samples.updateOne(
        {
          ...stored,
          _id: idOf(sample),
          client_received_at: null,
        },
        { $set: { client_received_at } },
      );
      return result.modifiedCount === 1;
    },
    async list(keys) {
      if (keys.length === 0) return [];
      const docs = await samples
        .find({ $or: keys.map((k) => ({ user_id: k.user_id, device_id: k.device_id })) })
        .sort({ server_received_at: 1 })
        .toArray();
      return docs.map(toSample);
    },
  };
}

export function createMongoItemLineReads(lines: Collection<CountLineDocument>): ItemLineReads {
  return {
    async ofItem(sessionId, itemCode, limit) {
      const docs = await lines
        .find({
          session_id: sessionId,
          item_code: itemCode,
          superseded_by: null,
          status: { $nin: ['REJECTED', 'CANDIDATE'] },
        })
        .sort({ received_at: 1, id: 1 })
        .limit(limit)
        .toArray();
      return docs.map(toLine);
    },
  };
}
