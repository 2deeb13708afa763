/**
 * Issue #11, done-when: on a fresh clone, `npm install && npm start` serves the whole product. The
 * repository's files (tracked and new, as `git ls-files` lists them: no dist, no data) are copied
 * into a temporary folder, node_modules is linked in (the workspace packages pointing at the
 * copy), and the real `npm start` runs there: it must build both front ends, say so, and listen;
 * then Chromium opens `/` (the staff sign-in) and `/console/` (the console sign-in).
 *
 * Slow (two production builds, 1–3 min). Needs Chromium (CHROMIUM_PATH or /usr/bin/chromium).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, requireBinary } from '../../../shared/test-support/requires';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CHROMIUM = chromiumPath();
// Left out (with the install command printed) where Chromium is missing; a failure in CI.
const hasChromium = requireBinary('chromium');
const WORKSPACES = ['shared', 'server', 'pwa', 'desktop'];

let tree: string;
let dataDir: string;
let child: ChildProcess | undefined;
let output = '';
let url = '';
let browser: Browser | undefined;

/** A copy of the repository as a fresh clone has it: no dist, no data, no node_modules. */
function copySources(to: string): void {
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: REPO,
    },
  )
    .toString()
    .split('\0')
    .filter((f) => f !== '');
  for (const file of files) {
    const from = path.join(REPO, file);
    if (!fs.existsSync(from) || fs.statSync(from).isDirectory()) continue;
    fs.mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    fs.copyFileSync(from, path.join(to, file));
  }
  // node_modules as `npm install` leaves it, but the workspace links point into the copy.
  const modules = path.join(to, 'node_modules');
  fs.mkdirSync(path.join(modules, '@stockverify'), { recursive: true });
  for (const entry of fs.readdirSync(path.join(REPO, 'node_modules'))) {
    if (entry === '@stockverify' || entry === '.vite') continue;
    fs.symlinkSync(path.join(REPO, 'node_modules', entry), path.join(modules, entry));
  }
  for (const ws of WORKSPACES) {
    fs.symlinkSync(path.join(to, ws), path.join(modules, '@stockverify', ws));
    // A workspace whose dependency versions differ from the root's has its own node_modules
    // (the staff app's pinned @zxing packages): npm install leaves it there, so link it too.
    const own = path.join(REPO, ws, 'node_modules');
    if (fs.existsSync(own)) fs.symlinkSync(own, path.join(to, ws, 'node_modules'));
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.runIf(hasChromium)('npm start on a fresh clone', () => {
  beforeAll(async () => {
    tree = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-fresh-'));
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-fresh-data-'));
    copySources(tree);
    expect(fs.existsSync(path.join(tree, 'pwa', 'dist'))).toBe(false);
    expect(fs.existsSync(path.join(tree, 'desktop', 'dist'))).toBe(false);
    const port = await freePort();
    const {
      STOCKVERIFY_SKIP_FRONTEND_BUILD: _skip,
      NODE_ENV: _env,
      REDIS_URL: _redis,
      MONGODB_URI: _mongo,
      MSSQL_URL: _mssql,
      ...inherited
    } = process.env;
    // Its own process group, so the clean-up ends npm and everything it started.
    child = spawn('npm', ['start'], {
      cwd: tree,
      detached: true,
      env: {
        ...inherited,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DEMO_ITEM_COUNT: '100',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`npm start did not listen:\n${output}`)),
        280_000,
      );
      const poll = setInterval(() => {
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (!match) return;
        clearInterval(poll);
        clearTimeout(timer);
        resolve(match[1]!);
      }, 100);
      child!.once('exit', (code) => {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`npm start exited with ${code}:\n${output}`));
      });
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (child?.pid && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
    if (tree) fs.rmSync(tree, { recursive: true, force: true });
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('builds both front ends first, saying so', () => {
    expect(output).toMatch(/Building the staff app \(first start/);
    expect(output).toMatch(/Building the console \(first start/);
    expect(fs.existsSync(path.join(tree, 'pwa', 'dist', 'index.html'))).toBe(true);
    expect(fs.existsSync(path.join(tree, 'desktop', 'dist', 'renderer', 'index.html'))).toBe(true);
    expect(output).toMatch(/Console \(supervisors, admins\): http:\/\/localhost:\d+\/console\//);
  });

  it('serves the staff sign-in at / and the console sign-in at /console/', async () => {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}/`);
    await page.getByLabel('Username').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.goto(`${url}/console/`);
    await page.getByLabel('User name').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
