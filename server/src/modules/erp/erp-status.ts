import type { ErpSource } from '../../ports/erp';
import type { Store } from '../../ports/store';

export interface ErpStatusDoc {
  last_sync_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  last_result: Record<string, unknown> | null;
}

const KEY = 'erp.status';
const EMPTY: ErpStatusDoc = {
  last_sync_at: null,
  last_success_at: null,
  last_error: null,
  last_error_at: null,
  last_result: null,
};

export type ErpStatusRecorder = ReturnType<typeof createErpStatusRecorder>;

/** Keeps the ERP mirror's status document in the Store so every API process sees it. */
export function createErpStatusRecorder(store: Store, source: ErpSource, clock: () => Date) {
  async function read(): Promise<ErpStatusDoc> {
    return { ...EMPTY, ...((await store.meta.get<ErpStatusDoc>(KEY)) ?? {}) };
  }
  return {
    source: source.kind,
    read,
    async recordError(err: unknown): Promise<void> {
      const message = err instanceof Error ? err.message : String(err);
      await store.meta.set(KEY, {
        ...(await read()),
        last_error: message,
        last_error_at: clock().toISOString(),
      });
    },
    async recordSync(result: Record<string, unknown>, error: unknown | null): Promise<void> {
      const now = clock().toISOString();
      const doc = await read();
      doc.last_sync_at = now;
      doc.last_result = result;
      if (error === null) doc.last_success_at = now;
      else {
        doc.last_error = error instanceof Error ? error.message : String(error);
        doc.last_error_at = now;
      }
      await store.meta.set(KEY, doc);
    },
  };
}
