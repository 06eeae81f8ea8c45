import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Children of every process, read once from /proc (Linux). */
function childrenByParent(): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the parenthesised command name, which may contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = byParent.get(ppid) ?? [];
      list.push(Number(entry));
      byParent.set(ppid, list);
    } catch {
      // The process ended while we looked.
    }
  }
  return byParent;
}

function rssKiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) a process has used; its ended children's are not counted. */
function cpuSec(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // utime and stime are fields 14 and 15; fields after the command name start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function sumTree(root: number, of: (pid: number) => number): number {
  const byParent = childrenByParent();
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    total += of(pid);
    stack.push(...(byParent.get(pid) ?? []));
  }
  return total;
}

/** Resident memory of a process and all its descendants, in KiB. */
export const treeRssKiB = (root: number): number => sumTree(root, rssKiB);

/** CPU seconds a process and its running descendants have used (Linux clock ticks of 10 ms). */
export const treeCpuSec = (root: number): number => sumTree(root, cpuSec);

export interface Measured {
  readonly wallMs: number;
  /** Peak of the summed RSS of the whole process tree, sampled every `sampleMs`. */
  readonly peakRssMiB: number;
  readonly exitCode: number;
  readonly output: string;
}

/** Runs a command, timing it and sampling the memory of its whole process tree. */
export function measure(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; sampleMs?: number },
): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    let peak = 0;
    const timer = setInterval(() => {
      if (child.pid) peak = Math.max(peak, treeRssKiB(child.pid));
    }, options.sampleMs ?? 25);
    child.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ wallMs: Number(process.hrtime.bigint() - started) / 1e6, peakRssMiB: peak / 1024, exitCode: code ?? -1, output });
    });
  });
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
