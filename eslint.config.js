// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

const appPackages = ['@stockverify/server', '@stockverify/pwa', '@stockverify/desktop'];

/** What front ends (PWA, desktop) may never import. */
const frontEndPatterns = [
  { group: ['@stockverify/server', '**/server/src/*'], message: 'apps never import the server' },
  { group: ['mongodb', 'mssql', 'ioredis'], message: 'front ends talk to the server over HTTP' },
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/dist-*/**',
      '**/release/**',
      '**/data/**',
      '.tsbuild/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    // Boundaries (design §2): shared imports no app; apps never import another app.
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...appPackages, '../server/*', '../pwa/*', '../desktop/*'],
              message: 'shared must not import an app',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['pwa/**/*.{ts,tsx}', 'desktop/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: { 'no-restricted-imports': ['error', { patterns: frontEndPatterns }] },
  },
  // Layers (design §3), checked: a wrong-way import fails `npm run lint`
  // (server/test/docs/layers.test.ts proves it). ESLint's own no-restricted-imports, one block per
  // layer; the regexes match relative import paths, so `../../modules/x` from an adapter is caught
  // however deep the file sits. Tests and the composition roots (app.ts, deps.ts, main.ts, config.ts,
  // startup/, tools/) may import anything. A later block for the same files replaces an earlier
  // one, so each block lists every pattern its files obey.
  ...layerZones(),
  {
    // Promises nobody awaits lose their errors. Type-aware: the TypeScript project service reads
    // each workspace's tsconfig (adds about a minute to `npm run lint` on 2 cores).
    files: ['{server,shared,pwa,desktop}/**/*.{ts,tsx}'],
    ignores: ['**/*.config.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    files: ['pwa/src/**/*.{ts,tsx}', 'desktop/src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
);

/** A path that climbs out of the file's folder into the named top-level folder of its `src`. */
function into(...folders) {
  return `^(\\.\\./)+(${folders.join('|')})(/|$)`;
}

function layerZones() {
  const roots = ['app', 'deps', 'main', 'start', 'config', 'startup', 'tools'];
  const zone = (files, patterns, ignores = []) => ({
    files,
    ignores: ['**/*.test.ts', ...ignores],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  });
  const server = (folder) => `server/src/${folder}/**/*.ts`;
  const httpHelpers = ['auth-guard', 'envelope', 'validate'];
  return [
    zone(
      [server('lib')],
      [
        {
          regex: into('modules', 'adapters', 'http', 'ports', ...roots),
          message: 'lib sits below every layer: it imports only lib, shared and packages',
        },
      ],
    ),
    zone(
      [server('ports')],
      [
        {
          regex: into('modules', 'adapters', 'http', ...roots),
          message: 'ports import only ports, lib and shared (adapters and modules depend on them)',
        },
      ],
    ),
    zone(
      [server('adapters')],
      [
        {
          regex: into('modules', 'http', ...roots),
          message:
            'adapters import only ports, lib and shared: settings are passed in, types live in ports',
        },
      ],
    ),
    zone(
      [server('http')],
      [
        {
          regex: into('modules', 'adapters', ...roots),
          message: 'http helpers sit below the modules: what they need lives in ports or lib',
        },
      ],
    ),
    // Route files (and the lookup fast path, an HTTP handler) may use every http helper.
    zone(
      [server('modules')],
      [
        {
          regex: into('adapters', ...roots),
          message: 'modules reach adapters through ports (the app wires them in)',
        },
      ],
    ),
    zone(
      [server('modules')],
      [
        {
          regex: into('adapters', ...roots),
          message: 'modules reach adapters through ports (the app wires them in)',
        },
        {
          regex: `^(\\.\\./)+http/(?!(${httpHelpers.join('|')})$)`,
          message: `only route files use http/; other module files may use ${httpHelpers.join(', ')}`,
        },
      ],
      ['**/*.routes.ts', 'server/src/modules/items/lookup-fast-path.ts'],
    ),
    // Routes are thin (issue #15): parse, call a service, answer. No store or coordination.
    zone(
      ['server/src/modules/**/*.routes.ts'],
      [
        {
          regex: into('adapters', ...roots),
          message: 'modules reach adapters through ports (the app wires them in)',
        },
        {
          regex: into('ports'),
          message: 'route files call services; only services use ports (store, coordination, …)',
        },
      ],
    ),
    zone(
      ['server/src/modules/**/*.service.ts'],
      [
        {
          regex: into('adapters', 'http', ...roots),
          message:
            'services know nothing of HTTP or adapters: AppError is in lib/errors, the rest in ports',
        },
      ],
    ),
    // Desktop: each process's files carry its suffix; they meet only in src/ipc and shared.
    ...['main', 'preload', 'renderer'].map((process) =>
      zone(
        [`desktop/src/${process}/**/*.{ts,tsx}`],
        [
          ...frontEndPatterns,
          {
            regex: into(...['main', 'preload', 'renderer'].filter((p) => p !== process)),
            message: `${process} code meets the other processes only through src/ipc and shared`,
          },
        ],
        ['**/*.test.tsx'],
      ),
    ),
  ];
}
