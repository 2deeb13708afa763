import {
  noPayloadSchema,
  platformNotificationSchema,
  saveFileRequestSchema,
  secretKeySchema,
  secretWriteSchema,
} from '@stockverify/shared';
import { IPC_CHANNELS } from '../ipc/channels';
import type { IpcResult } from '../ipc/channels';
import { APP_ORIGIN, isAllowedNavigation } from './navigation.main';
import { saveReportFile } from './save-file.main';
import type { SaveFileDeps } from './save-file.main';
import type { SecretVault } from './secrets.main';

/** The part of an IPC event the sender check reads. */
export interface IpcSenderEvent {
  senderFrame: { url: string } | null;
}

/** The slice of Electron's `ipcMain` used here (injected so tests need no Electron). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcSenderEvent, ...args: unknown[]) => unknown): void;
}

/** The slice of Electron's `Notification` used here. */
export interface NotificationLike {
  isSupported(): boolean;
  show(options: { title: string; body: string }): void;
}

export interface IpcDeps {
  ipcMain: IpcMainLike;
  app: { getVersion(): string };
  saveFile?: SaveFileDeps;
  secrets?: SecretVault;
  notifications?: NotificationLike;
}

/** True when the message comes from a frame served by our own renderer origin. */
export function isTrustedSender(event: IpcSenderEvent): boolean {
  const url = event.senderFrame?.url;
  return url !== undefined && isAllowedNavigation(url, [APP_ORIGIN]);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A zod schema, seen structurally (zod is shared's dependency, not the desktop's). */
interface PayloadSchema<P> {
  safeParse(
    value: unknown,
  ):
    | { success: true; data: P }
    | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } };
}

/**
 * Wraps a handler: checks the sender frame, validates the payload with its shared zod schema,
 * and turns every failure into `{ ok: false, error }` (style "Layout and boundaries": handlers never throw across IPC).
 */
function guarded<P, T>(
  schema: PayloadSchema<P>,
  produce: (payload: P) => T | Promise<T>,
): (event: IpcSenderEvent, ...args: unknown[]) => Promise<IpcResult<T>> {
  return async (event, ...args) => {
    if (!isTrustedSender(event)) return { ok: false, error: 'untrusted sender' };
    const parsed = schema.safeParse(args[0]);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
      return { ok: false, error: `invalid payload: ${where}${issue?.message ?? 'rejected'}` };
    }
    try {
      return { ok: true, value: await produce(parsed.data) };
    } catch (error) {
      return { ok: false, error: messageOf(error) };
    }
  };
}

const noPayload = noPayloadSchema;
const secretWrite = secretWriteSchema;

function unavailable(what: string): never {
  throw new Error(`${what} is not available`);
}

/** Registers every IPC handler the preload bridge calls. */
export function registerIpcHandlers(deps: IpcDeps): void {
  const { ipcMain, app, saveFile, secrets, notifications } = deps;
  ipcMain.handle(
    IPC_CHANNELS.appVersion,
    guarded(noPayload, () => app.getVersion()),
  );
  ipcMain.handle(
    IPC_CHANNELS.fileSave,
    guarded(saveFileRequestSchema, (request) =>
      saveFile ? saveReportFile(request, saveFile) : unavailable('Saving files'),
    ),
  );
  ipcMain.handle(
    IPC_CHANNELS.secretsStatus,
    guarded(noPayload, () => secrets?.canPersist() ?? false),
  );
  ipcMain.handle(
    IPC_CHANNELS.secretsGet,
    guarded(secretKeySchema, (key) => secrets?.get(key) ?? null),
  );
  ipcMain.handle(
    IPC_CHANNELS.secretsSet,
    guarded(secretWrite, ({ key, value }) =>
      secrets ? secrets.set(key, value).then(() => null) : unavailable('Secret storage'),
    ),
  );
  ipcMain.handle(
    IPC_CHANNELS.secretsDelete,
    guarded(secretKeySchema, (key) => secrets?.delete(key).then(() => null) ?? null),
  );
  ipcMain.handle(
    IPC_CHANNELS.notificationShow,
    guarded(platformNotificationSchema, (notification) => {
      if (!notifications?.isSupported()) return false;
      notifications.show(notification);
      return true;
    }),
  );
}
