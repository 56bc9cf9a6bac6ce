// Lint for what the compiler lets through: promises nobody awaits or catches, and unused code.
// Formatting is Biome's (biome.json); unused exports, files and dependencies are knip's (knip.json).
import tseslint from 'typescript-eslint';

const nodeTest = { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after'] };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'extensions/**', 'examples/**', '**/*.mjs'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [nodeTest] }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'after-used', argsIgnorePattern: '^_', ignoreRestSiblings: true, caughtErrors: 'none' },
      ],
      'no-unreachable': 'error',
    },
  },
);
