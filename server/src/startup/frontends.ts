/**
 * The two front ends the server serves (issue #11): the staff app (pwa/dist at `/`) and the
 * console's renderer (desktop/dist/renderer at `/console/`). `npm start` (src/start.ts) builds one
 * first when its dist is missing or older than its sources, so a fresh clone needs only
 * `npm install && npm start`. Pure helpers here; the build itself runs the workspace's own
 * `npm run build -w <workspace>`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface FrontEnd {
  /** Shown in the progress line: "Building the staff app …". */
  label: string;
  workspace: string;
  /** The built shell, relative to the repository root; its mtime is the build stamp. */
  output: string;
  /** Files and folders (relative to the root) whose change makes the build stale. */
  sources: readonly string[];
}

export const FRONT_ENDS: readonly FrontEnd[] = [
  {
    label: 'the staff app',
    workspace: 'pwa',
    output: 'pwa/dist/index.html',
    sources: [
      'pwa/src',
      'pwa/index.html',
      'pwa/public',
      'pwa/vite.config.ts',
      'pwa/package.json',
      'shared/src',
    ],
  },
  {
    label: 'the console',
    workspace: 'desktop',
    output: 'desktop/dist/renderer/index.html',
    sources: [
      'desktop/src/renderer',
      'desktop/vite.config.ts',
      'desktop/package.json',
      'shared/src',
    ],
  },
];

/** Test files change often and never reach a bundle: they do not make a build stale. */
const IGNORED = /\.test\.tsx?$|(^|[\\/])(node_modules|dist)$/;

/** The newest mtime (ms) of a file, or of any file under a folder; 0 when absent. */
export function newestMtime(target: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of fs.readdirSync(target)) {
    if (IGNORED.test(entry)) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

export type BuildState = 'missing' | 'stale' | 'fresh';

/** Whether `frontEnd` under `root` needs a build: no dist, a dist older than a source, or fine. */
export function buildState(root: string, frontEnd: FrontEnd): BuildState {
  const stamp = newestMtime(path.join(root, frontEnd.output));
  if (stamp === 0) return 'missing';
  const newest = Math.max(...frontEnd.sources.map((s) => newestMtime(path.join(root, s))));
  return newest > stamp ? 'stale' : 'fresh';
}

/** Runs `npm run build -w <workspace>` with NODE_ENV=production; resolves with its output. */
export function runBuild(
  root: string,
  frontEnd: FrontEnd,
): Promise<{ ok: boolean; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    // A development React build (NODE_ENV=test/development) would be served to phones otherwise.
    const child = spawn('npm', ['run', 'build', '-w', frontEnd.workspace], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', (err) => {
      output += String(err);
      resolve({ ok: false, output, ms: Date.now() - started });
    });
    child.once('exit', (code) => resolve({ ok: code === 0, output, ms: Date.now() - started }));
  });
}

/** STOCKVERIFY_SKIP_FRONTEND_BUILD: `1`/`true` skips, `0`/`false`/unset builds; else an error. */
export function skipBuildSetting(
  value: string | undefined,
): { ok: true; skip: boolean } | { ok: false; error: string } {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === '0' || v === 'false') return { ok: true, skip: false };
  if (v === '1' || v === 'true') return { ok: true, skip: true };
  return {
    ok: false,
    error: `STOCKVERIFY_SKIP_FRONTEND_BUILD: "${value}" is not 1 or 0 (true or false)`,
  };
}
