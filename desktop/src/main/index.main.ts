import { BrowserWindow, app, ipcMain, protocol, session, shell } from 'electron';
import { join } from 'node:path';
import { startConsole } from './console.main';

// build.mjs bundles this file as CommonJS to dist/main/index.js, beside dist/preload and
// dist/renderer, so paths are relative to that layout.
startConsole(
  { app, BrowserWindow, ipcMain, protocol, session, shell },
  {
    rendererRoot: join(__dirname, '..', 'renderer'),
    preloadPath: join(__dirname, '..', 'preload', 'index.js'),
    platform: process.platform,
  },
).catch((error: unknown) => {
  console.error('Stock Verify Console failed to start', error);
  app.exit(1);
});
