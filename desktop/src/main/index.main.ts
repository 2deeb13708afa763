import {
  BrowserWindow,
  Notification,
  app,
  dialog,
  ipcMain,
  protocol,
  safeStorage,
  session,
  shell,
} from 'electron';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { startConsole } from './console.main';
import { createSecretVault } from './secrets.main';

/** Writes through a temporary file so a crash never leaves half a file behind. */
async function writeAtomically(path: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, bytes, { mode: 0o600 });
  await rename(temporary, path);
}

// build.mjs bundles this file as CommonJS to dist/main/index.js, beside dist/preload and
// dist/renderer, so paths are relative to that layout.
startConsole(
  { app, BrowserWindow, ipcMain, protocol, session, shell },
  {
    rendererRoot: join(__dirname, '..', 'renderer'),
    preloadPath: join(__dirname, '..', 'preload', 'index.js'),
    platform: process.platform,
  },
  () => {
    const secretsPath = join(app.getPath('userData'), 'secrets.json');
    return {
      saveFile: { dialog, writeFile: writeAtomically, defaultDir: app.getPath('downloads') },
      secrets: createSecretVault({
        safeStorage,
        platform: process.platform,
        file: {
          read: () => readFile(secretsPath, 'utf8').catch(() => null),
          write: (text) => writeAtomically(secretsPath, text),
        },
      }),
      notifications: {
        isSupported: () => Notification.isSupported(),
        show: (options) => new Notification(options).show(),
      },
    };
  },
).catch((error: unknown) => {
  console.error('Stock Verify Console failed to start', error);
  app.exit(1);
});
