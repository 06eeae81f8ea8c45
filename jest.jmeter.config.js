/**
 * The real-JMeter suite (__tests__/jmeter): `npm run test:jmeter`. Its own run, one test file at a
 * time, so JMeter's timing is not shared with the CPU-bound synthesis tests of `npm test`.
 */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/__tests__/jmeter'],
  testPathIgnorePatterns: [],
  maxWorkers: 1,
  testTimeout: 600000,
};
