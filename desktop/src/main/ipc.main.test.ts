import { describe, expect, it } from 'vitest';
import { IPC_CHANNELS } from '../ipc/channels';
import { isTrustedSender, registerIpcHandlers } from './ipc.main';
import type { IpcMainLike, IpcSenderEvent } from './ipc.main';

function fakeIpcMain() {
  const handlers = new Map<string, (event: IpcSenderEvent, ...args: unknown[]) => unknown>();
  const ipcMain: IpcMainLike = {
    handle(channel, listener) {
      handlers.set(channel, listener);
    },
  };
  return {
    ipcMain,
    invoke(channel: string, senderUrl: string | null) {
      const handler = handlers.get(channel);
      if (handler === undefined) throw new Error(`no handler for ${channel}`);
      return handler({ senderFrame: senderUrl === null ? null : { url: senderUrl } });
    },
  };
}

describe('isTrustedSender', () => {
  it('trusts only frames from the renderer origin', () => {
    expect(isTrustedSender({ senderFrame: { url: 'app://renderer/index.html' } })).toBe(true);
    expect(isTrustedSender({ senderFrame: { url: 'https://evil.com/#app://renderer' } })).toBe(
      false,
    );
    expect(isTrustedSender({ senderFrame: { url: 'app://renderer.evil.com/' } })).toBe(false);
    expect(isTrustedSender({ senderFrame: null })).toBe(false);
  });
});

describe('registerIpcHandlers', () => {
  it('answers app:version to the renderer with an ok result', () => {
    const fake = fakeIpcMain();
    registerIpcHandlers({ ipcMain: fake.ipcMain, app: { getVersion: () => '1.2.3' } });

    expect(IPC_CHANNELS.appVersion).toBe('app:version');
    expect(fake.invoke('app:version', 'app://renderer/index.html')).toEqual({
      ok: true,
      value: '1.2.3',
    });
  });

  it('refuses a sender from another origin without throwing', () => {
    const fake = fakeIpcMain();
    registerIpcHandlers({ ipcMain: fake.ipcMain, app: { getVersion: () => '1.2.3' } });

    expect(fake.invoke('app:version', 'https://evil.com/')).toEqual({
      ok: false,
      error: 'untrusted sender',
    });
  });

  it('reports a failing handler as an error result', () => {
    const fake = fakeIpcMain();
    const app = {
      getVersion: (): string => {
        throw new Error('boom');
      },
    };
    registerIpcHandlers({ ipcMain: fake.ipcMain, app });

    expect(fake.invoke('app:version', 'app://renderer/')).toEqual({ ok: false, error: 'boom' });
  });
});
