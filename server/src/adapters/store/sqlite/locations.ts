/** LocationRepo on SQLite: one JSON document per warehouse (a few per site, read whole). */
import type { Warehouse } from '@stockverify/shared';
import type { LocationRepo } from '../../../ports/store';
import { lazy, type Db } from './database';

/** Builds the location repository over an open, migrated database. */
export function createSqliteLocationRepo(db: Db): LocationRepo {
  const statements = lazy(() => ({
    upsert: db.prepare<[{ id: string; doc: string }]>(
      `INSERT INTO warehouses (id, doc) VALUES (@id, @doc)
       ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`,
    ),
    all: db.prepare<[], string>('SELECT doc FROM warehouses ORDER BY id').pluck(),
    byId: db.prepare<[string], string>('SELECT doc FROM warehouses WHERE id = ?').pluck(),
  }));

  const upsertAll = db.transaction((warehouses: readonly Warehouse[]) => {
    for (const warehouse of warehouses) {
      statements().upsert.run({ id: warehouse.id, doc: JSON.stringify(warehouse) });
    }
  });

  return {
    async upsertWarehouses(warehouses) {
      upsertAll.immediate(warehouses);
    },
    async listWarehouses() {
      return statements()
        .all.all()
        .map((doc) => JSON.parse(doc) as Warehouse);
    },
    async getWarehouse(id) {
      const doc = statements().byId.get(id);
      return doc === undefined ? null : (JSON.parse(doc) as Warehouse);
    },
  };
}
