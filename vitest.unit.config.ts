import { defineConfig } from 'vitest/config';
import base, { SPAWNING_SUITES } from './vitest.config.ts';

/**
 * `npm run test:unit`: every project of vitest.config.ts without the suites that start processes
 * or browsers (SPAWNING_SUITES), and without Redis, MongoDB or MSSQL even where their URLs are
 * set: only the embedded adapters, in-process. For the edit–test loop; `npm test` runs it all.
 */
for (const name of ['REDIS_URL', 'MONGODB_URI', 'MSSQL_URL']) delete process.env[name];

type Project = { test: { name: string; exclude?: string[] } };

export default defineConfig({
  test: {
    ...base.test,
    projects: (base.test?.projects as Project[]).map((project) => ({
      ...project,
      test: {
        ...project.test,
        exclude: [...(project.test.exclude ?? []), '**/node_modules/**', ...SPAWNING_SUITES],
      },
    })),
  },
});
