import { IPC_CHANNELS } from '../ipc/channels';
import type { IpcResult } from '../ipc/channels';
import { APP_ORIGIN, isAllowedNavigation } from './navigation.main';

/** The part of an IPC event the sender check reads. */
export interface IpcSenderEvent {
  senderFrame: { url: string } | null;
}

/** The slice of Electron's `ipcMain` used here (injected so tests need no Electron). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcSenderEvent, ...args: unknown[]) => unknown): void;
}

export interface IpcDeps {
  ipcMain: IpcMainLike;
  app: { getVersion(): string };
}

/** True when the message comes from a frame served by our own renderer origin. */
export function isTrustedSender(event: IpcSenderEvent): boolean {
  const url = event.senderFrame?.url;
  return url !== undefined && isAllowedNavigation(url, [APP_ORIGIN]);
}

function guarded<T>(produce: () => T): (event: IpcSenderEvent) => IpcResult<T> {
  return (event) => {
    if (!isTrustedSender(event)) return { ok: false, error: 'untrusted sender' };
    try {
      return { ok: true, value: produce() };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  };
}

/** Registers every IPC handler the preload bridge calls. */
export function registerIpcHandlers({ ipcMain, app }: IpcDeps): void {
  ipcMain.handle(
    IPC_CHANNELS.appVersion,
    guarded(() => app.getVersion()),
  );
}
