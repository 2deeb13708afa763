import { erpStatusSchema, erpSyncResultSchema, importResultSchema } from '@stockverify/shared';
import type { ErpStatus, ErpSyncResult, ImportResult } from '@stockverify/shared';
import { ApiError, parseAnswer, type ApiClient } from './client';

/** `GET /erp/status`, checked against the shared schema (mirror progress and schedule included). */
export function readErpStatus(client: ApiClient): Promise<ErpStatus> {
  return client.read(erpStatusSchema, '/erp/status');
}

/**
 * `POST /erp/import` of an item-master file (multipart field `file`): the result, checked against
 * the shared schema (each rejected row names its `field`), and the server's message.
 */
export async function importItemMaster(
  client: ApiClient,
  file: Blob,
  name: string,
): Promise<{ result: ImportResult; message: string }> {
  const body = new FormData();
  body.append('file', file, name);
  const response = await client.raw('/erp/import', { method: 'POST', body });
  let envelope: { success?: boolean; data?: unknown; message?: string; error?: unknown };
  try {
    envelope = (await response.json()) as typeof envelope;
  } catch {
    throw new ApiError(response.status, 'NOT_JSON', `The server answered HTTP ${response.status}.`);
  }
  if (envelope.success !== true || !response.ok) {
    const error = (envelope.error ?? {}) as { code?: unknown; message?: unknown };
    throw new ApiError(
      response.status,
      typeof error.code === 'string' ? error.code : 'ERROR',
      typeof error.message === 'string' ? error.message : 'Import failed',
    );
  }
  return {
    result: parseAnswer(importResultSchema, envelope.data, '/erp/import'),
    message: typeof envelope.message === 'string' ? envelope.message : '',
  };
}

/** `POST /erp/sync`: mirrors the ERP source now; what the pass did, checked against the shared schema. */
export function syncItemMaster(client: ApiClient): Promise<ErpSyncResult> {
  return client.write(erpSyncResultSchema, '/erp/sync', {});
}
