/** LocationRepo on MongoDB: one document per warehouse. */
import type { Warehouse } from '@stockverify/shared';
import type { Collection, WithId } from 'mongodb';
import type { LocationRepo } from '../../../ports/store';

function toWarehouse(doc: WithId<Warehouse>): Warehouse {
  const { _id, ...warehouse } = doc;
  return warehouse;
}

/** Builds the location repository over the warehouses collection. */
export function createMongoLocationRepo(warehouses: Collection<Warehouse>): LocationRepo {
  return {
    async upsertWarehouses(list) {
      if (list.length === 0) return;
      await warehouses.bulkWrite(
        list.map((w) => ({
          replaceOne: { filter: { id: w.id }, replacement: { ...w }, upsert: true },
        })),
      );
    },
    async listWarehouses() {
      const docs = await warehouses.find().sort({ id: 1 }).toArray();
      return docs.map(toWarehouse);
    },
    async getWarehouse(id) {
      const doc = await warehouses.findOne({ id });
      return doc ? toWarehouse(doc) : null;
    },
  };
}
