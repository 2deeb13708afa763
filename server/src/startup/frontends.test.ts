import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FRONT_ENDS, buildState, skipBuildSetting, type FrontEnd } from './frontends';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const app: FrontEnd = {
  label: 'the app',
  workspace: 'app',
  output: 'app/dist/index.html',
  sources: ['app/src', 'app/vite.config.ts', 'shared/src'],
};

function write(root: string, file: string, secondsAgo: number): void {
  const full = path.join(root, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, file);
  const t = new Date(Date.now() - secondsAgo * 1000);
  fs.utimesSync(full, t, t);
}

function tree(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-frontends-'));
  dirs.push(root);
  write(root, 'app/src/main.tsx', 300);
  write(root, 'app/vite.config.ts', 300);
  write(root, 'shared/src/index.ts', 300);
  return root;
}

describe('buildState', () => {
  it('is missing without a dist, fresh after a build, stale when a source changes', () => {
    const root = tree();
    expect(buildState(root, app)).toBe('missing');
    write(root, 'app/dist/index.html', 100);
    expect(buildState(root, app)).toBe('fresh');
    write(root, 'shared/src/items.ts', 10);
    expect(buildState(root, app)).toBe('stale');
  });

  it('ignores test files, which never reach a bundle', () => {
    const root = tree();
    write(root, 'app/dist/index.html', 100);
    write(root, 'app/src/thing.test.ts', 10);
    write(root, 'app/src/View.test.tsx', 10);
    expect(buildState(root, app)).toBe('fresh');
  });

  it('covers the staff app and the console renderer (the one /console/ serves)', () => {
    expect(FRONT_ENDS.map((f) => [f.workspace, f.output])).toEqual([
      ['pwa', 'pwa/dist/index.html'],
      ['desktop', 'desktop/dist/renderer/index.html'],
    ]);
    for (const f of FRONT_ENDS) expect(f.sources).toContain('shared/src');
  });
});

describe('skipBuildSetting', () => {
  it('reads STOCKVERIFY_SKIP_FRONTEND_BUILD and refuses anything but a yes or a no', () => {
    expect(skipBuildSetting(undefined)).toEqual({ ok: true, skip: false });
    expect(skipBuildSetting('')).toEqual({ ok: true, skip: false });
    expect(skipBuildSetting('1')).toEqual({ ok: true, skip: true });
    expect(skipBuildSetting('true')).toEqual({ ok: true, skip: true });
    expect(skipBuildSetting('0')).toEqual({ ok: true, skip: false });
    expect(skipBuildSetting('false')).toEqual({ ok: true, skip: false });
    const bad = skipBuildSetting('yes please');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/STOCKVERIFY_SKIP_FRONTEND_BUILD.*"yes please".*1 or 0/);
  });
});
