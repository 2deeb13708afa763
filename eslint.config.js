// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const appPackages = ['@stockverify/server', '@stockverify/pwa', '@stockverify/desktop'];

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
    // Boundaries (DESIGN §2): shared imports no app; apps never import another app.
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
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@stockverify/server', '**/server/src/*'],
              message: 'apps never import the server',
            },
            {
              group: ['mongodb', 'mssql', 'ioredis'],
              message: 'front ends talk to the server over HTTP',
            },
          ],
        },
      ],
    },
  },
);
