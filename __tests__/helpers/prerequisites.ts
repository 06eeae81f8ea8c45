/**
 * The tools some suites run for real (a browser, Groovy, Java + Maven for JMeter). On a developer
 * machine a suite whose tool is missing is skipped, and the run starts with a notice naming it;
 * under CI (.ci/run installs them) a missing tool fails the suite instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Prerequisite {
  readonly tool: string;
  readonly present: () => boolean;
  readonly suites: readonly string[];
  readonly install: string;
}

const onPath = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const PREREQUISITES = {
  chromium: {
    tool: `Chromium (${CHROMIUM_PATH})`,
    present: () => existsSync(CHROMIUM_PATH),
    suites: ['__tests__/report/browser.test.ts', '__tests__/report/xss.test.ts'],
    install: 'the Debian package chromium',
  },
  groovy: {
    tool: 'groovy',
    present: () => onPath('groovy'),
    suites: ['__tests__/loadtest/groovy.test.ts'],
    install: 'the Debian package groovy',
  },
  jmeter: {
    tool: 'Java 17 and Maven (java, mvn)',
    present: () => onPath('java') && onPath('mvn'),
    suites: ['the real-JMeter rehearsal tests'],
    install: 'the Debian packages openjdk-17-jdk and maven',
  },
} satisfies Record<string, Prerequisite>;

/** `describe`, or `describe.skip` when the tool is missing outside CI. */
export function describeWith(name: keyof typeof PREREQUISITES): jest.Describe {
  return PREREQUISITES[name].present() || process.env.CI ? describe : describe.skip;
}

/** One notice line per missing prerequisite (empty when all are present). */
export function missingPrerequisiteNotices(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.values(PREREQUISITES as Record<string, Prerequisite>)
    .filter((p) => !p.present())
    .map((p) =>
      env.CI
        ? `notice: ${p.tool} is missing: ${p.suites.join(', ')} will FAIL (CI runs them; install ${p.install})`
        : `notice: ${p.tool} is missing: skipping ${p.suites.join(', ')} — install ${p.install}`,
    );
}
