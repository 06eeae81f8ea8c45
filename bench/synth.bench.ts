/**
 * How long `cdktf synth` takes for the example environment (three stacks, every construct of
 * the project) against a one-bucket app made the way `cdktf init --template=typescript` makes it
 * (app command `npx ts-node main.ts`), alternated in one run so both see the same machine load.
 * Targets: ratio <= 1.0 and peak RSS <= 1 GiB.
 */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { measure, median } from './proc-tree';
import type { BenchResult, BenchOptions } from './types';

const ROOT = path.resolve(__dirname, '..');
const CDKTF = path.join(ROOT, 'node_modules', '.bin', 'cdktf');

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
  const runs = options.quick ? 2 : Number(process.env.BENCH_SYNTH_RUNS ?? 5);
  const scratch = mkdtempSync(path.join(tmpdir(), 'loadlab-synth-bench-'));
  const templateDir = path.join(scratch, 'template');
  mkdirSync(templateDir);
  writeTemplateApp(templateDir);
  const env = { CHECKPOINT_DISABLE: '1', LOADLAB_ENV: 'example', CI: '1' };
  const subjects = [
    { name: 'genesys-loadlab (example, 3 stacks)', cwd: ROOT, out: path.join(scratch, 'project.out') },
    { name: 'cdktf init template (1 bucket, ts-node)', cwd: templateDir, out: path.join(scratch, 'template.out') },
  ];
  const samples = subjects.map(() => ({ wall: [] as number[], rss: [] as number[] }));
  try {
    // One unmeasured warm-up each (file cache, ts-node's incremental build info), then alternate.
    for (let i = -1; i < runs; i++) {
      for (const [k, subject] of subjects.entries()) {
        const m = await measure(CDKTF, ['synth', '--output', subject.out], { cwd: subject.cwd, env });
        if (m.exitCode !== 0) throw new Error(`cdktf synth failed for ${subject.name}:\n${m.output.slice(-2000)}`);
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
  const project = { wall: median(samples[0].wall), rss: Math.max(...samples[0].rss) };
  const template = { wall: median(samples[1].wall), rss: Math.max(...samples[1].rss) };
  const ratio = project.wall / template.wall;
  const ratioOk = ratio <= 1.0;
  const rssOk = project.rss <= 1024;
  return {
    name: 'synth',
    lines: [
      `cdktf synth, median of ${runs} alternated runs:`,
      `  genesys-loadlab example: ${(project.wall / 1000).toFixed(2)} s, peak RSS ${project.rss.toFixed(0)} MiB`,
      `  cdktf init one-bucket:   ${(template.wall / 1000).toFixed(2)} s, peak RSS ${template.rss.toFixed(0)} MiB`,
      `  ratio ${ratio.toFixed(2)} (target <= 1.00: ${ratioOk ? 'met' : 'MISSED'}); peak RSS target <= 1024 MiB: ${rssOk ? 'met' : 'MISSED'}`,
    ],
    targetsMet: ratioOk && rssOk,
  };
}

if (require.main === module) {
  run({ quick: process.argv.includes('--quick'), log: (l) => console.log(l) }).then((r) => {
    console.log(r.lines.join('\n'));
    process.exitCode = r.targetsMet ? 0 : 1;
  });
}
