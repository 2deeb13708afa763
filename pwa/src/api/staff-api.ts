import {
  barcodeLookupSchema,
  bookQuantitiesSchema,
  claimAnswerSchema,
  countSessionSchema,
  heartbeatAnswerSchema,
  pageSchemaOf,
  photoUploadAnswerSchema,
  rackLinesSchema,
  rackMapSchema,
  recountTaskListSchema,
  syncBatchAnswerSchema,
} from '@stockverify/shared';
import type {
  ClaimAnswer,
  HeartbeatAnswer,
  LastRoundTrip,
  RackView,
  SyncRecord,
} from '@stockverify/shared';
import type { z } from 'zod';
import type { AuthStore } from '../auth/auth-store';
import type { PhotoEntry } from '../db/device-db';
import type { ExportFetcher } from '../items/item-cache';
import type { RemoteLookup } from '../items/lookup';
import type { SyncTransport } from '../sync/sync-engine';
import { ApiClientError } from './client';

// Answers are checked against the shared schemas (`@stockverify/shared`), the same ones the server
// is tested against. They are read leniently: `z.object` drops fields a newer server may add.

/**
 * A session as the phone keeps it (claims, offline list): the fields it uses, from the shared
 * session schema; the rest is dropped, not stored.
 */
const staffSessionSchema = countSessionSchema.pick({
  id: true,
  warehouse: true,
  name: true,
  mode: true,
  status: true,
  racks: true,
  created_at: true,
});
export type StaffSession = z.infer<typeof staffSessionSchema>;
const staffSessionPageSchema = pageSchemaOf(staffSessionSchema);

export type { RackView };
export type ClaimView = ClaimAnswer;
export type { HeartbeatAnswer };

/** The staff endpoints the phone uses (api.md "Racks and counting", items, sync). */
export function createStaffApi(auth: AuthStore) {
  const path = (p: string) => `/api${p}`;
  const enc = encodeURIComponent;
  return {
    openSessions: async (warehouse: string | null) => {
      const query = new URLSearchParams({ status: 'OPEN', page_size: '100', sort: '-created_at' });
      if (warehouse) query.set('warehouse', warehouse);
      return (await auth.request(path(`/sessions?${query}`), staffSessionPageSchema)).items;
    },
    session: (id: string) => auth.request(path(`/sessions/${enc(id)}`), staffSessionSchema),
    racks: async (warehouse: string, sessionId: string) =>
      (
        await auth.request(
          path(`/warehouses/${enc(warehouse)}/racks?session=${enc(sessionId)}`),
          rackMapSchema,
        )
      ).items,
    /** `split`: count a part of the rack beside other counters (design §12 "Split claims"). */
    claim: (sessionId: string, rack: string, deviceId: string, split = false) =>
      auth.request(
        path(`/sessions/${enc(sessionId)}/racks/${enc(rack)}/claim`),
        claimAnswerSchema,
        {
          method: 'POST',
          body: split ? { device_id: deviceId, split: true } : { device_id: deviceId },
        },
      ),
    heartbeat: (sessionId: string, deviceId: string) =>
      auth.request(path(`/sessions/${enc(sessionId)}/heartbeat`), heartbeatAnswerSchema, {
        method: 'POST',
        body: { device_id: deviceId },
      }),
    rackAction: (sessionId: string, rack: string, action: 'pause' | 'resume' | 'release') =>
      auth.request(
        path(`/sessions/${enc(sessionId)}/racks/${enc(rack)}/${action}`),
        claimAnswerSchema,
        {
          method: 'POST',
          body: {},
        },
      ),
    /**
     * The recount tasks of a session given to me or open to me (issue #16): where and what only,
     * never a quantity or an earlier counter.
     */
    recountTasks: async (sessionId: string) =>
      (await auth.request(path(`/sessions/${enc(sessionId)}/recount-tasks`), recountTaskListSchema))
        .items,
    /** What is counted in a rack, from every phone (quantities hidden while blind applies). */
    rackLines: async (sessionId: string, rack: string) =>
      (
        await auth.request(
          path(`/sessions/${enc(sessionId)}/racks/${enc(rack)}/lines`),
          rackLinesSchema,
        )
      ).items,
    bookQuantities: async (sessionId: string) =>
      (
        await auth.request(
          path(`/sessions/${enc(sessionId)}/book-quantities`),
          bookQuantitiesSchema,
        )
      ).items,
  };
}

export type StaffApi = ReturnType<typeof createStaffApi>;

/** `GET /items/barcode/:code` for the lookup fallback; null for ITEM_NOT_FOUND. */
export function createRemoteLookup(auth: AuthStore, sessionId: string | null): RemoteLookup {
  return async (code) => {
    const query = sessionId ? `?session=${encodeURIComponent(sessionId)}` : '';
    try {
      const answer = await auth.request(
        `/api/items/barcode/${encodeURIComponent(code)}${query}`,
        barcodeLookupSchema,
      );
      return answer;
    } catch (error) {
      if (error instanceof ApiClientError && error.code === 'ITEM_NOT_FOUND') return null;
      throw error;
    }
  };
}

/** `GET /items/export` as an NDJSON stream. */
export function createExportFetcher(auth: AuthStore): ExportFetcher {
  return ({ warehouse, since, session }) => {
    const query = new URLSearchParams({ warehouse, format: 'ndjson' });
    if (since) query.set('since', since);
    if (session) query.set('session', session);
    return auth.fetch(`/api/items/export?${query}`);
  };
}

/** The sync engine's HTTP side: `POST /sync/batch` and `POST /photos`. */
export function createHttpTransport(
  auth: AuthStore,
  now: () => Date = () => new Date(),
): SyncTransport {
  // Clock samples (docs/design.md §13): each batch says when the phone sent it and reports the
  // round trip of the previous answer, so the server can bound this phone's clock both ways. Not
  // in the idempotency key (the engine digests device and records only): a retry is a replay.
  let lastRoundTrip: LastRoundTrip | null = null;
  return {
    async postBatch(deviceId: string, records: readonly SyncRecord[], key: string) {
      const clientSentAt = now().toISOString();
      const answer = await auth.request('/api/sync/batch', syncBatchAnswerSchema, {
        method: 'POST',
        body: {
          device_id: deviceId,
          records,
          client_sent_at: clientSentAt,
          ...(lastRoundTrip === null ? {} : { last_round_trip: lastRoundTrip }),
        },
        headers: { 'Idempotency-Key': key },
      });
      lastRoundTrip =
        answer.clock === undefined
          ? null
          : {
              client_sent_at: clientSentAt,
              ...answer.clock,
              client_received_at: now().toISOString(),
            };
      return answer.results;
    },
    async uploadPhoto(photo: PhotoEntry) {
      const blob = new Blob([photo.blob], { type: photo.content_type });
      return (
        await auth.request('/api/photos', photoUploadAnswerSchema, {
          method: 'POST',
          rawBody: blob,
        })
      ).photo_id;
    },
  };
}
