import type { BrowserWindowConstructorOptions } from 'electron';

export interface MainWindowPaths {
  /** Absolute path of the bundled preload script. */
  preloadPath: string;
}

/**
 * Options for the console window, hardened per design §6: isolated, sandboxed renderer with no
 * Node integration anywhere, web security on, and no webview tag.
 */
export function createMainWindowOptions({
  preloadPath,
}: MainWindowPaths): BrowserWindowConstructorOptions {
  return {
    title: 'Stock Verify Console',
    width: 1280,
    height: 820,
    minWidth: 960,
    minHeight: 600,
    // Shown on 'ready-to-show' so the window never flashes blank.
    show: false,
    backgroundColor: '#f1f5f9',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  };
}
