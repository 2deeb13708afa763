import type {
  Platform,
  PlatformNotification,
  SaveFileRequest,
  SaveFileResult,
  SecretKey,
} from '@stockverify/shared';
import { IPC_CHANNELS } from '../ipc/channels';
import type { IpcResult } from '../ipc/channels';
import type { PlatformBridge } from '../ipc/bridge';

/** The slice of Electron's `ipcRenderer` the bridge uses (injected so tests need no Electron). */
export interface IpcInvoker {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
}

function isIpcResult(value: unknown): value is IpcResult<unknown> {
  return typeof value === 'object' && value !== null && 'ok' in value;
}

async function call<T>(
  ipc: IpcInvoker,
  channel: string,
  check: (value: unknown) => value is T,
  ...payload: unknown[]
): Promise<T> {
  const result = await ipc.invoke(channel, ...payload);
  if (!isIpcResult(result)) throw new Error(`${channel}: malformed reply`);
  if (!result.ok) throw new Error(`${channel}: ${result.error}`);
  if (!check(result.value)) throw new Error(`${channel}: unexpected value`);
  return result.value;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isNull = (value: unknown): value is null => value === null;
const isStringOrNull = (value: unknown): value is string | null =>
  value === null || typeof value === 'string';
const isSaveResult = (value: unknown): value is SaveFileResult =>
  typeof value === 'object' &&
  value !== null &&
  'saved' in value &&
  (value.saved === false || ('path' in value && isStringOrNull(value.path)));

/**
 * The native powers the renderer may use (the shared `Platform`), composed from per-domain
 * bridges. Only plain functions cross the context bridge; no Electron object reaches the page.
 */
export function createPlatformBridge(ipc: IpcInvoker): PlatformBridge {
  const secrets = {
    canPersist: (): Promise<boolean> => call(ipc, IPC_CHANNELS.secretsStatus, isBoolean),
    get: (key: SecretKey): Promise<string | null> =>
      call(ipc, IPC_CHANNELS.secretsGet, isStringOrNull, key),
    set: async (key: SecretKey, value: string): Promise<void> => {
      await call(ipc, IPC_CHANNELS.secretsSet, isNull, { key, value });
    },
    delete: async (key: SecretKey): Promise<void> => {
      await call(ipc, IPC_CHANNELS.secretsDelete, isNull, key);
    },
  };
  return {
    kind: 'desktop' as const,
    /** The console's version, as packaged. */
    appVersion: (): Promise<string> => call(ipc, IPC_CHANNELS.appVersion, isString),
    /** Native save dialog, then the main process writes the bytes. */
    saveFile: (request: SaveFileRequest): Promise<SaveFileResult> =>
      call(ipc, IPC_CHANNELS.fileSave, isSaveResult, request),
    /** Refresh token kept with `safeStorage`; refused on the plain-text backend. */
    secrets,
    /** A system notification. */
    notify: (notification: PlatformNotification): Promise<boolean> =>
      call(ipc, IPC_CHANNELS.notificationShow, isBoolean, notification),
  } satisfies Platform;
}

export type { PlatformBridge } from '../ipc/bridge';
