import * as path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

interface CustomManager {
  managerFilePatterns: string[];
  matchStrings: string[];
  datasourceTemplate: string;
  depNameTemplate: string;
}
// renovate.json5 is JSON5 (comments, unquoted keys), which is also a JavaScript expression.
const renovate = new Function(`return (${read('renovate.json5')});`)() as {
  extends: string[];
  customManagers: CustomManager[];
  packageRules: { matchPackageNames?: string[]; groupName?: string }[];
};

describe('runner image', () => {
  it('pins every base image by digest, saying where the digest came from', () => {
    const lines = read('loadtest/Dockerfile').split('\n');
    const froms = lines.map((l, i) => [l, i] as const).filter(([l]) => /^FROM\s/i.test(l));
    expect(froms.length).toBeGreaterThan(0);
    for (const [line, i] of froms) {
      expect(line).toMatch(/^FROM \S+:\S+@sha256:[0-9a-f]{64}(\s+AS\s+\S+)?$/);
      expect(lines.slice(Math.max(0, i - 6), i).join('\n')).toMatch(/digest/i);
    }
  });
});

describe('renovate.json5', () => {
  it('pins action SHAs and image digests and groups the AWS SDK clients', () => {
    expect(renovate.extends).toEqual(expect.arrayContaining(['config:recommended', 'helpers:pinGitHubActionDigests', 'docker:pinDigests']));
    expect(renovate.packageRules).toContainEqual(expect.objectContaining({ matchPackageNames: ['@aws-sdk/**'], groupName: 'AWS SDK v3' }));
  });

  it('finds the current version of each dependency it tracks by pattern (Maven, Go, npm)', () => {
    expect(new Set(renovate.customManagers.map((m) => m.datasourceTemplate))).toEqual(new Set(['maven', 'go', 'npm']));
    for (const m of renovate.customManagers) {
      const file = m.managerFilePatterns[0].replace(/^\/\^?|\$?\/$/g, '').replace(/\\\./g, '.');
      expect({ dep: m.depNameTemplate, exists: existsSync(path.join(ROOT, file)) }).toEqual({ dep: m.depNameTemplate, exists: true });
      const found = new RegExp(m.matchStrings[0]).exec(read(file))?.groups?.currentValue;
      expect({ dep: m.depNameTemplate, found: typeof found === 'string' && found.length > 0 }).toEqual({
        dep: m.depNameTemplate,
        found: true,
      });
    }
  });
});

describe('npm install scripts', () => {
  // npm 11 skips dependency install scripts that package.json's allowScripts does not decide, and
  // prints a warning that reads like a failure on the very first command. Every package with an
  // install script gets an explicit decision, so a clean `npm ci` is quiet.
  it('decides every dependency install script in package.json allowScripts', () => {
    const pkg = JSON.parse(read('package.json')) as { allowScripts?: Record<string, boolean> };
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
      .filter(([key, entry]) => key !== '' && entry.hasInstallScript)
      .map(([key]) => key.replace(/^.*node_modules\//, ''));
    expect(withScripts.length).toBeGreaterThan(0);
    expect(Object.keys(pkg.allowScripts ?? {}).sort()).toEqual([...new Set(withScripts)].sort());
  });
});
