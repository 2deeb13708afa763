/**
 * `npm run admin -- reset-password | unlock <username>` (issue #11 item 2, issue #12): account
 * recovery on the embedded store while the server is running on it. The admin's password is lost
 * and the account locked; the tool prints a new password once, which then signs in through the
 * API; the admin's old refresh token is refused; the audit trail names the tool. An unknown user,
 * a folder without data, or a wrong command exit non-zero with a message and change nothing.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminTool } from '../../src/tools/admin';
import { callApi, startApiProcess, type ApiProcess } from '../support/api-process';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const rootDir = path.resolve(serverDir, '..');

// This suite is about the embedded store: the tool and the server must both use DATA_DIR.
delete process.env.MONGODB_URI;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (60 s at most). */
function run(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The tool as `tsx src/tools/admin.ts …` (what the npm script runs). */
const tool = (args: string[], dataDir: string) =>
  run(process.execPath, ['--import', 'tsx', 'src/tools/admin.ts', ...args], serverDir, {
    DATA_DIR: dataDir,
  });

const login = (base: string, username: string, password: string) =>
  callApi<{ access_token: string; refresh_token: string }>(
    base,
    'POST',
    '/api/auth/login',
    undefined,
    {
      username,
      password,
    },
  );

describe('npm run admin on a store whose admin password is lost', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-admin-tool-'));
  // Known only to this test, and only to get a refresh token the way a signed-in console holds one.
  const lostPassword = randomBytes(12).toString('base64url');
  let api: ApiProcess;
  let oldRefresh: string;

  beforeAll(async () => {
    api = await startApiProcess({ DATA_DIR: dataDir, STOCKVERIFY_ADMIN_PASSWORD: lostPassword });
    const signedIn = await login(api.url, 'admin', lostPassword);
    expect(signedIn.status).toBe(200);
    oldRefresh = signedIn.body.data.refresh_token;
    // Whoever tries to remember the password locks the account.
    for (let i = 0; i < 5; i++) {
      expect((await login(api.url, 'admin', `guess-number-${i}`)).status).toBe(401);
    }
    expect((await login(api.url, 'admin', lostPassword)).status).toBe(423);
  }, 90_000);

  afterAll(async () => {
    await api?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('reset-password prints a new password once that signs in; the old refresh token is refused; audited', async () => {
    const result = await tool(['reset-password', 'admin'], dataDir);
    expect(result.code, result.stderr).toBe(0);
    const match = /New password \(shown only this once\): (\S+)/.exec(result.stdout);
    expect(match, result.stdout).not.toBeNull();
    const password = match![1]!;
    // Once: the password appears on exactly one line, and nowhere on stderr.
    expect(result.stdout.split(password).length - 1).toBe(1);
    expect(result.stderr).not.toContain(password);
    expect(result.stdout).toContain('Lockout cleared; 1 sign-in(s) ended');

    const signedIn = await login(api.url, 'admin', password);
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect((await login(api.url, 'admin', lostPassword)).status).toBe(401);
    const refreshed = await callApi(api.url, 'POST', '/api/auth/refresh', undefined, {
      refresh_token: oldRefresh,
    });
    expect(refreshed.status).toBe(401);

    const audit = await callApi<{ items: Array<Record<string, unknown>> }>(
      api.url,
      'GET',
      '/api/admin/audit?action=user.password_reset',
      signedIn.body.data.access_token,
    );
    expect(audit.status).toBe(200);
    expect(audit.body.data.items).toHaveLength(1);
    expect(audit.body.data.items[0]).toMatchObject({
      actor_id: 'cli',
      action: 'user.password_reset',
      target_type: 'user',
    });
    expect(String(audit.body.data.items[0]!['actor_username'])).toMatch(/^cli:/);
    expect(JSON.stringify(audit.body.data.items[0])).not.toContain(password);
  }, 60_000);

  it('`npm run admin -- unlock` from the repository root clears a lockout, audited', async () => {
    const reset = await tool(['reset-password', 'admin'], dataDir);
    const password = /New password \(shown only this once\): (\S+)/.exec(reset.stdout)![1]!;
    for (let i = 0; i < 5; i++) await login(api.url, 'admin', `wrong-again-${i}`);
    expect((await login(api.url, 'admin', password)).status).toBe(423);

    const result = await run(
      'npm',
      ['run', '--silent', 'admin', '--', 'unlock', 'admin'],
      rootDir,
      {
        DATA_DIR: dataDir,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Unlocked "admin" (admin)');
    const signedIn = await login(api.url, 'admin', password);
    expect(signedIn.status).toBe(200);
    const audit = await callApi<{ items: Array<Record<string, unknown>> }>(
      api.url,
      'GET',
      '/api/admin/audit?action=user.unlock',
      signedIn.body.data.access_token,
    );
    expect(audit.body.data.items[0]).toMatchObject({ actor_id: 'cli', action: 'user.unlock' });
  }, 90_000);

  it('an unknown username exits 1 naming it and the admins there; nothing changes', async () => {
    const before = fs.statSync(path.join(dataDir, 'stockverify.db')).size;
    const result = await tool(['reset-password', 'no-such-admin'], dataDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No user "no-such-admin"');
    expect(result.stderr).toContain('Admins there: admin');
    expect(result.stdout).not.toContain('New password');
    expect(fs.statSync(path.join(dataDir, 'stockverify.db')).size).toBe(before);
  }, 60_000);

  it('a folder without data exits 1 and creates nothing; a wrong command exits 2 with usage', async () => {
    // In this process (the same code the command runs), to keep the suite quick.
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-admin-empty-'));
    try {
      expect(await runAdminTool(['unlock', 'admin'], { DATA_DIR: empty }, io)).toBe(1);
      expect(lines.join('\n')).toContain('No Stock Verify data at');
      expect(fs.readdirSync(empty)).toEqual([]);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
    for (const args of [
      [],
      ['reset-password'],
      ['delete-everything', 'admin'],
      ['unlock', 'a', 'b'],
    ]) {
      lines.length = 0;
      expect(await runAdminTool(args, { DATA_DIR: dataDir }, io), args.join(' ')).toBe(2);
      expect(lines.join('\n')).toContain('Usage:');
    }
  });
});
