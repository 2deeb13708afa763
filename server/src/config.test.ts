import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives the embedded defaults with no configuration', () => {
    const config = loadConfig({ INIT_CWD: '/srv/stockverify' });
    expect(config).toMatchObject({
      PORT: 8080,
      HOST: '0.0.0.0',
      ERP_SOURCE: 'demo',
      ACCESS_TOKEN_EXPIRE_MINUTES: 15,
      REFRESH_TOKEN_EXPIRE_DAYS: 7,
    });
    expect(config.dataDir).toBe('/srv/stockverify/data');
    expect(config.MONGODB_URI).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', REDIS_URL: '' }).PORT).toBe(8080);
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'x', JWT_SECRET: 'short', ERP_SOURCE: 'oracle' })).toThrow(
      ConfigError,
    );
    try {
      loadConfig({ PORT: 'x', JWT_SECRET: 'short', ERP_SOURCE: 'oracle' });
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('JWT_SECRET');
      expect(message).toContain('ERP_SOURCE');
    }
  });

  it('takes DEMO_RACKS_PER_AISLE for bigger demo warehouses (20 by default)', () => {
    expect(loadConfig({}).DEMO_RACKS_PER_AISLE).toBe(20);
    expect(loadConfig({ DEMO_RACKS_PER_AISLE: '167' }).DEMO_RACKS_PER_AISLE).toBe(167);
    expect(() => loadConfig({ DEMO_RACKS_PER_AISLE: '0' })).toThrow(/DEMO_RACKS_PER_AISLE/);
    expect(() => loadConfig({ DEMO_RACKS_PER_AISLE: '1000' })).toThrow(/DEMO_RACKS_PER_AISLE/);
  });

  it('needs the file or connection of the chosen ERP source', () => {
    expect(() => loadConfig({ ERP_SOURCE: 'file' })).toThrow(/ERP_FILE/);
    expect(() => loadConfig({ ERP_SOURCE: 'mssql' })).toThrow(/MSSQL_URL/);
    expect(loadConfig({ ERP_SOURCE: 'file', ERP_FILE: 'items.csv' }).ERP_FILE).toBe('items.csv');
  });

  it('caps the access-token lifetime at 15 minutes (design §6)', () => {
    expect(() => loadConfig({ ACCESS_TOKEN_EXPIRE_MINUTES: '60' })).toThrow(
      /ACCESS_TOKEN_EXPIRE_MINUTES/,
    );
  });

  it('takes CORS_ORIGINS as exact origins, allowing the Electron console by default', () => {
    expect(loadConfig({}).CORS_ORIGINS).toEqual(['app://renderer']);
    expect(
      loadConfig({ CORS_ORIGINS: 'app://renderer, https://office.example:8443' }).CORS_ORIGINS,
    ).toEqual(['app://renderer', 'https://office.example:8443']);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://office.example/console' })).toThrow(
      /CORS_ORIGINS/,
    );
    expect(() => loadConfig({ CORS_ORIGINS: 'office.example' })).toThrow(/CORS_ORIGINS/);
  });
});

