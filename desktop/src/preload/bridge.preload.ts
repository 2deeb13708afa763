import { IPC_CHANNELS } from '../ipc/channels';
import type { IpcResult } from '../ipc/channels';

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
): Promise<T> {
  const result = await ipc.invoke(channel);
  if (!isIpcResult(result)) throw new Error(`${channel}: malformed reply`);
  if (!result.ok) throw new Error(`${channel}: ${result.error}`);
  if (!check(result.value)) throw new Error(`${channel}: unexpected value`);
  return result.value;
}

const isString = (value: unknown): value is string => typeof value === 'string';

/**
 * The native powers the renderer may use, composed from per-domain bridges. Only plain functions
 * cross the context bridge; no Electron object ever reaches the page.
 */
export function createPlatformBridge(ipc: IpcInvoker) {
  return {
    /** The console's version, as packaged. */
    appVersion: (): Promise<string> => call(ipc, IPC_CHANNELS.appVersion, isString),
  };
}

/** The renderer's view of `window.platform`, derived from the preload so the two cannot drift. */
export type PlatformBridge = ReturnType<typeof createPlatformBridge>;
