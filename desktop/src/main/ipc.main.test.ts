import { describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS } from '../ipc/channels';
import { isTrustedSender, registerIpcHandlers } from './ipc.main';
import type { IpcDeps, IpcMainLike, IpcSenderEvent } from './ipc.main';
import { createSecretVault } from './secrets.main';
import type { SafeStorageLike } from './secrets.main';

const RENDERER = 'app://renderer/index.html';

function fakeIpcMain() {
  const handlers = new Map<string, (event: IpcSenderEvent, ...args: unknown[]) => unknown>();
  const ipcMain: IpcMainLike = {
    handle(channel, listener) {
      handlers.set(channel, listener);
    },
  };
  return {
    ipcMain,
    channels: () => [...handlers.keys()].sort(),
    invoke(channel: string, senderUrl: string | null, ...args: unknown[]) {
      const handler = handlers.get(channel);
      if (handler === undefined) throw new Error(`no handler for ${channel}`);
      return handler({ senderFrame: senderUrl === null ? null : { url: senderUrl } }, ...args);
    },
  };
}

function setup(extra: Partial<IpcDeps> = {}) {
  const fake = fakeIpcMain();
  registerIpcHandlers({ ipcMain: fake.ipcMain, app: { getVersion: () => '1.2.3' }, ...extra });
  return fake;
}

const xlsx = (name = 'variance.xlsx') => ({
  suggestedName: name,
  kind: 'xlsx',
  bytes: new Uint8Array([80, 75, 3, 4]),
});

describe('isTrustedSender', () => {
  it('trusts only frames from the renderer origin', () => {
    expect(isTrustedSender({ senderFrame: { url: 'app://renderer/index.html' } })).toBe(true);
    expect(isTrustedSender({ senderFrame: { url: 'https://evil.com/#app://renderer' } })).toBe(
      false,
    );
    expect(isTrustedSender({ senderFrame: { url: 'app://renderer.evil.com/' } })).toBe(false);
    expect(isTrustedSender({ senderFrame: { url: 'app://renderer@evil.com/' } })).toBe(false);
    expect(isTrustedSender({ senderFrame: { url: 'http://renderer/' } })).toBe(false);
    expect(isTrustedSender({ senderFrame: null })).toBe(false);
  });
});

describe('registerIpcHandlers', () => {
  it('registers one handler per channel, all named domain:verb', () => {
    const fake = setup();
    expect(fake.channels()).toEqual(Object.values(IPC_CHANNELS).sort());
    for (const channel of fake.channels()) expect(channel).toMatch(/^[a-z]+:[a-z-]+$/);
  });

  it('answers app:version to the renderer with an ok result', async () => {
    const fake = setup();
    await expect(fake.invoke('app:version', RENDERER)).resolves.toEqual({
      ok: true,
      value: '1.2.3',
    });
  });

  it.each(Object.values(IPC_CHANNELS))(
    'refuses %s from another origin without running the handler',
    async (channel) => {
      const showSaveDialog = vi.fn();
      const fake = setup({
        saveFile: { dialog: { showSaveDialog }, writeFile: vi.fn(), defaultDir: '/home/u' },
      });
      for (const url of ['https://evil.com/', 'file:///etc/passwd', 'app://renderer.evil/']) {
        await expect(fake.invoke(channel, url, xlsx())).resolves.toEqual({
          ok: false,
          error: 'untrusted sender',
        });
      }
      await expect(fake.invoke(channel, null)).resolves.toEqual({
        ok: false,
        error: 'untrusted sender',
      });
      expect(showSaveDialog).not.toHaveBeenCalled();
    },
  );

  it('reports a failing handler as an error result', async () => {
    const fake = fakeIpcMain();
    const app = {
      getVersion: (): string => {
        throw new Error('boom');
      },
    };
    registerIpcHandlers({ ipcMain: fake.ipcMain, app });
    await expect(fake.invoke('app:version', RENDERER)).resolves.toEqual({
      ok: false,
      error: 'boom',
    });
  });

  it('refuses a payload on a channel that takes none', async () => {
    const fake = setup();
    const result = await fake.invoke('app:version', RENDERER, { extra: true });
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/invalid payload/) });
  });
});