describe('loadConfig: production settings (issue #7)', () => {
  it('takes TLS files as a pair, or self-signed, not both', () => {
    expect(() => loadConfig({ TLS_CERT_FILE: '/etc/sv/cert.pem' })).toThrow(/TLS_KEY_FILE/);
    expect(() => loadConfig({ TLS_KEY_FILE: '/etc/sv/key.pem' })).toThrow(/TLS_CERT_FILE/);
    expect(() =>
      loadConfig({ TLS_CERT_FILE: 'c', TLS_KEY_FILE: 'k', TLS_SELF_SIGNED: 'true' }),
    ).toThrow(/TLS_SELF_SIGNED/);
    expect(() => loadConfig({ TLS_SELF_SIGNED: 'maybe' })).toThrow(/TLS_SELF_SIGNED/);
    const selfSigned = loadConfig({
      TLS_SELF_SIGNED: 'true',
      TLS_SELF_SIGNED_NAMES: 'stock.lan, 10.0.0.5',
    });
    expect(selfSigned.TLS_SELF_SIGNED).toBe(true);
    expect(selfSigned.TLS_SELF_SIGNED_NAMES).toEqual(['stock.lan', '10.0.0.5']);
    expect(() => loadConfig({ TLS_SELF_SIGNED_NAMES: 'a b' })).toThrow(/TLS_SELF_SIGNED_NAMES/);
  });

  it('takes the benchmark switch BENCH_SKIP_READ_MODEL, never in production', () => {
    expect(loadConfig({}).BENCH_SKIP_READ_MODEL).toBe(false);
    expect(loadConfig({ BENCH_SKIP_READ_MODEL: 'true' }).BENCH_SKIP_READ_MODEL).toBe(true);
    expect(() => loadConfig({ BENCH_SKIP_READ_MODEL: 'yes' })).toThrow(/BENCH_SKIP_READ_MODEL/);
    expect(() => loadConfig({ BENCH_SKIP_READ_MODEL: 'true', NODE_ENV: 'production' })).toThrow(
      /BENCH_SKIP_READ_MODEL: a benchmark setting/,
    );
  });

  it('checks the shape of MONGODB_URI and REDIS_URL', () => {
    expect(() => loadConfig({ MONGODB_URI: 'db1:27017' })).toThrow(/MONGODB_URI/);
    expect(() => loadConfig({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL/);
    expect(
      loadConfig({ MONGODB_URI: 'mongodb+srv://sv:pw@cluster.example.net/?retryWrites=true' })
        .MONGODB_URI,
    ).toContain('mongodb+srv://');
    expect(loadConfig({ REDIS_URL: 'rediss://:pw@cache:6380/0' }).REDIS_URL).toBe(
      'rediss://:pw@cache:6380/0',
    );
  });

  it('checks TRUST_PROXY the way Express reads it', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe('loopback');
    expect(loadConfig({ TRUST_PROXY: '10.0.0.5, loopback' }).TRUST_PROXY).toBe(
      '10.0.0.5, loopback',
    );
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8' }).TRUST_PROXY).toBe('10.0.0.0/8');
    expect(() => loadConfig({ TRUST_PROXY: 'yes' })).toThrow(
      /TRUST_PROXY: invalid IP address: yes/,
    );
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY/);
  });

  it('takes an HTTP redirect port only with HTTPS, and not the HTTPS port itself', () => {
    expect(() => loadConfig({ HTTP_REDIRECT_PORT: '8080' })).toThrow(
      /HTTP_REDIRECT_PORT: only with HTTPS/,
    );
    expect(() =>
      loadConfig({ HTTP_REDIRECT_PORT: '8443', PORT: '8443', TLS_SELF_SIGNED: 'true' }),
    ).toThrow(/must differ from PORT/);
    expect(
      loadConfig({ HTTP_REDIRECT_PORT: '8080', PORT: '8443', TLS_SELF_SIGNED: 'true' })
        .HTTP_REDIRECT_PORT,
    ).toBe(8080);
  });

  it('checks MSSQL_URL at start: a URL or an ADO string, with a server', () => {
    expect(loadConfig({ MSSQL_URL: 'mssql://sv:pw@erp/ERP' }).MSSQL_URL).toBe(
      'mssql://sv:pw@erp/ERP',
    );
    expect(
      loadConfig({ MSSQL_URL: 'Server=erp;Database=ERP;User Id=sv;Password=pw' }).MSSQL_URL,
    ).toContain('Server=erp');
    expect(() => loadConfig({ MSSQL_URL: 'Database=ERP' })).toThrow(/MSSQL_URL.*no server/);
    expect(() => loadConfig({ MSSQL_URL: 'mssql://erp/ERP?encrpyt=1' })).toThrow(
      /MSSQL_URL.*unknown option/,
    );
  });

  it('checks the MSSQL column map and view name at start', () => {
    expect(() => loadConfig({ MSSQL_COLUMN_MAP: '{"itemcode":"x"}' })).toThrow(
      /MSSQL_COLUMN_MAP.*unknown key/s,
    );
    expect(() => loadConfig({ MSSQL_COLUMN_MAP: '{' })).toThrow(/MSSQL_COLUMN_MAP/);
    expect(() => loadConfig({ MSSQL_VIEW: 'dbo.v]; DROP TABLE x--' })).toThrow(/MSSQL_VIEW/);
    expect(loadConfig({ MSSQL_VIEW: 'erp.StockView' }).MSSQL_VIEW).toBe('erp.StockView');
  });

  it('schedules ERP mirroring (0 or off turns a pass off) and checks the time of day', () => {
    const defaults = loadConfig({});
    expect([
      defaults.ERP_QTY_SYNC_MINUTES,
      defaults.ERP_ITEM_SYNC_MINUTES,
      defaults.ERP_FULL_SYNC_AT,
    ]).toEqual([5, 60, '02:00']);
    expect(loadConfig({ ERP_QTY_SYNC_MINUTES: '0', ERP_FULL_SYNC_AT: 'off' })).toMatchObject({
      ERP_QTY_SYNC_MINUTES: 0,
      ERP_FULL_SYNC_AT: 'off',
    });
    expect(() => loadConfig({ ERP_FULL_SYNC_AT: '25:00' })).toThrow(/ERP_FULL_SYNC_AT/);
    expect(() => loadConfig({ ERP_QTY_SYNC_MINUTES: '-1' })).toThrow(/ERP_QTY_SYNC_MINUTES/);
  });

  it('keeps the write-back off by default and refuses unsafe table names', () => {
    expect(loadConfig({}).ERP_WRITEBACK_ENABLED).toBe(false);
    expect(() => loadConfig({ ERP_WRITEBACK_TABLE: 'dbo.adj; DROP TABLE x' })).toThrow(
      /ERP_WRITEBACK_TABLE/,
    );
    expect(() => loadConfig({ ERP_WRITEBACK_TABLE: '[dbo].[adj]' })).toThrow(/ERP_WRITEBACK_TABLE/);
    expect(() => loadConfig({ ERP_WRITEBACK_ENABLED: 'true' })).toThrow(
      /ERP_WRITEBACK_ENABLED: needs ERP_SOURCE=mssql[\s\S]*ERP_WRITEBACK_TABLE: required/,
    );
    const on = loadConfig({
      ERP_SOURCE: 'mssql',
      MSSQL_URL: 'mssql://sv:pw@erp/ERP',
      ERP_WRITEBACK_ENABLED: 'true',
      ERP_WRITEBACK_TABLE: 'stage.StockAdjustments',
    });
    expect(on.ERP_WRITEBACK_TABLE).toBe('stage.StockAdjustments');
  });

  it('configures ERP movements (issue #17): defaults, the ledger settings, bad values by name', () => {
    const defaults = loadConfig({});
    expect(defaults).toMatchObject({
      DEMO_MOVEMENTS_PER_MINUTE: 3,
      DEMO_MOVEMENTS_TOTAL: 0,
      ERP_MOVEMENTS_INTERVAL_MS: 60_000,
      MSSQL_MOVEMENTS_WATERMARK_TYPE: 'bigint',
    });
    // bench:session stops the demo after its --movements.
    expect(loadConfig({ DEMO_MOVEMENTS_TOTAL: '100000' }).DEMO_MOVEMENTS_TOTAL).toBe(100_000);
    expect(defaults.MSSQL_MOVEMENTS_TABLE).toBeUndefined();
    expect(
      loadConfig({ ERP_MOVEMENTS_INTERVAL_MS: '0', DEMO_MOVEMENTS_PER_MINUTE: '0' }),
    ).toMatchObject({
      ERP_MOVEMENTS_INTERVAL_MS: 0,
      DEMO_MOVEMENTS_PER_MINUTE: 0,
    });
    // bench:session posts issue #17's 100,000 movements in about 4 minutes (10,000 was the most).
    expect(loadConfig({ DEMO_MOVEMENTS_PER_MINUTE: '60000' }).DEMO_MOVEMENTS_PER_MINUTE).toBe(
      60_000,
    );
    expect(() => loadConfig({ DEMO_MOVEMENTS_PER_MINUTE: '60001' })).toThrow(
      /DEMO_MOVEMENTS_PER_MINUTE/,
    );
    const ledger = loadConfig({
      MSSQL_MOVEMENTS_TABLE: 'erp.ItemLedger',
      MSSQL_MOVEMENTS_WATERMARK_TYPE: 'rowversion',
      MSSQL_MOVEMENTS_COLUMN_MAP: '{"watermark":"RowVer"}',
    });
    expect(ledger.MSSQL_MOVEMENTS_TABLE).toBe('erp.ItemLedger');
    for (const [name, value] of [
      ['ERP_MOVEMENTS_INTERVAL_MS', '500'],
      ['DEMO_MOVEMENTS_PER_MINUTE', '-1'],
      ['DEMO_MOVEMENTS_TOTAL', '-1'],
      ['DEMO_MOVEMENTS_TOTAL', '2.5'],
      ['MSSQL_MOVEMENTS_TABLE', 'erp.Ledger]; DROP'],
      ['MSSQL_MOVEMENTS_WATERMARK_TYPE', 'timestamp'],
      ['MSSQL_MOVEMENTS_COLUMN_MAP', '{"entry":"x"}'],
    ]) {
      expect(() => loadConfig({ [name!]: value })).toThrow(new RegExp(name!));
    }
    expect(() =>
      loadConfig({ MSSQL_MOVEMENTS_TABLE: 'erp.L', MSSQL_MOVEMENTS_QUERY: 'SELECT 1' }),
    ).toThrow(/either MSSQL_MOVEMENTS_TABLE or MSSQL_MOVEMENTS_QUERY/);
    expect(() => loadConfig({ MSSQL_MOVEMENTS_WATERMARK_QUERY: 'SELECT 1' })).toThrow(
      /only with MSSQL_MOVEMENTS_QUERY/,
    );
    expect(() => loadConfig({ ERP_MOVEMENTS_FILE: 'ledger.csv' })).toThrow(
      /ERP_MOVEMENTS_FILE: only with ERP_SOURCE=file/,
    );
    expect(
      loadConfig({ ERP_SOURCE: 'file', ERP_FILE: 'items.csv', ERP_MOVEMENTS_FILE: 'ledger.csv' })
        .ERP_MOVEMENTS_FILE,
    ).toBe('ledger.csv');
  });
});
