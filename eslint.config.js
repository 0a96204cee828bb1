import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const entryFolders = ['background', 'content', 'viewer', 'renderer', 'options', 'popup', 'cli'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench-results/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        console: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        crypto: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        fetch: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The core is a pure library: no extension API, no `any`.
    files: ['src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: ['webextension-polyfill', '../*/**', ...entryFolders.map((f) => `**/${f}/**`)],
        },
      ],
      'no-restricted-globals': ['error', 'chrome', 'browser'],
    },
  },
  ...entryFolders.map((folder) => ({
    // Entry folders import core, never each other.
    files: [`src/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: entryFolders.filter((f) => f !== folder).map((f) => `**/${f}/**`) },
      ],
    },
  })),
);
