/**
 * `npm start` as a user runs it: the real main.ts in its own process on the embedded default.
 * First start prints the admin password once; a second start does not; SIGTERM exits cleanly;
 * a bad setting stops the process with a message naming the variable.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-main-'));

interface Started {
  url: string;
  output: () => string;
  stop: () => Promise<number | null>;
}

function startMain(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      DEMO_ITEM_COUNT: '300',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (match) {
        clearInterval(timer);
        resolve({
          url: match[1]!,
          output: () => out,
          stop: async () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`main exited with ${code}: ${out}`));
    });
  });
}

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('main.ts', () => {
  it('first start creates admin with a password printed once; it signs in; SIGTERM exits 0', async () => {
    const first = await startMain({});
    const password = /password: (\S+)/.exec(first.output())?.[1];
    expect(password).toBeTruthy();
    const health = await fetch(`${first.url}/api/health`);
    expect(health.status).toBe(200);
    const login = await fetch(`${first.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(login.status).toBe(200);
    expect(await first.stop()).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'stockverify.db'))).toBe(true);
    expect(fs.statSync(path.join(dataDir, 'jwt-secret')).mode & 0o077).toBe(0);

    const second = await startMain({});
    expect(second.output()).not.toMatch(/password:/);
    expect(await second.stop()).toBe(0);
  }, 60_000);

  it('refuses a bad setting with exit code 2, naming the variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: serverDir,
      env: { ...process.env, PORT: 'eighty', ACCESS_TOKEN_EXPIRE_MINUTES: '60', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('PORT');
    expect(err).toContain('ACCESS_TOKEN_EXPIRE_MINUTES');
  }, 30_000);
});
