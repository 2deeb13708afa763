import type { BrowserWindowConstructorOptions, CustomScheme } from 'electron';
import { registerIpcHandlers } from './ipc.main';
import type { IpcDeps, IpcMainLike } from './ipc.main';
import { APP_ORIGIN, installNavigationGuards } from './navigation.main';
import type { GuardedWebContents } from './navigation.main';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, createRendererProtocolHandler } from './protocol.main';
import { createMainWindowOptions } from './window.main';

/** Where the console starts: the renderer's entry page on the custom protocol. */
export const ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** The window methods the lifecycle uses. */
export interface ConsoleWindow {
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
}

/** The parts of Electron the console uses, injected so this file runs under plain Node in tests. */
export interface ConsoleElectron {
  app: {
    whenReady(): Promise<void>;
    requestSingleInstanceLock(): boolean;
    enableSandbox(): void;
    quit(): void;
    getVersion(): string;
    on(event: 'window-all-closed' | 'activate' | 'second-instance', listener: () => void): unknown;
    on(
      event: 'web-contents-created',
      listener: (event: unknown, contents: GuardedWebContents) => void,
    ): unknown;
  };
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => ConsoleWindow;
  protocol: {
    registerSchemesAsPrivileged(schemes: CustomScheme[]): void;
    handle(scheme: string, handler: (request: Request) => Promise<Response>): void;
  };
  session: {
    defaultSession: {
      setPermissionRequestHandler(
        handler: (contents: unknown, permission: string, grant: (ok: boolean) => void) => void,
      ): void;
      setPermissionCheckHandler(handler: () => boolean): void;
    };
  };
  shell: { openExternal(url: string): Promise<void> };
  ipcMain: IpcMainLike;
}

export interface ConsolePaths {
  /** Directory of the built renderer. */
  rendererRoot: string;
  /** The bundled preload script. */
  preloadPath: string;
  /** `process.platform`; macOS apps stay alive with no window. */
  platform: string;
}

/**
 * Wires the console's lifecycle: one instance, sandbox everywhere, the renderer on `app://`,
 * navigation guards on every web contents, no permissions granted, IPC handlers, one window.
 */
export async function startConsole(
  electron: ConsoleElectron,
  paths: ConsolePaths,
  /** Native powers behind the bridge (save dialog, safeStorage, notifications), made after `ready`. */
  native: () => Omit<IpcDeps, 'ipcMain' | 'app'> = () => ({}),
): Promise<void> {
  const { app, protocol, session, shell } = electron;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.enableSandbox();
  // Must happen before `ready`.
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  app.on('web-contents-created', (_event, contents) =>
    installNavigationGuards(contents, { openExternal: (url) => shell.openExternal(url) }),
  );

  let window: ConsoleWindow | null = null;
  let ready = false;
  const openWindow = () => {
    const created = new electron.BrowserWindow(
      createMainWindowOptions({ preloadPath: paths.preloadPath }),
    );
    created.once('ready-to-show', () => created.show());
    created.on('closed', () => {
      if (window === created) window = null;
    });
    window = created;
    void created.loadURL(ENTRY_URL).catch((error: unknown) => {
      console.error('could not load the console renderer', error);
    });
  };

  app.on('second-instance', () => {
    if (window === null) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => {
    if (paths.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (ready && window === null) openWindow();
  });

  await app.whenReady();
  ready = true;
  // Nothing the console does needs camera, location, notifications-by-web-API, etc.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, grant) =>
    grant(false),
  );
  session.defaultSession.setPermissionCheckHandler(() => false);
  protocol.handle(APP_SCHEME, createRendererProtocolHandler({ root: paths.rendererRoot }));
  registerIpcHandlers({ ipcMain: electron.ipcMain, app, ...native() });
  openWindow();
}
