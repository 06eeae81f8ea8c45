/** The notice naming suites skipped for a missing tool names real suites and the fix. */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { missingPrerequisiteNotices, PREREQUISITES } from '../helpers/prerequisites';

const ROOT = path.resolve(__dirname, '..', '..');

describe('test prerequisites', () => {
  it('name suites that exist and use describeWith', () => {
    for (const p of Object.values(PREREQUISITES)) {
      for (const suite of p.suites.filter((s) => s.startsWith('__tests__/'))) {
        expect(existsSync(path.join(ROOT, suite))).toBe(true);
      }
    }
  });

  it('print one notice per missing tool: skipped on a developer machine, failing under CI', () => {
    const saved = PREREQUISITES.groovy.present;
    (PREREQUISITES.groovy as { present: () => boolean }).present = () => false;
    try {
      const local = missingPrerequisiteNotices({});
      expect(local).toContain('notice: groovy is missing: skipping __tests__/loadtest/groovy.test.ts — install the Debian package groovy');
      const ci = missingPrerequisiteNotices({ CI: 'true' });
      expect(ci).toContain(
        'notice: groovy is missing: __tests__/loadtest/groovy.test.ts will FAIL (CI runs them; install the Debian package groovy)',
      );
    } finally {
      (PREREQUISITES.groovy as { present: () => boolean }).present = saved;
    }
  });

  it('are documented in docs/testing.md', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'testing.md'), 'utf8');
    for (const suite of ['__tests__/report/browser.test.ts', '__tests__/loadtest/groovy.test.ts']) expect(doc).toContain(suite);
    for (const tool of ['Chromium', 'groovy', 'Java 17', 'Maven']) expect(doc).toContain(tool);
  });
});
