// Lint beyond formatting: typescript-eslint's type-checked recommended rules over the TypeScript sources.
import eslint from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['build/', 'node_modules/', 'bench/results/', 'test-artifacts/', 'examples/site/'] },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test runs the promises describe() and it() return itself (and reports their failures):
          // awaiting them would run suites one after another instead of as the runner schedules them.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      // A hook that subclasses override names its parameters even where the default ignores them: a leading
      // underscore says so on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests write streamed request bodies as `async function*` that yield without awaiting: the shortest way
      // to make the AsyncIterable the body types take (a sync generator is not one).
      '@typescript-eslint/require-await': 'off',
    },
  },
  // This file is JavaScript, outside tsconfig's project: the rules without types still apply.
  { files: ['**/*.js'], extends: [tseslint.configs.disableTypeChecked] },
);
