/** IPC channel names, `domain:verb` (style "Layout and boundaries"); shared by main and preload. */
export const IPC_CHANNELS = {
  appVersion: 'app:version',
  fileSave: 'file:save',
  secretsStatus: 'secrets:status',
  secretsGet: 'secrets:get',
  secretsSet: 'secrets:set',
  secretsDelete: 'secrets:delete',
  notificationShow: 'notification:show',
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];

/** What every IPC handler answers: handlers report failure instead of throwing across IPC. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: string };
