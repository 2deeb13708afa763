import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import type { Adapters } from '../deps';
import type { Coordination } from '../ports/coordination';
import type { ErpSource } from '../ports/erp';
import type { Store } from '../ports/store';
import { fatalOutcomes, formatOutcome, runChecks } from './checks';
import {
  dataDirCheck,
  dependencyChecks,
  writebackCheck,
  type StartupProbes,
} from './dependency-checks';
import type { TlsMaterial } from './tls';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) {
    fs.chmodSync(dir, 0o700);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function setup(env: Record<string, string>, overrides: Partial<Adapters> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-checks-'));
  dirs.push(dir);
  const config = loadConfig({ DATA_DIR: dir, ...env });
  const calls: string[] = [];
  const store = {
    kind: env.MONGODB_URI ? 'mongodb' : 'sqlite',
    init: async () => void calls.push('store.init'),
    ping: async () => void calls.push('store.ping'),
    close: async () => {},
  } as unknown as Store;
  const coordination = {
    kind: env.REDIS_URL ? 'redis' : 'memory',
    ping: async () => void calls.push('coordination.ping'),
  } as unknown as Coordination;
  const erp = { kind: config.ERP_SOURCE, ping: async () => {} } as unknown as ErpSource;
  const adapters: Adapters = { store, coordination, erp, ...overrides };
  const tlsMaterial = {
    names: ['DNS:localhost'],
    validTo: new Date(Date.now() + 100 * 86_400_000),
    generated: true,
  } as TlsMaterial;
  const probes: StartupProbes = {
    mongoReplicaSet: async () => ({ detail: 'replica set rs0, 1 member(s), primary db1:27017' }),
    tls: () => tlsMaterial,
  };
  const holder: { material: TlsMaterial | null } = { material: null };
  return { config, adapters, probes, holder, calls, dir, tlsMaterial };
}

async function run(s: ReturnType<typeof setup>) {
  return runChecks(dependencyChecks(s.config, s.adapters, s.probes, s.holder), {
    timeoutMs: 2000,
  });
}

describe('dependency checks', () => {
  it('embedded default: the SQLite store (migrated and pinged) and the demo ERP, nothing else', async () => {
    const s = setup({});
    const outcomes = await run(s);
    expect(outcomes.map((o) => [o.name, o.status])).toEqual([
      ['store', 'ok'],
      ['erp', 'ok'],
    ]);
    expect(outcomes[0]!.target).toBe(`sqlite ${path.join(s.dir, 'stockverify.db')}`);
    expect(s.calls).toEqual(['store.init', 'store.ping']);
  });

  it('scaled: MongoDB with its replica-set status and Redis, password hidden', async () => {
    const s = setup({
      MONGODB_URI: 'mongodb://sv:pw-9f8e7d@db1:27017/?replicaSet=rs0',
      REDIS_URL: 'redis://:hunter2@cache:6379',
    });
    const outcomes = await run(s);
    expect(outcomes.map((o) => [o.name, o.status])).toEqual([
      ['store', 'ok'],
      ['coordination', 'ok'],
      ['erp', 'ok'],
      // No JWT_SECRET with a shared store: each machine would sign with its own key.
      ['jwt-secret', 'warn'],
    ]);
    const lines = outcomes.map(formatOutcome).join('\n');
    expect(lines).not.toContain('pw-9f8e7d');
    expect(lines).not.toContain('hunter2');
    expect(lines).toContain('replica set rs0');
    expect(fatalOutcomes(outcomes)).toEqual([]);
  });

  it('no JWT_SECRET warning once it is set', async () => {
    const s = setup({
      MONGODB_URI: 'mongodb://db1/?replicaSet=rs0',
      JWT_SECRET: 'x'.repeat(40),
    });
    expect((await run(s)).map((o) => o.name)).toEqual(['store', 'erp']);
  });

  it('Redis down is fatal; the ERP down only warns', async () => {
    const s = setup(
      { REDIS_URL: 'redis://127.0.0.1:1' },
      {
        erp: {
          kind: 'demo',
          ping: () => Promise.reject(new Error('ERP offline')),
        } as unknown as ErpSource,
      },
    );
    s.adapters.coordination.ping = () => Promise.reject(new Error('connect ECONNREFUSED'));
    const outcomes = await run(s);
    expect(fatalOutcomes(outcomes).map((o) => o.name)).toEqual(['coordination']);
    expect(outcomes.find((o) => o.name === 'erp')!.status).toBe('warn');
    expect(formatOutcome(outcomes[1]!)).toContain('fix REDIS_URL');
  });

  it('mssql: a missing mapped column is a warning naming the setting to fix', async () => {
    const s = setup(
      { ERP_SOURCE: 'mssql', MSSQL_URL: 'mssql://sv:pw@erp/ERP' },
      {
        erp: {
          kind: 'mssql',
          ping: async () => {},
          checkItemColumns: async () => ({
            columns: ['item_code', 'name'],
            missing: ['stock_qty (column OnHand)'],
          }),
        } as unknown as ErpSource,
      },
    );
    const erp = (await run(s)).find((o) => o.name === 'erp')!;
    expect(erp.status).toBe('warn');
    expect(erp.target).toBe('mssql mssql://sv:***@erp/ERP');
    expect(erp.message).toMatch(/lacks stock_qty \(column OnHand\).*MSSQL_COLUMN_MAP/);
  });

  it('mssql ledger: answers with its watermark; a failing one only warns, with what to check', async () => {
    const ledger = (currentWatermark: () => Promise<string | null>) =>
      setup(
        {
          ERP_SOURCE: 'mssql',
          MSSQL_URL: 'mssql://sv:pw@erp/ERP',
          MSSQL_MOVEMENTS_TABLE: 'erp.ItemLedger',
        },
        {
          erp: {
            kind: 'mssql',
            ping: async () => {},
            checkItemColumns: async () => ({ columns: ['item_code'], missing: [] }),
            currentWatermark,
          } as unknown as ErpSource,
        },
      );
    const ok = (await run(ledger(async () => '120345'))).find((o) => o.name === 'erp-movements')!;
    expect(ok).toMatchObject({ status: 'ok', target: 'erp.ItemLedger' });
    expect(ok.message).toContain('ledger at 120345');
    const outcomes = await run(
      ledger(async () => {
        throw new Error("Invalid object name 'erp.ItemLedger'");
      }),
    );
    const failed = outcomes.find((o) => o.name === 'erp-movements')!;
    expect(failed.status).toBe('warn');
    expect(formatOutcome(failed)).toMatch(/Invalid object name.*MSSQL_MOVEMENTS_TABLE/s);
    expect(fatalOutcomes(outcomes)).toEqual([]);
    // The demo's ledger needs no check.
    expect((await run(setup({}))).map((o) => o.name)).not.toContain('erp-movements');
  });

  it('TLS: the material is kept for listening; a bad pair is fatal', async () => {
    const s = setup({ TLS_SELF_SIGNED: 'true' });
    const tls = (await run(s)).find((o) => o.name === 'tls')!;
    expect(tls.status).toBe('ok');
    expect(s.holder.material).toBe(s.tlsMaterial);

    const bad = setup({ TLS_CERT_FILE: '/nope/cert.pem', TLS_KEY_FILE: '/nope/key.pem' });
    bad.probes.tls = () => {
      throw new Error('TLS_CERT_FILE /nope/cert.pem cannot be read (ENOENT)');
    };
    const outcome = (await run(bad)).find((o) => o.name === 'tls')!;
    expect(outcome.status).toBe('fail');
    expect(formatOutcome(outcome)).toMatch(/cannot be read.*→ point TLS_CERT_FILE/);
  });

  it('a data folder that cannot be written is fatal', async () => {
    // A file where the folder should be: refused for root too (who may write anywhere else).
    const s = setup({});
    const file = path.join(s.dir, 'not-a-dir');
    fs.writeFileSync(file, '');
    const [outcome] = await runChecks([dataDirCheck(loadConfig({ DATA_DIR: file }))], {
      timeoutMs: 1000,
    });
    expect(outcome!.status).toBe('fail');
    expect(outcome!.message).toMatch(/EEXIST|ENOTDIR/);
    expect(outcome!.hint).toContain('DATA_DIR');
  });
});

describe('write-back staging table check', () => {
  it('warns (never stops the start) when the table lacks columns or cannot be described', async () => {
    const [lacking, down] = await runChecks(
      [
        writebackCheck({ table: 'stage.Adj', missingColumns: async () => ['reason'] }),
        writebackCheck({
          table: 'stage.Adj',
          missingColumns: () => Promise.reject(new Error("Invalid object name 'stage.Adj'")),
        }),
      ],
      { timeoutMs: 1000 },
    );
    expect(lacking!.status).toBe('warn');
    expect(lacking!.message).toContain('lacks reason');
    expect(down!.status).toBe('warn');
    expect(formatOutcome(down!)).toMatch(/Invalid object name.*create the staging table/);
  });

  it('a table created before issue #17’s columns: the warning carries the ALTER TABLE that adds them', async () => {
    const [outdated] = await runChecks(
      [
        writebackCheck({
          table: 'stage.Adj',
          missingColumns: async () => ['basis', 'variance_at_count'],
        }),
      ],
      { timeoutMs: 1000 },
    );
    expect(outdated!.status).toBe('warn');
    expect(outdated!.message).toContain(
      'lacks basis, variance_at_count; add them with: ALTER TABLE [stage].[Adj] ADD [basis] nvarchar(32) NULL, [variance_at_count] decimal(18, 3) NULL;',
    );
  });
});
