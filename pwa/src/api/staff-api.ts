import { rackLinesSchema, recountTasksSchema } from '@stockverify/shared';
import type { BarcodeLookup, RecordResult, SyncRecord } from '@stockverify/shared';
import { z } from 'zod';
import type { AuthStore } from '../auth/auth-store';
import type { PhotoEntry } from '../db/device-db';
import type { ExportFetcher } from '../items/item-cache';
import type { RemoteLookup } from '../items/lookup';
import type { SyncTransport } from '../sync/sync-engine';
import { ApiClientError } from './client';

// Answers are read leniently (`looseObject`): a newer server may add fields.
// Sessions are kept on the phone (claims, offline list): unknown fields are dropped, not stored.
const sessionSchema = z.object({
  id: z.string(),
  warehouse: z.string(),
  name: z.string(),
  mode: z.enum(['standard', 'blind', 'strict']),
  status: z.enum(['OPEN', 'CLOSED', 'RECONCILED']),
  racks: z.array(z.string()),
  created_at: z.string(),
});
export type StaffSession = z.infer<typeof sessionSchema>;

const sessionPageSchema = z.looseObject({ items: z.array(sessionSchema), total: z.number() });

const rackStateSchema = z.looseObject({
  code: z.string(),
  floor: z.string(),
  location_barcode: z.string().nullable(),
  state: z.enum(['not_started', 'claimed', 'paused', 'completed', 'recount', 'available']),
  claimant: z
    .looseObject({
      user_id: z.string(),
      username: z.string(),
      last_heartbeat_at: z.string().nullable().optional(),
    })
    .nullable(),
  lines: z.number(),
});
export type RackView = z.infer<typeof rackStateSchema>;

const racksSchema = z.looseObject({ items: z.array(rackStateSchema) });

const claimSchema = z.looseObject({
  claim_id: z.string(),
  rack: z.string(),
  fencing_token: z.number(),
  lock_expires_at: z.string(),
  status: z.string(),
});
export type ClaimView = z.infer<typeof claimSchema>;

const heartbeatSchema = z.looseObject({
  claims: z.array(claimSchema),
  lost: z.array(z.string()),
  server_time: z.string(),
});
export type HeartbeatAnswer = z.infer<typeof heartbeatSchema>;

const booksSchema = z.looseObject({
  items: z.array(z.object({ item_code: z.string(), book_qty: z.number() })),
});

const resultSchema = z.looseObject({
  op_id: z.string(),
  status: z.enum(['OK', 'CONFLICT', 'ERROR']),
  code: z.string().nullable(),
  message: z.string(),
  details: z.array(z.looseObject({ path: z.string(), message: z.string() })).default([]),
  line_id: z.string().nullable().default(null),
  variance: z.number().nullable().optional(),
});
const batchSchema = z.looseObject({ results: z.array(resultSchema) });
const photoSchema = z.looseObject({ photo_id: z.string() });
const anySchema = z.unknown();

/** Trusts the server's lookup shape (it is the shared `BarcodeLookup`), checking the essentials. */
const lookupSchema = z.looseObject({
  item: z.looseObject({ item_code: z.string(), name: z.string() }),
  matched_barcode: z.string(),
  barcode_kind: z.enum(['primary', 'manual', 'pack']),
  pack_qty: z.number(),
});

/** The staff endpoints the phone uses (api.md "Racks and counting", items, sync). */
export function createStaffApi(auth: AuthStore) {
  const path = (p: string) => `/api${p}`;
  const enc = encodeURIComponent;
  return {
    openSessions: async (warehouse: string | null) => {
      const query = new URLSearchParams({ status: 'OPEN', page_size: '100', sort: '-created_at' });
      if (warehouse) query.set('warehouse', warehouse);
      return (await auth.request(path(`/sessions?${query}`), sessionPageSchema)).items;
    },
    session: (id: string) => auth.request(path(`/sessions/${enc(id)}`), sessionSchema),
    racks: async (warehouse: string, sessionId: string) =>
      (
        await auth.request(
          path(`/warehouses/${enc(warehouse)}/racks?session=${enc(sessionId)}`),
          racksSchema,
        )
      ).items,
    claim: (sessionId: string, rack: string, deviceId: string) =>
      auth.request(path(`/sessions/${enc(sessionId)}/racks/${enc(rack)}/claim`), claimSchema, {
        method: 'POST',
        body: { device_id: deviceId },
      }),
    heartbeat: (sessionId: string, deviceId: string) =>
      auth.request(path(`/sessions/${enc(sessionId)}/heartbeat`), heartbeatSchema, {
        method: 'POST',
        body: { device_id: deviceId },
      }),
    rackAction: (sessionId: string, rack: string, action: 'pause' | 'resume' | 'release') =>
      auth.request(path(`/sessions/${enc(sessionId)}/racks/${enc(rack)}/${action}`), anySchema, {
        method: 'POST',
        body: {},
      }),
    /** Lines of mine a supervisor sent back for recount in this session (issue #14). */
    recounts: async (sessionId: string) =>
      (await auth.request(path(`/sessions/${enc(sessionId)}/recounts`), recountTasksSchema)).items,
    /** What is counted in a rack, from every phone (quantities hidden while blind applies). */
    rackLines: async (sessionId: string, rack: string) =>
      (
        await auth.request(
          path(`/sessions/${enc(sessionId)}/racks/${enc(rack)}/lines`),
          rackLinesSchema,
        )
      ).items,
    bookQuantities: async (sessionId: string) =>
      (await auth.request(path(`/sessions/${enc(sessionId)}/book-quantities`), booksSchema)).items,
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
        lookupSchema,
      );
      return answer as unknown as BarcodeLookup;
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
export function createHttpTransport(auth: AuthStore): SyncTransport {
  return {
    async postBatch(deviceId: string, records: readonly SyncRecord[], key: string) {
      const answer = await auth.request('/api/sync/batch', batchSchema, {
        method: 'POST',
        body: { device_id: deviceId, records },
        headers: { 'Idempotency-Key': key },
      });
      return answer.results as RecordResult[];
    },
    async uploadPhoto(photo: PhotoEntry) {
      const blob = new Blob([photo.blob], { type: photo.content_type });
      return (await auth.request('/api/photos', photoSchema, { method: 'POST', rawBody: blob }))
        .photo_id;
    },
  };
}
