import type { BrowserWindowConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS } from '../ipc/channels';
import { ENTRY_URL, startConsole } from './console.main';
import type { ConsoleElectron, ConsoleWindow } from './console.main';
import type { GuardedWebContents } from './navigation.main';

type AppListener = (...args: unknown[]) => void;

/** A recording stand-in for the Electron modules startConsole uses. */
function fakeElectron({ lock = true } = {}) {
  const calls: string[] = [];
  const appListeners = new Map<string, AppListener[]>();
  const windows: { options: BrowserWindowConstructorOptions; window: FakeWindow }[] = [];
  let protocolHandler: ((request: Request) => Promise<Response>) | null = null;
  let permissionHandler: ((c: unknown, p: string, grant: (ok: boolean) => void) => void) | null =
    null;

  class FakeWindow implements ConsoleWindow {
    readonly listeners = new Map<string, () => void>();
    loadURL = vi.fn(async (_url: string) => undefined);
    show = vi.fn();
    focus = vi.fn();
    restore = vi.fn();
    isMinimized = () => true;
    constructor(options: BrowserWindowConstructorOptions) {
      windows.push({ options, window: this });
    }
    once(event: string, listener: () => void) {
      this.listeners.set(event, listener);
      return this;
    }
    on(event: string, listener: () => void) {
      this.listeners.set(event, listener);
      return this;
    }
  }

  const electron: ConsoleElectron = {
    app: {
      whenReady: async () => {
        calls.push('whenReady');
      },
      requestSingleInstanceLock: () => lock,
      enableSandbox: () => calls.push('enableSandbox'),
      quit: () => calls.push('quit'),
      getVersion: () => '9.9.9',
      on(event: string, listener: (...args: never[]) => void) {
        appListeners.set(event, [...(appListeners.get(event) ?? []), listener as AppListener]);
        return undefined;
      },
    },
    BrowserWindow: FakeWindow,
    protocol: {
      registerSchemesAsPrivileged: (schemes) =>
        calls.push(`registerSchemes:${schemes.map((s) => s.scheme).join(',')}`),
      handle: (scheme, handler) => {
        calls.push(`handle:${scheme}`);
        protocolHandler = handler;
      },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler) => {
          permissionHandler = handler;
        },
        setPermissionCheckHandler: (handler) => calls.push(`permissionCheck:${handler()}`),
      },
    },
    shell: { openExternal: vi.fn(async () => undefined) },
    ipcMain: { handle: (channel) => calls.push(`ipc:${channel}`) },
  };

  return {
    electron,
    calls,
    windows,
    emit: (event: string, ...args: unknown[]) =>
      (appListeners.get(event) ?? []).forEach((listener) => listener(...args)),
    protocolHandler: () => protocolHandler,
    permissionHandler: () => permissionHandler,
  };
}

const paths = { rendererRoot: '/nowhere', preloadPath: '/app/preload/index.js', platform: 'linux' };

describe('startConsole', () => {
  it('registers the app scheme before ready and serves it after', async () => {
    const fake = fakeElectron();
    await startConsole(fake.electron, paths);

    const order = fake.calls;
    expect(order.indexOf('enableSandbox')).toBeLessThan(order.indexOf('whenReady'));
    expect(order.indexOf('registerSchemes:app')).toBeLessThan(order.indexOf('whenReady'));
    expect(order.indexOf('handle:app')).toBeGreaterThan(order.indexOf('whenReady'));
    expect(order).toContain('ipc:app:version');
    expect(fake.protocolHandler()).not.toBeNull();
  });

  it('builds the native powers only after ready and registers every IPC channel', async () => {
    const fake = fakeElectron();
    const native = vi.fn(() => {
      fake.calls.push('native');
      return {};
    });
    await startConsole(fake.electron, paths, native);

    expect(native).toHaveBeenCalledOnce();
    // safeStorage and app.getPath('userData') are only usable after `ready`.
    expect(fake.calls.indexOf('native')).toBeGreaterThan(fake.calls.indexOf('whenReady'));
    for (const channel of Object.values(IPC_CHANNELS))
      expect(fake.calls).toContain(`ipc:${channel}`);
  });

  it('opens one hardened window on the renderer entry and shows it when ready', async () => {
    const fake = fakeElectron();
    await startConsole(fake.electron, paths);

    expect(fake.windows).toHaveLength(1);
    const [{ options, window }] = fake.windows as [(typeof fake.windows)[number]];
    expect(options.webPreferences).toMatchObject({
      preload: '/app/preload/index.js',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
    });
    expect(window.loadURL).toHaveBeenCalledWith(ENTRY_URL);
    expect(ENTRY_URL).toBe('app://renderer/index.html');
    expect(window.show).not.toHaveBeenCalled();
    window.listeners.get('ready-to-show')?.();
    expect(window.show).toHaveBeenCalled();
  });

  it('guards every web contents that gets created', async () => {
    const fake = fakeElectron();
    await startConsole(fake.electron, paths);

    const on = vi.fn();
    const setWindowOpenHandler = vi.fn();
    const contents: GuardedWebContents = { on, setWindowOpenHandler };
    fake.emit('web-contents-created', {}, contents);

    expect(on.mock.calls.map(([event]) => event)).toContain('will-navigate');
    expect(setWindowOpenHandler).toHaveBeenCalledTimes(1);
  });

  it('denies every permission request and check', async () => {
    const fake = fakeElectron();
    await startConsole(fake.electron, paths);

    const grant = vi.fn();
    fake.permissionHandler()?.({}, 'media', grant);
    expect(grant).toHaveBeenCalledWith(false);
    expect(fake.calls).toContain('permissionCheck:false');
  });

  it('quits when the last window closes, except on macOS', async () => {
    const linux = fakeElectron();
    await startConsole(linux.electron, paths);
    linux.emit('window-all-closed');
    expect(linux.calls).toContain('quit');

    const mac = fakeElectron();
    await startConsole(mac.electron, { ...paths, platform: 'darwin' });
    mac.emit('window-all-closed');
    expect(mac.calls).not.toContain('quit');
  });

  it('reopens a window on activate only after the old one closed', async () => {
    const fake = fakeElectron();
    await startConsole(fake.electron, paths);
    fake.emit('activate');
    expect(fake.windows).toHaveLength(1);

    fake.windows[0]?.window.listeners.get('closed')?.();
    fake.emit('activate');
    expect(fake.windows).toHaveLength(2);
  });

  it('focuses the existing window when a second instance starts', async () => {
    const fake = fakeElectron();
    await startConsole(fake.electron, paths);
    fake.emit('second-instance');

    const window = fake.windows[0]?.window;
    expect(window?.restore).toHaveBeenCalled();
    expect(window?.focus).toHaveBeenCalled();
  });

  it('quits without opening anything when another instance holds the lock', async () => {
    const fake = fakeElectron({ lock: false });
    await startConsole(fake.electron, paths);

    expect(fake.calls).toEqual(['quit']);
    expect(fake.windows).toHaveLength(0);
  });
});