describe('file:save', () => {
  function saving(filePath: string | undefined, canceled = false) {
    const showSaveDialog = vi.fn(async () => ({ canceled, filePath }));
    const writeFile = vi.fn(async () => undefined);
    const fake = setup({ saveFile: { dialog: { showSaveDialog }, writeFile, defaultDir: '/d' } });
    return { fake, showSaveDialog, writeFile };
  }

  it('asks where with the native dialog and writes the bytes there', async () => {
    const { fake, showSaveDialog, writeFile } = saving('/home/u/Reports/variance.xlsx');
    const request = xlsx();

    await expect(fake.invoke('file:save', RENDERER, request)).resolves.toEqual({
      ok: true,
      value: { saved: true, path: '/home/u/Reports/variance.xlsx' },
    });
    expect(showSaveDialog).toHaveBeenCalledWith(
      expect.objectContaining({
        defaultPath: '/d/variance.xlsx',
        filters: [{ name: 'Excel workbook', extensions: ['xlsx'] }],
      }),
    );
    expect(writeFile).toHaveBeenCalledWith('/home/u/Reports/variance.xlsx', request.bytes);
  });

  it('adds the extension when the user typed a name without it', async () => {
    const { fake, writeFile } = saving('/home/u/march');
    await fake.invoke('file:save', RENDERER, xlsx());
    expect(writeFile).toHaveBeenCalledWith('/home/u/march.xlsx', expect.any(Uint8Array));
  });

  it('writes nothing when the user cancels', async () => {
    const { fake, writeFile } = saving(undefined, true);
    await expect(fake.invoke('file:save', RENDERER, xlsx())).resolves.toEqual({
      ok: true,
      value: { saved: false },
    });
    expect(writeFile).not.toHaveBeenCalled();
  });

  it.each([
    ['a path instead of a name', { ...xlsx('../../.bashrc.xlsx') }, /suggestedName/],
    ['a Windows path', { ...xlsx('C:\\Users\\x.xlsx') }, /suggestedName/],
    ['a hidden file', { ...xlsx('.profile.xlsx') }, /suggestedName/],
    ['a control character', { ...xlsx('a\u0000b.xlsx') }, /suggestedName/],
    ['an extension that does not match', { ...xlsx('report.exe') }, /suggestedName/],
    ['an unknown kind', { ...xlsx('r.pdf'), kind: 'pdf' }, /kind/],
    ['bytes that are not bytes', { ...xlsx(), bytes: 'PK..' }, /bytes/],
    ['an extra field', { ...xlsx(), path: '/etc/passwd' }, /invalid payload/],
    ['nothing at all', undefined, /invalid payload/],
  ])('refuses %s', async (_what, payload, error) => {
    const { fake, showSaveDialog } = saving('/x.xlsx');
    const result = await fake.invoke('file:save', RENDERER, payload);
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/invalid payload/) });
    expect((result as { error: string }).error).toMatch(error);
    expect(showSaveDialog).not.toHaveBeenCalled();
  });

  it('reports a failed write as an error result', async () => {
    const showSaveDialog = vi.fn(async () => ({ canceled: false, filePath: '/ro/x.xlsx' }));
    const writeFile = vi.fn(async () => {
      throw new Error('EACCES: permission denied');
    });
    const fake = setup({ saveFile: { dialog: { showSaveDialog }, writeFile, defaultDir: '/d' } });
    await expect(fake.invoke('file:save', RENDERER, xlsx())).resolves.toEqual({
      ok: false,
      error: 'EACCES: permission denied',
    });
  });
});

