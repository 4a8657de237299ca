// Lint keeps the house: typescript-eslint's recommended rules, and imports that keep the
// layers apart (the import graph test in __tests__/platform/imports.test.ts checks cycles).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const CDKTF = ['cdktf', 'constructs', '@cdktf/*'];

export default tseslint.config(
  { ignores: ['dist/', 'cdktf.out/', '.tmp/', 'node_modules/', 'coverage/', 'bench/out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' },
    },
    rules: {
      // Event and SDK shapes are loosely typed on purpose at the edges (parsed JSON).
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // jest.isolateModules needs require() to load a fresh module instance.
    files: ['__tests__/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    ignores: ['__tests__/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/__tests__/**'], message: 'Only tests import test helpers.' }] }],
    },
  },
  {
    files: ['stacks/**/*.ts', 'lambda/**/*.ts', 'policies/**/*.ts', 'tooling/**/*.ts', 'main.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/__tests__/**', '**/scripts/**'], message: 'Product code imports neither tests nor scripts.' }] },
      ],
    },
  },
  {
    files: [
      'stacks/platform/config/**/*.ts',
      'stacks/capabilities/*/config.ts',
      'stacks/capabilities/*/patterns.ts',
      'stacks/capabilities/*/env.ts',
      'stacks/capabilities/environment.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: CDKTF.filter((p) => !p.includes('*')).map((name) => ({
            name,
            message: 'Configuration, patterns and environment contracts are plain data: no constructs.',
          })),
          patterns: [
            {
              group: [
                '@cdktf/*',
                '**/constructs/*',
                '**/platform/app',
                '**/platform/*-stack',
                '**/platform/provider',
                '**/platform/shared',
                '**/capabilities/index',
              ],
              message: 'Configuration, patterns and environment contracts import no construct code.',
            },
            {
              // The own folder and sibling capabilities: only their plain-data modules.
              regex: String.raw`^\.\.?/(?:(?!\.\.)[^/]+/)?(?!(?:config|patterns|env|environment|common|regions|load|schema|json-schema|naming|literal)$)[^/]+$`,
              message: 'Configuration, patterns and environment contracts import only other plain-data modules.',
            },
            { group: ['**/__tests__/**', '**/scripts/**'], message: 'Product code imports neither tests nor scripts.' },
          ],
        },
      ],
    },
  },
  {
    files: ['lambda/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: CDKTF.filter((p) => !p.includes('*')).map((name) => ({
            name,
            message: 'Handlers run in Lambda: no cdktf or constructs.',
          })),
          patterns: [
            { group: ['@cdktf/*'], message: 'Handlers run in Lambda: no cdktf.' },
            {
              group: [
                '**/stacks/index',
                '**/stacks/constructs/*',
                '**/stacks/platform/*',
                '**/stacks/platform/config/*',
                '**/stacks/capabilities/*/*',
                '!**/stacks/capabilities/*/env',
              ],
              message: 'A handler shares only its environment contract (stacks/capabilities/<cap>/env.ts) with its construct.',
            },
            { group: ['**/__tests__/**', '**/scripts/**'], message: 'Product code imports neither tests nor scripts.' },
          ],
        },
      ],
    },
  },
  {
    files: ['tooling/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
