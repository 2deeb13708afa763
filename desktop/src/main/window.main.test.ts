import { describe, expect, it } from 'vitest';
import { createMainWindowOptions } from './window.main';

describe('createMainWindowOptions', () => {
  const options = createMainWindowOptions({ preloadPath: '/app/preload/index.js' });
  const prefs = options.webPreferences ?? {};

  it('isolates and sandboxes the renderer with no Node integration', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and turns off risky extras', () => {
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.navigateOnDragDrop).toBe(false);
  });

  it('loads the given preload and waits for ready-to-show', () => {
    expect(prefs.preload).toBe('/app/preload/index.js');
    expect(options.show).toBe(false);
  });
});
