/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // The real-JMeter suite has its own run (npm run test:jmeter, jest.jmeter.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/__tests__/jmeter/'],
  // tsconfig's isolatedModules makes ts-jest transpile each file on its own; type checking is
  // `npm run typecheck`, not the test run.
  transform: { '^.+\\.tsx?$': ['ts-jest', { diagnostics: false }] },
  setupFilesAfterEnv: ['<rootDir>/jest.setup.ts'],
  // A notice naming suites skipped for a missing tool; one scratch TMPDIR per run, removed at the end.
  globalSetup: '<rootDir>/__tests__/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/__tests__/helpers/global-teardown.ts',
  testTimeout: 60000,
  // Synthesis is CPU-bound; two workers match the machine and CI.
  maxWorkers: process.env.CI ? 2 : '50%',
};
