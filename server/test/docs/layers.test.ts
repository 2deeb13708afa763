/**
 * The layers are checked, not just stated (issue #15, design §3): a wrong-way import fails
 * `npm run lint`. Lints source text with the repository's own eslint.config.js at a path inside
 * each zone (no file is written), and expects the zone's error for a wrong-way import and none
 * for the right way.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

// Only the import rules: the type-aware ones need a file on disk, and are not what this checks.
const eslint = new ESLint({
  cwd: ROOT,
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
});

/** The restricted-import messages ESLint gives `code` placed at `file` (relative to the root). */
async function importErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  const messages = result!.messages;
  // A parse error or a file outside the config would pass silently; make it fail instead.
  expect(messages.filter((m) => m.ruleId !== 'no-restricted-imports')).toEqual([]);
  return messages.map((m) => m.message);
}

const cases: Array<{ zone: string; file: string; wrong: string; right: string }> = [
  {
    zone: 'an adapter importing a module',
    file: 'server/src/adapters/erp/layers-probe.ts',
    wrong:
      "import type { AdjustmentService } from '../../modules/adjustments/adjustments.service';",
    right: "import type { AdjustmentPackage } from '../../ports/erp-writeback';",
  },
  {
    zone: 'an adapter importing the config',
    file: 'server/src/adapters/store/sqlite/layers-probe.ts',
    wrong: "import { loadConfig } from '../../../config';",
    right: "import { normalizeText } from '../../../lib/text';",
  },
  {
    zone: 'an adapter importing http',
    file: 'server/src/adapters/store/layers-probe.ts',
    wrong: "import { metaOf } from '../../http/request-meta';",
    right: "import { AppError } from '../../lib/errors';",
  },
  {
    zone: 'a port importing a module',
    file: 'server/src/ports/layers-probe.ts',
    wrong: "import type { Actor } from '../modules/audit/audit-log';",
    right: "import type { Store } from './store';",
  },
  {
    zone: 'a port importing an adapter',
    file: 'server/src/ports/layers-probe.ts',
    wrong: "import { ImportLimitError } from '../adapters/erp/import-limits';",
    right: "import type { Actor } from '../lib/request-context';",
  },
  {
    zone: 'an http helper importing a module',
    file: 'server/src/http/layers-probe.ts',
    wrong: "import { JWT_ISSUER } from '../modules/auth/tokens';",
    right: "import { JWT_ISSUER } from '../lib/jwt';",
  },
  {
    zone: 'a service importing http',
    file: 'server/src/modules/claims/claims.service.ts',
    wrong: "import { AppError } from '../../http/app-error';",
    right: "import { AppError } from '../../lib/errors';",
  },
  {
    zone: 'a service importing an adapter',
    file: 'server/src/modules/erp/erp.service.ts',
    wrong: "import { parseItemMasterInWorker } from '../../adapters/erp/import-worker';",
    right: "import type { ItemMasterParser } from '../../ports/item-master-import';",
  },
  {
    zone: 'a module helper importing an http module other than guard, envelope, validate',
    file: 'server/src/modules/sessions/session-access.ts',
    wrong: "import { logRequest } from '../../http/request-log';",
    right: "import { actorOf } from '../../http/auth-guard';",
  },
  {
    zone: 'a route file importing a port (type-only too)',
    file: 'server/src/modules/sessions/sessions.routes.ts',
    wrong: "import type { Store } from '../../ports/store';",
    right: "import type { SessionsService } from './sessions.service';",
  },
  {
    zone: 'lib importing a port',
    file: 'server/src/lib/layers-probe.ts',
    wrong: "import type { Store } from '../ports/store';",
    right: "import { AppError } from './errors';",
  },
  {
    zone: 'the renderer importing the preload',
    file: 'desktop/src/renderer/layers-probe.ts',
    wrong: "import type { PlatformBridge } from '../preload/bridge.preload';",
    right: "import type { PlatformBridge } from '../ipc/bridge';",
  },
  {
    zone: 'the main process importing the renderer',
    file: 'desktop/src/main/layers-probe.main.ts',
    wrong: "import { createBrowserPlatform } from '../renderer/platform';",
    right: "import { IPC_CHANNELS } from '../ipc/channels';",
  },
  {
    zone: 'the preload importing the main process',
    file: 'desktop/src/preload/layers-probe.preload.ts',
    wrong: "import { registerIpc } from '../main/ipc.main';",
    right: "import type { IpcResult } from '../ipc/channels';",
  },
];

describe('lint zones: a wrong-way import fails lint', () => {
  for (const c of cases) {
    it(`refuses ${c.zone}, allows the right way`, async () => {
      const wrong = await importErrors(c.file, `${c.wrong}\nexport const probe = 1;\n`);
      expect(wrong).toHaveLength(1);
      expect(wrong[0]).toMatch(/is restricted from being used by a pattern/);
      expect(await importErrors(c.file, `${c.right}\nexport const probe = 1;\n`)).toEqual([]);
    });
  }

  it('route files may use every http helper; tests and the app root are not zoned', async () => {
    const helper = "import { logRequest } from '../../http/request-log';\nexport const p = 1;\n";
    expect(await importErrors('server/src/modules/items/items.routes.ts', helper)).toEqual([]);
    const adapter = "import { createSqliteStore } from '../../adapters/store/sqlite';\n";
    expect(
      await importErrors('server/src/modules/erp/erp-scheduler.test.ts', `${adapter}export {};\n`),
    ).toEqual([]);
    expect(
      await importErrors(
        'server/src/app.ts',
        `import x from './adapters/erp/file';\nexport { x };\n`,
      ),
    ).toEqual([]);
  });
});

describe('lint: promises and hooks', () => {
  it('no-floating-promises is on, type-aware, for every workspace', async () => {
    const asConfigured = new ESLint({ cwd: ROOT });
    for (const file of [
      'server/src/app.ts',
      'shared/src/envelope.ts',
      'pwa/src/App.tsx',
      'desktop/src/main/index.main.ts',
    ]) {
      const config = (await asConfigured.calculateConfigForFile(path.join(ROOT, file))) as {
        rules: Record<string, unknown[]>;
        languageOptions: { parserOptions?: { projectService?: unknown } };
      };
      expect(config.rules['@typescript-eslint/no-floating-promises']?.[0], file).toBe(2);
      expect(config.languageOptions.parserOptions?.projectService, file).toBe(true);
    }
  });

  it('a hook called conditionally fails lint in the staff app and the console', async () => {
    const hooks = new ESLint({
      cwd: ROOT,
      ruleFilter: ({ ruleId }) => ruleId.startsWith('react-hooks/'),
      overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    });
    const code = [
      "import { useState } from 'react';",
      'export function Probe({ on }: { on: boolean }) {',
      '  if (on) {',
      '    const [n] = useState(0);',
      '    return n;',
      '  }',
      '  return null;',
      '}',
      '',
    ].join('\n');
    for (const file of ['pwa/src/layers-probe.tsx', 'desktop/src/renderer/layers-probe.tsx']) {
      const [result] = await hooks.lintText(code, { filePath: path.join(ROOT, file) });
      expect(
        result!.messages.map((m) => m.ruleId),
        file,
      ).toEqual(['react-hooks/rules-of-hooks']);
    }
  });
});
