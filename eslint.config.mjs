import tseslint from 'typescript-eslint';
import loadlab from './eslint-rules/import-direction.cjs';

export default tseslint.config(
  { ignores: ['node_modules/', '.cache/', '.gen/', 'cdktf.out/', 'dist/', '.build/', 'coverage/', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    plugins: { loadlab },
    rules: {
      // config -> budget -> constructs -> stacks -> app; runtime code apart (eslint-rules/import-direction.cjs).
      'loadlab/import-direction': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Provider packages must be imported by submodule path: the root import loads every resource.
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@cdktf/provider-aws', message: "Import by submodule path, e.g. '@cdktf/provider-aws/lib/s3-bucket'." }] },
      ],
    },
  },
  {
    // Functions short enough to read at a glance: at most 100 lines, every line counted (issue 20);
    // tests, fixtures and generated bindings are exempt.
    files: ['**/*.ts'],
    ignores: ['__tests__/**', '**/fixtures/**', '.gen/**'],
    rules: { 'max-lines-per-function': ['error', { max: 100, skipBlankLines: false, skipComments: false }] },
  },
  {
    // The project's own ESLint rules are CommonJS, loaded by ESLint itself.
    files: ['eslint-rules/**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests walk untyped synthesized JSON and mutate raw config on purpose.
    files: ['__tests__/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
