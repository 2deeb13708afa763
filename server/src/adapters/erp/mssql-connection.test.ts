import { describe, expect, it } from 'vitest';
import { mssqlConfig } from './mssql-connection';

describe('mssqlConfig', () => {
  it('reads a mssql:// URL, decoding the password, with encryption on by default', () => {
    expect(mssqlConfig('mssql://sv_reader:p%40ss%3Bword@erp-sql:1444/ERP')).toEqual({
      server: 'erp-sql',
      port: 1444,
      user: 'sv_reader',
      password: 'p@ss;word',
      database: 'ERP',
      options: { encrypt: true },
    });
  });

  it('takes the usual options from the query', () => {
    const config = mssqlConfig(
      'sqlserver://sv@erp/ERP?encrypt=false&trustServerCertificate=true&instanceName=PROD&applicationIntent=ReadOnly&connectTimeout=5&requestTimeout=60',
    );
    expect(config).toMatchObject({
      server: 'erp',
      connectionTimeout: 5000,
      requestTimeout: 60_000,
      options: {
        encrypt: false,
        trustServerCertificate: true,
        instanceName: 'PROD',
        readOnlyIntent: true,
      },
    });
  });

  it('refuses unknown options and bad values instead of ignoring them', () => {
    expect(() => mssqlConfig('mssql://erp/ERP?encrpyt=true')).toThrow(/unknown option encrpyt/);
    expect(() => mssqlConfig('mssql://erp/ERP?encrypt=maybe')).toThrow(/encrypt=maybe/);
  });

  it('passes ADO connection strings to mssql, and refuses one without a server', () => {
    expect(
      mssqlConfig('Server=erp-sql,1433;Database=ERP;User Id=sv;Password=pw;Encrypt=true'),
    ).toMatchObject({ server: 'erp-sql', port: 1433, database: 'ERP', user: 'sv', password: 'pw' });
    expect(() => mssqlConfig('Database=ERP;User Id=sv')).toThrow(/MSSQL_URL: no server/);
    expect(() => mssqlConfig('mssql:///ERP')).toThrow(/MSSQL_URL/);
  });
});
