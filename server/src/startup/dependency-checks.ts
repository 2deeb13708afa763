/**
 * The startup checks of this configuration (issue #7): data folder, store, coordination, ERP and
 * TLS. Probes that reach outside the adapters (MongoDB replica-set status, certificate
 * generation) are injected so the logic is testable without those servers.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import type { Adapters } from '../deps';
import type { MssqlErpSource } from '../adapters/erp/mssql';
import { addColumnsSql, type MssqlAdjustmentWriter } from '../adapters/erp/mssql-writeback';
import type { DependencyCheck, ProbeReport } from './checks';
import { redactUrl } from './checks';
import { ensureSelfSigned, loadTlsPair, machineNames, type TlsMaterial } from './tls';

export interface StartupProbes {
  /** Replica-set status of MONGODB_URI. */
  mongoReplicaSet: (uri: string) => Promise<ProbeReport>;
  /** TLS material for this configuration (files read and matched, or self-signed ensured). */
  tls: (config: Config) => TlsMaterial;
}

/** The real probes. */
export function defaultProbes(
  timeoutMs: number,
  probeMongo: (uri: string, ms: number) => Promise<ProbeReport>,
): StartupProbes {
  return {
    mongoReplicaSet: (uri) => probeMongo(uri, timeoutMs),
    tls: (config) => prepareTls(config, new Date()),
  };
}

/** Reads the configured pair, or makes sure the self-signed one exists and fits this machine. */
export function prepareTls(config: Config, now: Date): TlsMaterial {
  if (config.TLS_CERT_FILE && config.TLS_KEY_FILE) {
    return loadTlsPair(config.TLS_CERT_FILE, config.TLS_KEY_FILE, now);
  }
  return ensureSelfSigned({
    dir: path.join(config.dataDir, 'tls'),
    names: machineNames(config.TLS_SELF_SIGNED_NAMES),
    now,
  });
}

/** True when the configuration asks for HTTPS. */
export function tlsWanted(config: Config): boolean {
  return Boolean(config.TLS_CERT_FILE) || config.TLS_SELF_SIGNED;
}

/** The data folder must exist and take writes (SQLite, JWT key, photos, TLS files). */
export function dataDirCheck(config: Config): DependencyCheck {
  return {
    name: 'data-dir',
    target: config.dataDir,
    required: true,
    hint: `make ${config.dataDir} writable by this user, or set DATA_DIR`,
    async probe() {
      fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      const probeFile = path.join(config.dataDir, `.write-test-${process.pid}`);
      fs.writeFileSync(probeFile, 'ok');
      fs.rmSync(probeFile);
    },
  };
}

function storeCheck(config: Config, adapters: Adapters, probes: StartupProbes): DependencyCheck {
  const { store } = adapters;
  if (store.kind === 'sqlite') {
    const file = path.join(config.dataDir, 'stockverify.db');
    return {
      name: 'store',
      target: `sqlite ${file}`,
      required: true,
      hint: `make ${file} and its folder writable (WAL needs -wal/-shm files beside it)`,
      async probe() {
        fs.accessSync(path.dirname(file), fs.constants.W_OK);
        if (fs.existsSync(file)) fs.accessSync(file, fs.constants.W_OK);
        await store.init();
        await store.ping();
      },
    };
  }
  const uri = config.MONGODB_URI ?? '';
  return {
    name: 'store',
    target: `mongodb ${redactUrl(uri)} (db ${config.MONGODB_DB})`,
    required: true,
    hint: 'start MongoDB (a replica set in production) or fix MONGODB_URI',
    async probe() {
      await store.init();
      await store.ping();
      return probes.mongoReplicaSet(uri);
    },
  };
}

function coordinationCheck(config: Config, adapters: Adapters): DependencyCheck | null {
  if (adapters.coordination.kind !== 'redis') return null;
  return {
    name: 'coordination',
    target: `redis ${redactUrl(config.REDIS_URL ?? '')}`,
    required: true,
    hint: 'start Redis (appendonly yes) or fix REDIS_URL; unset REDIS_URL only for a single API process',
    async probe() {
      await adapters.coordination.ping();
    },
  };
}

function isMssql(erp: Adapters['erp']): erp is MssqlErpSource {
  return erp.kind === 'mssql' && 'checkItemColumns' in erp;
}

function erpCheck(config: Config, adapters: Adapters): DependencyCheck {
  const { erp } = adapters;
  const target =
    erp.kind === 'mssql'
      ? `mssql ${redactUrl(config.MSSQL_URL ?? '')}`
      : erp.kind === 'file'
        ? `file ${config.ERP_FILE ?? ''}`
        : `demo (${config.DEMO_ITEM_COUNT} items)`;
  return {
    name: 'erp',
    target,
    // The ERP may be down at start: lookups of mirrored items still work (design §3).
    required: false,
    hint:
      erp.kind === 'mssql'
        ? 'lookups use the mirror meanwhile; check MSSQL_URL, the network and the SQL login'
        : 'lookups use the mirror meanwhile; check ERP_FILE',
    async probe() {
      await erp.ping();
      if (!isMssql(erp)) return;
      const report = await erp.checkItemColumns();
      if (report.missing.length > 0) {
        return {
          warning: `the item query lacks ${report.missing.join(', ')} → fix MSSQL_COLUMN_MAP or MSSQL_ITEM_QUERY (server/src/adapters/erp/README.md)`,
        };
      }
      return { detail: `item query returns ${report.columns.length} columns` };
    },
  };
}