describe('secrets:* and token storage', () => {
  function vault(backend: string, available = true, platform = 'linux') {
    let text: string | null = null;
    const safeStorage: SafeStorageLike = {
      isEncryptionAvailable: () => available,
      getSelectedStorageBackend: () => backend,
      encryptString: (plain) => Buffer.from(`enc:${plain}`),
      decryptString: (buf) => buf.toString().replace(/^enc:/, ''),
    };
    const file = {
      read: async () => text,
      write: vi.fn(async (t: string) => {
        text = t;
      }),
    };
    const secrets = createSecretVault({ safeStorage, file, platform });
    return { fake: setup({ secrets }), file, stored: () => text };
  }

  it('keeps the refresh token encrypted with a real key store (gnome-libsecret)', async () => {
    const { fake, stored } = vault('gnome_libsecret');
    await expect(fake.invoke('secrets:status', RENDERER)).resolves.toEqual({
      ok: true,
      value: true,
    });
    await expect(
      fake.invoke('secrets:set', RENDERER, { key: 'refresh_token', value: 'rt-1' }),
    ).resolves.toEqual({ ok: true, value: null });
    expect(stored()).not.toContain('rt-1');
    expect(stored()).toContain(Buffer.from('enc:rt-1').toString('base64'));
    await expect(fake.invoke('secrets:get', RENDERER, 'refresh_token')).resolves.toEqual({
      ok: true,
      value: 'rt-1',
    });
    await fake.invoke('secrets:delete', RENDERER, 'refresh_token');
    await expect(fake.invoke('secrets:get', RENDERER, 'refresh_token')).resolves.toEqual({
      ok: true,
      value: null,
    });
  });

  it.each(['basic_text', 'unknown'])(
    'refuses to store a secret on the %s backend on Linux',
    async (backend) => {
      const { fake, file } = vault(backend);
      await expect(fake.invoke('secrets:status', RENDERER)).resolves.toEqual({
        ok: true,
        value: false,
      });
      const result = await fake.invoke('secrets:set', RENDERER, {
        key: 'refresh_token',
        value: 'rt-1',
      });
      expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/plain-text/) });
      expect(file.write).not.toHaveBeenCalled();
    },
  );

  it('refuses when the OS offers no encryption at all', async () => {
    const { fake, file } = vault('kwallet5', false);
    const result = await fake.invoke('secrets:set', RENDERER, {
      key: 'refresh_token',
      value: 'x',
    });
    expect(result).toMatchObject({ ok: false });
    expect(file.write).not.toHaveBeenCalled();
  });

  it('trusts the OS key store on Windows and macOS (no backend question there)', async () => {
    const { fake } = vault('basic_text', true, 'win32');
    await expect(
      fake.invoke('secrets:set', RENDERER, { key: 'refresh_token', value: 'rt' }),
    ).resolves.toEqual({ ok: true, value: null });
  });

  it('accepts only known keys and bounded values', async () => {
    const { fake } = vault('gnome_libsecret');
    for (const payload of [
      { key: 'password', value: 'x' },
      { key: 'refresh_token', value: '' },
      { key: 'refresh_token', value: 'x'.repeat(9000) },
      { key: 'refresh_token' },
    ]) {
      await expect(fake.invoke('secrets:set', RENDERER, payload)).resolves.toMatchObject({
        ok: false,
        error: expect.stringMatching(/invalid payload/),
      });
    }
    await expect(fake.invoke('secrets:get', RENDERER, '__proto__')).resolves.toMatchObject({
      ok: false,
    });
  });
});

describe('notification:show', () => {
  it('shows a validated notification when the system supports them', async () => {
    const show = vi.fn();
    const fake = setup({ notifications: { isSupported: () => true, show } });
    await expect(
      fake.invoke('notification:show', RENDERER, { title: 'Lock lost', body: 'A-01' }),
    ).resolves.toEqual({ ok: true, value: true });
    expect(show).toHaveBeenCalledWith({ title: 'Lock lost', body: 'A-01' });
    await expect(fake.invoke('notification:show', RENDERER, { title: '' })).resolves.toMatchObject({
      ok: false,
    });
  });

  it('answers false where notifications are unsupported', async () => {
    const show = vi.fn();
    const fake = setup({ notifications: { isSupported: () => false, show } });
    await expect(fake.invoke('notification:show', RENDERER, { title: 'x' })).resolves.toEqual({
      ok: true,
      value: false,
    });
    expect(show).not.toHaveBeenCalled();
  });
});
