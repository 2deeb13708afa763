/**
 * A staging table behind the `mssql` request boundary the adjustment writer uses
 * (`server/src/adapters/erp/mssql-writeback.ts`), for tests without a SQL Server: it answers the
 * writer's three statements as SQL Server would — `sp_describe_first_result_set` with the table's
 * columns, the `SELECT COUNT(*)` probe from the rows stored, a multi-row `INSERT` by its column
 * list and bound parameters (an unknown column fails with SQL Server's "Invalid column name") —
 * and keeps every statement with its parameters and the transaction's steps. Rows inserted in a
 * transaction that rolls back are dropped.
 */
import type { ISqlType } from 'mssql';
import type {
  TransactionLike,
  WritePoolLike,
  WriteRequestLike,
} from '../../src/adapters/erp/mssql-writeback';

export interface SentStatement {
  text: string;
  inputs: Array<{ name: string; type: (() => ISqlType) | ISqlType; value: unknown }>;
}

export interface FakeStagingTable {
  /** The table's columns (what `sp_describe_first_result_set` answers). */
  columns: string[];
  /** Committed rows, by column name. */
  rows: Array<Record<string, unknown>>;
  /** Every statement of every transaction, in order. */
  sent: SentStatement[];
  /** begin:<isolation level>, commit, rollback. */
  events: string[];
  pool: WritePoolLike;
}

/**
 * The table with `columns`; `existing` rows already there (matched by session_id and
 * content_hash); a statement matching `failOn` throws SQL Server's truncation error.
 */
export function fakeStagingTable(
  columns: readonly string[],
  options: { existing?: Array<Record<string, unknown>>; failOn?: RegExp } = {},
): FakeStagingTable {
  const table: FakeStagingTable = {
    columns: [...columns],
    rows: [...(options.existing ?? [])],
    sent: [],
    events: [],
    pool: { transaction: () => transaction(), close: async () => {} },
  };

  function transaction(): TransactionLike {
    let pending: Array<Record<string, unknown>> = [];
    return {
      async begin(level?: number) {
        table.events.push(`begin:${level}`);
      },
      async commit() {
        table.rows.push(...pending);
        pending = [];
        table.events.push('commit');
      },
      async rollback() {
        pending = [];
        table.events.push('rollback');
      },
      request(): WriteRequestLike {
        const entry: SentStatement = { text: '', inputs: [] };
        const request: WriteRequestLike = {
          input: (name, type, value) => {
            entry.inputs.push({ name, type, value });
            return request;
          },
          query: async (text) => {
            entry.text = text;
            table.sent.push(entry);
            if (options.failOn?.test(text)) {
              throw new Error('String or binary data would be truncated');
            }
            if (text.startsWith('EXEC sp_describe_first_result_set')) {
              return { recordset: table.columns.map((name) => ({ name })) };
            }
            const value = (name: string) => entry.inputs.find((i) => i.name === name)?.value;
            if (text.startsWith('SELECT COUNT(*)')) {
              const n = [...table.rows, ...pending].filter(
                (r) =>
                  r.session_id === value('session_id') && r.content_hash === value('content_hash'),
              ).length;
              return { recordset: [{ n }] };
            }
            const insert = /^INSERT INTO \S+ \(([^)]*)\) VALUES /.exec(text);
            if (insert) {
              const names = insert[1]!.split(', ').map((c) => c.replace(/^\[|\]$/g, ''));
              const unknown = names.find((n) => !table.columns.includes(n));
              if (unknown) throw new Error(`Invalid column name '${unknown}'.`);
              for (let r = 0; r * names.length < entry.inputs.length; r++) {
                const slice = entry.inputs.slice(r * names.length, (r + 1) * names.length);
                pending.push(Object.fromEntries(names.map((n, c) => [n, slice[c]!.value])));
              }
              return {};
            }
            throw new Error(`fake staging table: unexpected statement ${text}`);
          },
        };
        return request;
      },
    };
  }
  return table;
}
