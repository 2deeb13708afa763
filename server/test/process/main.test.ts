/**
 * `npm start` as a user runs it: the real main.ts in its own process on the embedded default.
 * First start prints the admin password once; a second start does not; SIGTERM exits cleanly;
 * a bad setting stops the process with a message naming the variable.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnMain, startMain } from '../../../shared/test-support/main-process';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-main-'));

/** main.ts on the embedded default in this test's data dir, once it listens. */
function start(env: Record<string, string>) {
  return startMain({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    DEMO_ITEM_COUNT: '300',
    ...env,
  });
}

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('main.ts', () => {
  it('first start creates admin with a password printed once; it signs in; SIGTERM exits 0', async () => {
    const first = await start({});
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

    const second = await start({});
    expect(second.output()).not.toMatch(/password:/);
    expect(await second.stop()).toBe(0);
  }, 60_000);

  it('refuses a bad setting with exit code 2, naming the variable', async () => {
    const child = spawnMain({
      PORT: 'eighty',
      ACCESS_TOKEN_EXPIRE_MINUTES: '60',
      DATA_DIR: dataDir,
    });
    const code = await child.exited;
    const err = child.stderr();
    expect(code).toBe(2);
    expect(err).toContain('PORT');
    expect(err).toContain('ACCESS_TOKEN_EXPIRE_MINUTES');
  }, 30_000);
});
