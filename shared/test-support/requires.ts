/**
 * Suites that need a program the machine may lack (Debian's `redis-server`, Chromium) call
 * `requireBinary` at the top of the file and run only when it answers true:
 *
 *     const hasRedis = requireBinary('redis-server');
 *     it.runIf(hasRedis)('…', …);        // or describe.runIf(hasRedis)(…)
 *
 * Missing binary, normal run: the suite is left out and recorded in its module's meta; the
 * left-out reporter (left-out-reporter.ts, named in the root vitest.config.ts) prints one line per
 * suite naming the binary and the command that installs it, and how many suites were left out.
 * Missing binary with STOCKVERIFY_REQUIRE_ALL=1 (set by .ci/run): the suite FAILS with the same
 * message, so CI can never silently run less.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { TestRunner } from 'vitest';

export type RequiredBinary = 'redis-server' | 'chromium';

/** Set to 1 to turn a missing binary into a failing suite (CI). */
export const REQUIRE_ALL_ENV = 'STOCKVERIFY_REQUIRE_ALL';

export interface LeftOut {
  binary: RequiredBinary;
  /** Why it is missing, e.g. "not found on PATH". */
  reason: string;
  /** The command that installs it on Debian. */
  install: string;
}

declare module 'vitest' {
  interface TaskMeta {
    /** Set by requireBinary on a test module whose suites were left out. */
    stockverifyLeftOut?: LeftOut[];
  }
}

const INSTALL: Record<RequiredBinary, string> = {
  'redis-server': 'sudo apt-get install redis-server',
  chromium: 'sudo apt-get install chromium',
};

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where Chromium is expected: CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/** Null when `binary` is usable here, else why not and how to install it. */
export function missingBinary(
  binary: RequiredBinary,
  env: NodeJS.ProcessEnv = process.env,
): LeftOut | null {
  if (binary === 'chromium') {
    const file = chromiumPath(env);
    if (isExecutableFile(file)) return null;
    const reason = env.CHROMIUM_PATH
      ? `CHROMIUM_PATH=${file} is not an executable file`
      : `${file} not found (or set CHROMIUM_PATH)`;
    return { binary, reason, install: INSTALL[binary] };
  }
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  if (dirs.some((dir) => isExecutableFile(path.join(dir, binary)))) return null;
  return { binary, reason: 'not found on PATH', install: INSTALL[binary] };
}

/** The one line printed (or thrown) for a suite left out for want of `missing.binary`. */
export function leftOutMessage(missing: LeftOut): string {
  return `needs ${missing.binary} (${missing.reason}); install it with: ${missing.install}`;
}

/**
 * True when `binary` is here. Otherwise: under STOCKVERIFY_REQUIRE_ALL=1 throws (the test module
 * fails with the message); else records the left-out suite on the current test module and
 * answers false, for `describe.runIf` / `it.runIf`. Call it at the top level of a test file.
 */
export function requireBinary(
  binary: RequiredBinary,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  const missing = missingBinary(binary, env);
  if (!missing) return true;
  if (env[REQUIRE_ALL_ENV] === '1') {
    throw new Error(
      `${leftOutMessage(missing)} — ${REQUIRE_ALL_ENV}=1 makes a missing binary a failure`,
    );
  }
  const meta = TestRunner.getCurrentSuite().file.meta;
  const already = meta.stockverifyLeftOut ?? [];
  if (!already.some((entry) => entry.binary === binary)) {
    meta.stockverifyLeftOut = [...already, missing];
  }
  return false;
}
