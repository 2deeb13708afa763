import type { ErpStatus, ImportResult } from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import { ApiClient } from './client';
import { importItemMaster, readErpStatus, syncItemMaster } from './erp';

function envelope(status: number, data: unknown, message = '') {
  return new Response(
    JSON.stringify({ success: status < 300, data, error: null, message, request_id: 'r' }),
    { status, headers: { 'Content-Type': 'application/json' } },
  );
}

const clientAnswering = (data: unknown, message = '') =>
  new ApiClient({ baseUrl: 'http://sv', fetchImpl: async () => envelope(200, data, message) });

const status: ErpStatus = {
  source: 'mssql',
  last_sync_at: '2026-12-06T06:00:00.000Z',
  last_success_at: '2026-12-06T06:00:00.000Z',
  last_error: null,
  last_error_at: null,
  item_count: 100_000,
  reachable: true,
  circuit: 'closed',
  schedule: null,
  mirror: {
    running: true,
    full: true,
    started_at: '2026-12-06T06:00:00.000Z',
    finished_at: null,
    items_done: 42_000,
    items_total: 100_000,
    interrupted: false,
    error: null,
  },
};

const imported: ImportResult = {
  format: 'csv',
  rows: 3,
  accepted: 2,
  inserted: 2,
  updated: 0,
  rejected: 1,
  errors: [{ row: 3, field: 'cost', message: 'not a number' }],
  ignored_columns: [],
};

describe('the console reads the ERP answers through their shared schemas', () => {
  it('reads /erp/status with its mirror progress', async () => {
    await expect(readErpStatus(clientAnswering(status))).resolves.toEqual(status);
  });

  it('refuses a status whose mirror progress lacks a field, naming it', async () => {
    const { items_done: _gone, ...mirror } = status.mirror!;
    await expect(
      readErpStatus(clientAnswering({ ...status, mirror, item_count: '100000' })),
    ).rejects.toMatchObject({
      code: 'BAD_ANSWER',
      details: [
        { path: 'item_count', message: expect.any(String) },
        { path: 'mirror.items_done', message: expect.any(String) },
      ],
    });
  });

  it('reads an import result with its rejected rows and message', async () => {
    await expect(
      importItemMaster(clientAnswering(imported, 'Imported 2 items'), new Blob(['x']), 'm.csv'),
    ).resolves.toEqual({ result: imported, message: 'Imported 2 items' });
  });

  it('refuses rejected rows that name the column under another key (the old `.column`)', async () => {
    const renamed = { ...imported, errors: [{ row: 3, column: 'cost', message: 'not a number' }] };
    await expect(
      importItemMaster(clientAnswering(renamed), new Blob(['x']), 'm.csv'),
    ).rejects.toMatchObject({
      code: 'BAD_ANSWER',
      details: [{ path: 'errors.0.field', message: expect.any(String) }],
    });
  });

  it('reports a refused import with the server code and message', async () => {
    const client = new ApiClient({
      baseUrl: 'http://sv',
      fetchImpl: async () =>
        new Response(
          JSON.stringify({
            success: false,
            data: null,
            error: { code: 'PAYLOAD_TOO_LARGE', message: 'File too large' },
            message: 'File too large',
          }),
          { status: 413 },
        ),
    });
    await expect(importItemMaster(client, new Blob(['x']), 'm.csv')).rejects.toMatchObject({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: 'File too large',
    });
  });

  it('reads what an ERP sync did, and refuses a result without its counts', async () => {
    const synced = { items_received: 200, inserted: 3, updated: 1, warehouses: 2, duration_ms: 40 };
    await expect(syncItemMaster(clientAnswering(synced))).resolves.toEqual(synced);
    const { inserted: _gone, ...partial } = synced;
    await expect(syncItemMaster(clientAnswering(partial))).rejects.toMatchObject({
      code: 'BAD_ANSWER',
      details: [{ path: 'inserted', message: expect.any(String) }],
    });
  });
});
