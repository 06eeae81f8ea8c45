/**
 * Finds, installs and runs the JMeter that loadtest/jmeter/pom.xml declares (assembled from Maven
 * Central by install.sh into a cache folder), for the rehearsal, the real-JMeter tests and the benchmark.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const HERE = __dirname;
export const REPO_ROOT = path.resolve(HERE, '../..');
export const INSTALL_SCRIPT = path.join(HERE, 'install.sh');

/** The JMeter version declared in pom.xml (the one source of truth). */
export function jmeterVersion(): string {
  const pom = readFileSync(path.join(HERE, 'pom.xml'), 'utf8');
  const m = /<jmeter\.version>([^<]+)<\/jmeter\.version>/.exec(pom);
  if (!m) throw new Error('loadtest/jmeter/pom.xml declares no <jmeter.version>');
  return m[1];
}

/** Where install.sh puts JMeter: $LOADLAB_JMETER_HOME, else <repo>/.cache/jmeter/<version>. */
export function jmeterHome(): string {
  return process.env.LOADLAB_JMETER_HOME
    ? path.resolve(process.env.LOADLAB_JMETER_HOME)
    : path.join(REPO_ROOT, '.cache', 'jmeter', jmeterVersion());
}

export class JmeterUnavailableError extends Error {}

/** What stands in the way of running JMeter here, or undefined when java is there. */
export function javaProblem(): string | undefined {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (r.error) return `java not found: JMeter ${jmeterVersion()} needs Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless)`;
  const m = /version "(\d+)/.exec(r.stderr ?? '');
  if (m && Number(m[1]) < 17) return `java ${m[1]} found: JMeter ${jmeterVersion()} here needs Java 17 or newer`;
  return undefined;
}

/**
 * Makes sure JMeter is installed and matches jmeter.sha256 (runs install.sh, which verifies an
 * existing home without the network). Throws JmeterUnavailableError with install.sh's message when Java or
 * Maven is missing or the assembly fails.
 */
export async function ensureJmeter(log: (line: string) => void = () => undefined): Promise<string> {
  const home = jmeterHome();
  const problem = javaProblem();
  if (problem) throw new JmeterUnavailableError(problem);
  // install.sh checks an existing home against jmeter.sha256 (about a second, no network) and
  // assembles it only when it is missing or differs (e.g. pom.xml changed).
  const lines: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('bash', [INSTALL_SCRIPT, '--home', home], { stdio: ['ignore', 'pipe', 'pipe'] });
    const each = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(line);
        if (!line.includes('nothing to do')) log(`  ${line}`);
      }
    };
    child.stdout.on('data', each);
    child.stderr.on('data', each);
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    const why = lines.filter((l) => l.startsWith('error:')).join('; ') || lines.slice(-3).join('; ');
    throw new JmeterUnavailableError(`could not install JMeter (${why}); run npm run jmeter:install to see the details`);
  }
  return home;
}

export interface JmeterRun {
  readonly home: string;
  readonly plan: string;
  readonly jtl: string;
  readonly log: string;
  /** -J properties. */
  readonly properties: Readonly<Record<string, string | number>>;
  /** Properties files (-q), e.g. loadtest/image/loadlab.properties. */
  readonly propertyFiles?: readonly string[];
  /** Each line JMeter prints to stdout (its `summary +` lines come every summariser.interval). */
  readonly onLine?: (line: string) => void;
  /** JVM heap options (HEAP). Default 256 MiB: the rehearsal runs several JMeters side by side. */
  readonly heap?: string;
  /** JVM_ARGS. Default: UTC, C1 only (quick start-up for short runs); the capacity bench wants the image's full JIT. */
  readonly jvmArgs?: string;
  /** A command JMeter runs under, e.g. `['taskset', '-c', '1']` (the capacity bench pins and measures it). */
  readonly prefix?: readonly string[];
  /** Called with the started process's id (the capacity bench samples its CPU time). */
  readonly onSpawn?: (pid: number) => void;
}

/** JMeter's closing `summary =` line: total samples and errors (every sample, token requests included). */
export interface JmeterSummary {
  readonly samples: number;
  readonly errors: number;
}

export interface JmeterOutcome {
  readonly exitCode: number;
  readonly summary?: JmeterSummary;
  readonly output: string;
}

/** Parses `summary =    355 in 00:00:17 =   20.6/s ... Err:     0 (0.00%)`. */
export function parseSummaryLine(line: string): JmeterSummary | undefined {
  const m = /^summary =\s+(\d+)\s+in\s.*Err:\s+(\d+)/.exec(line.trim());
  return m ? { samples: Number(m[1]), errors: Number(m[2]) } : undefined;
}

// JMeters still running when this process ends (Ctrl-C, a failed test) are stopped with it.
const running = new Set<ChildProcess>();
let exitHook = false;
function track(child: ChildProcess): void {
  running.add(child);
  child.on('close', () => running.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const c of running) c.kill('SIGTERM');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const c of running) c.kill('SIGTERM');
      process.exit(130);
    });
  }
}

/** Runs `jmeter -n` and resolves when it exits. */
export function runJmeter(run: JmeterRun): Promise<JmeterOutcome> {
  const args = ['-n', '-t', run.plan, '-l', run.jtl, '-j', run.log];
  for (const f of run.propertyFiles ?? []) args.push('-q', f);
  for (const [k, v] of Object.entries(run.properties)) args.push(`-J${k}=${v}`);
  return new Promise((resolve, reject) => {
    const jmeter = path.join(run.home, 'bin', 'jmeter');
    const [command, ...commandArgs] = [...(run.prefix ?? []), jmeter, ...args];
    const child = spawn(command, commandArgs, {
      cwd: path.dirname(run.plan),
      env: {
        ...process.env,
        HEAP: run.heap ?? '-Xms128m -Xmx256m',
        JVM_ARGS: run.jvmArgs ?? '-Duser.timezone=UTC -Xshare:auto -XX:TieredStopAtLevel=1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);
    if (child.pid !== undefined) run.onSpawn?.(child.pid);
    let output = '';
    let summary: JmeterSummary | undefined;
    let rest = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const text = rest + chunk.toString('utf8');
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        output += line + '\n';
        summary = parseSummaryLine(line) ?? summary;
        run.onLine?.(line);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (rest) {
        output += rest;
        summary = parseSummaryLine(rest) ?? summary;
      }
      resolve({ exitCode: code ?? 1, summary, output });
    });
  });
}
