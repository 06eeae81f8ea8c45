import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const TIMEOUT_MS = 180_000;

const runTs = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'run-ts.mjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env },
    encoding: 'utf8',
    timeout: TIMEOUT_MS - 10_000,
  });

const stackJson = (outdir: string, stack: string) => JSON.parse(readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));

describe('npm run synth and the cdktf app', () => {
  it(
    'npm run synth writes what the cdktf app writes, with zipped Lambda assets, and removes stale stack folders',
    () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-synth-cmd-'));
      const viaCommand = path.join(dir, 'command');
      mkdirSync(path.join(viaCommand, 'stacks', 'gone-runners'), { recursive: true });
      const cmd = runTs(['bin/synth.ts', '--env', 'example', '--output', viaCommand]);
      // The example's unconfirmed limits print one short warning each and a pointer to preflight; no error may print.
      expect(cmd.stderr).not.toMatch(/^error/m);
      const warnings = cmd.stderr.split('\n').filter((l) => l.startsWith('warning:'));
      expect(warnings).toContain(
        'warning:   genesys.limits.analytics.conversations.details.jobs.concurrent.max = 10 (unconfirmed default): the scenario needs 50 concurrent jobs per org',
      );
      expect(warnings[warnings.length - 1]).toBe(
        'warning: confirm them against your org: npm run preflight -- --env example (see docs/unconfirmed-facts.md)',
      );
      expect(Math.max(...warnings.map((l) => l.length))).toBeLessThanOrEqual(170);
      expect(cmd.status).toBe(0);
      expect(cmd.stdout).toContain('Generated Terraform code for the stacks: example-archive, example-genesys, example-runners');
      expect(readdirSync(path.join(viaCommand, 'stacks')).sort()).toEqual(['example-archive', 'example-genesys', 'example-runners']);

      // cdktf.json's app command, as cdktf synth runs it.
      const cdktfJson = JSON.parse(readFileSync(path.join(ROOT, 'cdktf.json'), 'utf8'));
      expect(cdktfJson.app).toBe('node scripts/run-ts.mjs main.ts');
      const viaApp = path.join(dir, 'app');
      const app = runTs(['main.ts'], { LOADLAB_ENV: 'example', CDKTF_OUTDIR: viaApp });
      expect(app.status).toBe(0);
      for (const stack of ['example-archive', 'example-genesys', 'example-runners']) {
        expect(stackJson(viaCommand, stack)).toEqual(stackJson(viaApp, stack));
      }

      const functions = Object.values(stackJson(viaCommand, 'example-runners').resource.aws_lambda_function) as {
        filename: string;
        source_code_hash: string;
      }[];
      expect(functions).toHaveLength(3);
      for (const fn of functions) {
        expect(fn.filename).toMatch(/^assets\/.+\/lambda\.zip$/);
        const zip = readFileSync(path.join(viaCommand, 'stacks', 'example-runners', fn.filename));
        expect(zip.readUInt32LE(0)).toBe(0x04034b50);
        expect(fn.source_code_hash).toBe(createHash('sha256').update(zip).digest('base64'));
      }
    },
    TIMEOUT_MS,
  );

  it(
    'scripts/run-ts.mjs runs the current code: an edited import is rebuilt, never served stale',
    () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-run-ts-'));
      writeFileSync(
        path.join(dir, 'entry.ts'),
        "import { value } from './value';\nconsole.log(`${value}:${process.argv.slice(2).join(',')}:${__dirname}`);\n",
      );
      writeFileSync(path.join(dir, 'value.ts'), "export const value: string = 'first';\n");
      const first = runTs([path.join(dir, 'entry.ts'), 'a', 'b']);
      expect(first.status).toBe(0);
      // Arguments reach the entry, and __dirname is the source file's folder, not the bundle's.
      expect(first.stdout.trim()).toBe(`first:a,b:${dir}`);
      writeFileSync(path.join(dir, 'value.ts'), "export const value: string = 'second';\n");
      expect(runTs([path.join(dir, 'entry.ts')]).stdout.trim()).toBe(`second::${dir}`);
      expect(existsSync(path.join(ROOT, '.build', 'run-ts'))).toBe(true);
    },
    TIMEOUT_MS,
  );
});
