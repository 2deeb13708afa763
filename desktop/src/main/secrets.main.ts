import type { SecretKey } from '@stockverify/shared';

/** The slice of Electron's `safeStorage` used here (injected so tests need no Electron). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  /** Linux only: `basic_text` means "encrypted" with a hard-coded key, i.e. plain text. */
  getSelectedStorageBackend?(): string;
  encryptString(plainText: string): Uint8Array;
  decryptString(encrypted: Buffer): string;
}

/** Where the encrypted secrets live (a small JSON file under userData). */
export interface SecretFile {
  read(): Promise<string | null>;
  write(text: string): Promise<void>;
}

export interface SecretVaultDeps {
  safeStorage: SafeStorageLike;
  file: SecretFile;
  /** `process.platform`. */
  platform: string;
}

// Backends that do not really protect a secret at rest on Linux (Electron docs: safeStorage).
const PLAIN_TEXT_BACKENDS = new Set(['basic_text', 'unknown']);

/** Thrown by `set` when the OS offers no real encryption (design §6: refuse plain text). */
export class PlainTextStorageError extends Error {
  constructor() {
    super(
      'This computer has no OS key store (only the plain-text backend), so the console will not ' +
        'remember your sign-in. Sign in again after a restart.',
    );
  }
}

/** True when secrets written now would be encrypted by the OS key store. */
export function canPersistSecrets({ safeStorage, platform }: Omit<SecretVaultDeps, 'file'>) {
  if (!safeStorage.isEncryptionAvailable()) return false;
  if (platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
    if (PLAIN_TEXT_BACKENDS.has(backend)) return false;
  }
  return true;
}

/** Secrets encrypted with `safeStorage`, kept as base64 in one JSON file. */
export function createSecretVault(deps: SecretVaultDeps) {
  const { safeStorage, file } = deps;
  async function load(): Promise<Record<string, string>> {
    const text = await file.read();
    if (text === null) return {};
    try {
      const parsed: unknown = JSON.parse(text);
      return typeof parsed === 'object' && parsed !== null
        ? (parsed as Record<string, string>)
        : {};
    } catch {
      return {}; // a damaged file only costs a sign-in
    }
  }
  return {
    canPersist: () => canPersistSecrets(deps),
    async get(key: SecretKey): Promise<string | null> {
      if (!canPersistSecrets(deps)) return null;
      const stored = (await load())[key];
      if (typeof stored !== 'string') return null;
      try {
        return safeStorage.decryptString(Buffer.from(stored, 'base64'));
      } catch {
        return null; // encrypted under another OS account or key: as good as absent
      }
    },
    async set(key: SecretKey, value: string): Promise<void> {
      if (!canPersistSecrets(deps)) throw new PlainTextStorageError();
      const all = await load();
      all[key] = Buffer.from(safeStorage.encryptString(value)).toString('base64');
      await file.write(JSON.stringify(all));
    },
    async delete(key: SecretKey): Promise<void> {
      const all = await load();
      if (!(key in all)) return;
      delete all[key];
      await file.write(JSON.stringify(all));
    },
  };
}

export type SecretVault = ReturnType<typeof createSecretVault>;
