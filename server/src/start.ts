/**
 * `npm start` (issue #11): builds a front end whose dist is missing or older than its sources, with
 * a visible progress line, then runs the server (main.ts) in this same process. Running main.ts
 * directly (tests, `npm run dev -w server`) never builds; it serves whatever is built and explains
 * the rest at `/`. STOCKVERIFY_SKIP_FRONTEND_BUILD=1 skips the check (CI builds separately).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FRONT_ENDS, buildState, runBuild, skipBuildSetting } from './startup/frontends';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function buildFrontEnds(): Promise<void> {
  const skip = skipBuildSetting(process.env.STOCKVERIFY_SKIP_FRONTEND_BUILD);
  if (!skip.ok) {
    console.error(skip.error);
    process.exit(2);
  }
  if (skip.skip) {
    console.log('Front-end build skipped (STOCKVERIFY_SKIP_FRONTEND_BUILD).');
    return;
  }
  for (const frontEnd of FRONT_ENDS) {
    const state = buildState(ROOT, frontEnd);
    if (state === 'fresh') continue;
    const why = state === 'missing' ? 'first start, about 30 s' : 'its sources changed, about 30 s';
    console.log(`Building ${frontEnd.label} (${why})…`);
    const result = await runBuild(ROOT, frontEnd);
    if (result.ok) {
      console.log(
        `  built ${frontEnd.output.replace(/\/index\.html$/, '/')} in ${(result.ms / 1000).toFixed(1)} s`,
      );
      continue;
    }
    console.error(result.output.trimEnd());
    if (state === 'stale') {
      // The older build still works: serve it rather than refuse to start.
      console.error(
        `  Building ${frontEnd.label} failed (above); serving the previous build of ${frontEnd.output}.`,
      );
      continue;
    }
    console.error(
      `Cannot start: building ${frontEnd.label} failed (above). Run \`npm install\` and try again, or set STOCKVERIFY_SKIP_FRONTEND_BUILD=1 to start the API without it.`,
    );
    process.exit(1);
  }
}

await buildFrontEnds();
await import('./main');
