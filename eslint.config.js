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
  },
  // This file is JavaScript, outside tsconfig's project: the rules without types still apply.
  { files: ['**/*.js'], extends: [tseslint.configs.disableTypeChecked] },
);
