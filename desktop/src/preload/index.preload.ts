import { contextBridge, ipcRenderer } from 'electron';
import { createPlatformBridge } from './bridge.preload';

// Runs sandboxed: only `electron`'s renderer modules are available, so this file stays tiny and
// everything else is bundled in by build.mjs.
contextBridge.exposeInMainWorld('platform', createPlatformBridge(ipcRenderer));
