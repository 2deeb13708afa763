/**
 * Vitest reporter (root vitest.config.ts, after the default one): at the end of a run, one line
 * per test module left out by `requireBinary` (requires.ts), naming the missing binary and the
 * command that installs it, then how many suites were left out. Prints nothing when none were.
 */
import type { TestModule } from 'vitest/node';
import type { Reporter } from 'vitest/reporters';
import { REQUIRE_ALL_ENV, leftOutMessage, type LeftOut } from './requires';

export interface LeftOutSuite {
  project: string;
  module: string;
  missing: LeftOut[];
}

/** The left-out suites of a finished run, in a stable order. */
export function leftOutSuites(modules: ReadonlyArray<TestModule>): LeftOutSuite[] {
  return modules
    .flatMap((module) => {
      const missing = module.meta().stockverifyLeftOut;
      if (!missing?.length) return [];
      return [{ project: module.project.name, module: module.relativeModuleId, missing }];
    })
    .sort((a, b) => `${a.project}/${a.module}`.localeCompare(`${b.project}/${b.module}`));
}

/** The lines printed at the end of a run (empty when nothing was left out). */
export function leftOutReport(suites: readonly LeftOutSuite[]): string[] {
  if (suites.length === 0) return [];
  const lines = suites.map(
    (suite) =>
      ` left out  ${suite.project ? `[${suite.project}] ` : ''}${suite.module}: ${suite.missing
        .map(leftOutMessage)
        .join('; ')}`,
  );
  const binaries = [...new Set(suites.flatMap((s) => s.missing.map((m) => m.binary)))];
  lines.push(
    ` left out ${suites.length} suite${suites.length === 1 ? '' : 's'} for want of ${binaries.join(
      ' and ',
    )} (${REQUIRE_ALL_ENV}=1 makes this a failure, as in CI)`,
  );
  return lines;
}

/** Named by path in `reporters` (so the config itself stays free of relative TS imports). */
export default class LeftOutReporter implements Reporter {
  private log: (line: string) => void = (line) => console.log(line);

  onInit(vitest: Parameters<NonNullable<Reporter['onInit']>>[0]): void {
    this.log = (line) => vitest.logger.log(line);
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const lines = leftOutReport(leftOutSuites(modules));
    if (lines.length) this.log(['', ...lines, ''].join('\n'));
  }
}
