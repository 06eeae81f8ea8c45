/**
 * How long `npm run synth` takes for the example environment (three stacks, every construct of
 * the project) against `cdktf synth` of a one-bucket app made the way `cdktf init
 * --template=typescript` makes it (app command `npx ts-node main.ts`; its `npm run synth` is
 * `cdktf synth`), alternated in one run so both see the same machine load.
 * Targets: median ratio <= 0.5, the project's slowest run <= 0.7 x the template's median, and
 * peak RSS (the whole process tree) <= 512 MiB.
 */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { measure, median } from './proc-tree';
import { runStandalone, type BenchOptions, type BenchResult } from './types';

const ROOT = path.resolve(__dirname, '..');
const CDKTF = path.join(ROOT, 'node_modules', '.bin', 'cdktf');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export const TARGETS = { medianRatio: 0.5, slowestRatio: 0.7, peakRssMiB: 512 } as const;

/** A one-bucket app shaped like the output of `cdktf init --template=typescript`. */
function writeTemplateApp(dir: string): void {
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'template-app', version: '1.0.0', private: true }));
  writeFileSync(
    path.join(dir, 'cdktf.json'),
    JSON.stringify({
      language: 'typescript',
      app: 'npx ts-node main.ts',
      projectId: 'bench-template',
      sendCrashReports: 'false',
      terraformProviders: [],
      terraformModules: [],
      context: {},
    }),
  );
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        alwaysStrict: true,
        declaration: true,
        experimentalDecorators: true,
        inlineSourceMap: true,
        inlineSources: true,
        lib: ['es2018'],
        module: 'CommonJS',
        noEmitOnError: true,
        noFallthroughCasesInSwitch: true,
        noImplicitAny: true,
        noImplicitReturns: true,
        noImplicitThis: true,
        noUnusedLocals: true,
        noUnusedParameters: true,
        resolveJsonModule: true,
        strict: true,
        strictNullChecks: true,
        strictPropertyInitialization: true,
        stripInternal: true,
        target: 'ES2018',
        incremental: true,
        skipLibCheck: true,
      },
      include: ['**/*.ts'],
      exclude: ['node_modules', 'cdktf.out'],
    }),
  );
  writeFileSync(
    path.join(dir, 'main.ts'),
    [
      "import { Construct } from 'constructs';",
      "import { App, TerraformStack } from 'cdktf';",
      "import { AwsProvider } from '@cdktf/provider-aws/lib/provider';",
      "import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';",
      '',
      'class MyStack extends TerraformStack {',
      '  constructor(scope: Construct, id: string) {',
      '    super(scope, id);',
      "    new AwsProvider(this, 'aws', { region: 'us-east-1' });",
      "    new S3Bucket(this, 'bucket', { bucket: 'template-bench-bucket' });",
      '  }',
      '}',
      '',
      'const app = new App();',
      "new MyStack(app, 'template');",
      'app.synth();',
      '',
    ].join('\n'),
  );
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const runs = options.quick ? 2 : Number(process.env.BENCH_SYNTH_RUNS ?? 7);
  const scratch = mkdtempSync(path.join(tmpdir(), 'loadlab-synth-bench-'));
  const templateDir = path.join(scratch, 'template');
  mkdirSync(templateDir);
  writeTemplateApp(templateDir);
  const env = { CHECKPOINT_DISABLE: '1', LOADLAB_ENV: 'example', CI: '1' };
  const subjects = [
    {
      name: 'npm run synth (example, 3 stacks)',
      cwd: ROOT,
      command: NPM,
      args: ['run', '--silent', 'synth', '--', '--output', path.join(scratch, 'project.out')],
    },
    {
      name: 'cdktf init template (1 bucket, ts-node)',
      cwd: templateDir,
      command: CDKTF,
      args: ['synth', '--output', path.join(scratch, 'template.out')],
    },
  ];
  const loadBefore = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const samples = subjects.map(() => ({ wall: [] as number[], rss: [] as number[] }));
  try {
    // One unmeasured warm-up each (file cache, ts-node's incremental build info, the Lambda bundle cache), then alternate.
    for (let i = -1; i < runs; i++) {
      for (const [k, subject] of subjects.entries()) {
        const m = await measure(subject.command, subject.args, { cwd: subject.cwd, env });
        if (m.exitCode !== 0) throw new Error(`${subject.name} failed:\n${m.output.slice(-2000)}`);
        if (i >= 0) {
          samples[k].wall.push(m.wallMs);
          samples[k].rss.push(m.peakRssMiB);
        }
        options.log(
          `  ${i < 0 ? 'warm-up' : `run ${i + 1}/${runs}`}  ${subject.name.padEnd(42)} ${(m.wallMs / 1000).toFixed(2)} s  peak ${m.peakRssMiB.toFixed(0)} MiB`,
        );
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const project = { wall: median(samples[0].wall), slowest: Math.max(...samples[0].wall), rss: Math.max(...samples[0].rss) };
  const template = { wall: median(samples[1].wall), rss: Math.max(...samples[1].rss) };
  const ratio = project.wall / template.wall;
  const slowestRatio = project.slowest / template.wall;
  const ratioOk = ratio <= TARGETS.medianRatio;
  const slowestOk = slowestRatio <= TARGETS.slowestRatio;
  const rssOk = project.rss <= TARGETS.peakRssMiB;
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  return {
    name: 'synth',
    lines: [
      `median of ${runs} alternated runs (load average before: ${loadBefore}, after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}):`,
      `  npm run synth, example:          ${(project.wall / 1000).toFixed(2)} s (slowest ${(project.slowest / 1000).toFixed(2)} s), peak RSS ${project.rss.toFixed(0)} MiB`,
      `  cdktf synth, cdktf init 1 bucket: ${(template.wall / 1000).toFixed(2)} s, peak RSS ${template.rss.toFixed(0)} MiB`,
      `  median ratio ${ratio.toFixed(2)} (target <= ${TARGETS.medianRatio.toFixed(2)}: ${verdict(ratioOk)}); slowest / template median ${slowestRatio.toFixed(2)} (target <= ${TARGETS.slowestRatio.toFixed(2)}: ${verdict(slowestOk)}); peak RSS target <= ${TARGETS.peakRssMiB} MiB: ${verdict(rssOk)}`,
    ],
    targetsMet: ratioOk && slowestOk && rssOk,
  };
}

if (require.main === module) runStandalone('synth', run);
