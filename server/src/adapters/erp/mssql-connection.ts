/**
 * MSSQL_URL → an mssql connection config. mssql 12 parses only ADO-style strings
 * (`Server=host;Database=db;User Id=…;Password=…`); given a `mssql://` URL it silently yields an
 * empty config that fails later with an unhelpful error. Both forms are accepted here, and
 * anything without a server is refused at start with a message naming the variable.
 */
import sql from 'mssql';

function flag(value: string, key: string): boolean {
  if (/^(true|yes|1)$/i.test(value)) return true;
  if (/^(false|no|0)$/i.test(value)) return false;
  throw new Error(`MSSQL_URL: ${key}=${value} is not true or false`);
}

function seconds(value: string, key: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`MSSQL_URL: ${key}=${value} is not seconds`);
  return n * 1000;
}

/**
 * Parses `mssql://user:password@host[:port]/database?encrypt=true&trustServerCertificate=false`
 * (also `sqlserver://`) or an ADO connection string. Encryption is on unless turned off.
 */
export function mssqlConfig(url: string): sql.config {
  const text = url.trim();
  if (!/^(mssql|sqlserver):\/\//i.test(text)) {
    const parsed = sql.ConnectionPool.parseConnectionString(text);
    if (!parsed.server) {
      throw new Error(
        'MSSQL_URL: no server; use mssql://user:password@host/database or Server=host;Database=db;User Id=user;Password=secret',
      );
    }
    return parsed;
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new Error('MSSQL_URL: not a valid mssql://user:password@host/database URL');
  }
  if (!parsed.hostname) throw new Error('MSSQL_URL: no server in the URL');
  const options: NonNullable<sql.config['options']> = { encrypt: true };
  const config: sql.config = {
    server: decodeURIComponent(parsed.hostname),
    port: parsed.port ? Number(parsed.port) : undefined,
    user: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || undefined,
    options,
  };
  for (const [rawKey, value] of parsed.searchParams) {
    const key = rawKey.toLowerCase();
    switch (key) {
      case 'encrypt':
        options.encrypt = flag(value, rawKey);
        break;
      case 'trustservercertificate':
        options.trustServerCertificate = flag(value, rawKey);
        break;
      case 'instancename':
        options.instanceName = value;
        break;
      case 'applicationintent':
        options.readOnlyIntent = value.toLowerCase() === 'readonly';
        break;
      case 'connecttimeout':
        config.connectionTimeout = seconds(value, rawKey);
        break;
      case 'requesttimeout':
        config.requestTimeout = seconds(value, rawKey);
        break;
      default:
        throw new Error(
          `MSSQL_URL: unknown option ${rawKey} (known: encrypt, trustServerCertificate, instanceName, applicationIntent, connectTimeout, requestTimeout)`,
        );
    }
  }
  return config;
}
