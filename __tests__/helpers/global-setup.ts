/**
 * Runs once before the whole test run: prints which suites are skipped for a missing tool, and
 * points TMPDIR at one scratch folder for this run (tests and the processes they start inherit
 * it), which global-teardown.ts removes, so no test leaves a folder behind in the temp directory.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { missingPrerequisiteNotices } from './prerequisites';

export const RUN_TMP_VAR = 'LOADLAB_TEST_TMPDIR';

export default function globalSetup(): void {
  for (const notice of missingPrerequisiteNotices()) process.stderr.write(`${notice}\n`);
  const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-jest-'));
  process.env[RUN_TMP_VAR] = dir;
  process.env.TMPDIR = dir;
}