/**
 * The ERP's stock ledger (issue #17) where one is configured (SQL Server, a movements file): it
 * answers with its newest watermark. A failure warns; the mirror and counting go on without it.
 */
function movementsCheck(config: Config, adapters: Adapters): DependencyCheck | null {
  const { erp } = adapters;
  if (erp.kind === 'demo' || !erp.currentWatermark) return null;
  return {
    name: 'erp-movements',
    target:
      erp.kind === 'file'
        ? `file ${config.ERP_MOVEMENTS_FILE ?? ''}`
        : (config.MSSQL_MOVEMENTS_TABLE ?? 'MSSQL_MOVEMENTS_QUERY'),
    required: false,
    hint:
      erp.kind === 'file'
        ? 'fix the rows named above in ERP_MOVEMENTS_FILE; sessions meanwhile have no watermark'
        : 'check MSSQL_MOVEMENTS_TABLE / _COLUMN_MAP / _WATERMARK_TYPE (server/src/adapters/erp/README.md); sessions meanwhile have no watermark',
    async probe() {
      const watermark = await erp.currentWatermark!();
      return { detail: watermark === null ? 'the ledger is empty' : `ledger at ${watermark}` };
    },
  };
}

function tlsCheck(
  config: Config,
  probes: StartupProbes,
  holder: { material: TlsMaterial | null },
): DependencyCheck {
  const selfSigned = config.TLS_SELF_SIGNED;
  return {
    name: 'tls',
    target: selfSigned
      ? `self-signed ${path.join(config.dataDir, 'tls')}`
      : `${config.TLS_CERT_FILE} + ${config.TLS_KEY_FILE}`,
    required: true,
    hint: selfSigned
      ? 'install openssl, or set TLS_CERT_FILE and TLS_KEY_FILE instead of TLS_SELF_SIGNED'
      : 'point TLS_CERT_FILE / TLS_KEY_FILE at a readable PEM certificate and its unencrypted key',
    async probe() {
      const material = probes.tls(config);
      holder.material = material;
      const days = Math.floor((material.validTo.getTime() - Date.now()) / 86_400_000);
      return {
        detail: `${material.generated ? 'generated, ' : ''}valid ${days} more days, names ${material.names.join(' ')}`,
      };
    },
  };
}

/**
 * With a shared store (MongoDB) the API usually runs on several machines, and each would sign
 * tokens with its own generated key: a token from one would be refused by the others.
 */
function jwtSecretCheck(config: Config): DependencyCheck | null {
  if (!config.MONGODB_URI || config.JWT_SECRET) return null;
  return {
    name: 'jwt-secret',
    target: path.join(config.dataDir, 'jwt-secret'),
    required: false,
    hint: 'set the same JWT_SECRET on every API process',
    async probe() {
      return {
        warning:
          'signing key generated in DATA_DIR: API processes on other machines will refuse its tokens → set the same JWT_SECRET on every process',
      };
    },
  };
}

/** The checks for this configuration, in the order they are printed. */
export function dependencyChecks(
  config: Config,
  adapters: Adapters,
  probes: StartupProbes,
  tlsHolder: { material: TlsMaterial | null },
): DependencyCheck[] {
  return [
    storeCheck(config, adapters, probes),
    coordinationCheck(config, adapters),
    erpCheck(config, adapters),
    movementsCheck(config, adapters),
    tlsWanted(config) ? tlsCheck(config, probes, tlsHolder) : null,
    jwtSecretCheck(config),
  ].filter((c): c is DependencyCheck => c !== null);
}

/** The write-back staging table (only when ERP_WRITEBACK_ENABLED): there, with every column. */
export function writebackCheck(
  writer: Pick<MssqlAdjustmentWriter, 'table' | 'missingColumns'>,
): DependencyCheck {
  return {
    name: 'erp-writeback',
    target: writer.table,
    // Downloading the package works without it; only the write-back button fails.
    required: false,
    hint: 'create the staging table (server/src/adapters/erp/README.md) and grant INSERT, SELECT on it',
    async probe() {
      const missing = await writer.missingColumns();
      if (missing.length > 0) {
        // The write-back refuses such a table (409 WRITEBACK_TABLE_OUTDATED) with the same statement.
        return {
          warning: `the staging table lacks ${missing.join(', ')}; add them with: ${addColumnsSql(writer.table, missing)} → see server/src/adapters/erp/README.md`,
        };
      }
    },
  };
}
