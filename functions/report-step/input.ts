/** Validation of the report step's input (declared once in lib/contracts/report-step.ts). */
import type { ReportStepInput } from '../../lib/contracts/report-step';

export type { ReportStepInput };

export class ReportStepInputError extends Error {}

const SAFE = /^[A-Za-z0-9!_.*'()\-/=]*$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const isTime = (v: unknown): boolean => v === undefined || v === null || typeof v === 'number' || typeof v === 'string';

/** The state machine's record of the tasks (RunShards' output): a list of { shard, ...times }. */
function taskProblems(tasks: unknown): string[] {
  if (tasks === undefined) return [];
  if (!Array.isArray(tasks)) return ["tasks must be a list of the shards' task records (RunShards' output), or left out"];
  const problems: string[] = [];
  tasks.forEach((t: Record<string, unknown> | null, i) => {
    if (typeof t !== 'object' || t === null || !Number.isInteger(t.shard) || (t.shard as number) < 0) {
      problems.push(`tasks[${i}].shard must be the shard's index (an integer >= 0)`);
      return;
    }
    for (const field of ['pullStartedAt', 'startedAt', 'stoppedAt'])
      if (!isTime(t[field])) problems.push(`tasks[${i}].${field} must be epoch milliseconds or an ISO time`);
  });
  return problems;
}

export function validateInput(input: ReportStepInput): void {
  const problems: string[] = [];
  if (!input || typeof input !== 'object')
    throw new ReportStepInputError('input must be an object { testId, resultsBucket, resultsPrefix }');
  if (typeof input.testId !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(input.testId)) {
    problems.push('testId must be 1-128 letters, digits, ".", "_" or "-"');
  }
  if (typeof input.resultsBucket !== 'string' || !BUCKET.test(input.resultsBucket))
    problems.push('resultsBucket must be an S3 bucket name');
  if (typeof input.resultsPrefix !== 'string' || !SAFE.test(input.resultsPrefix)) problems.push('resultsPrefix must be an S3 key prefix');
  for (const key of ['metadataPrefix', 'analyticsPrefix'] as const) {
    const v = input[key];
    if (v !== undefined && (typeof v !== 'string' || !SAFE.test(v))) problems.push(`${key} must be an S3 key prefix`);
  }
  if (input.analyticsBucket !== undefined && !BUCKET.test(input.analyticsBucket))
    problems.push('analyticsBucket must be an S3 bucket name');
  if (input.shards !== undefined && !(Number.isInteger(input.shards) && input.shards >= 0 && input.shards <= 1000))
    problems.push('shards must be an integer 0..1000');
  problems.push(...taskProblems(input.tasks));
  if (problems.length > 0) throw new ReportStepInputError(`report step input: ${problems.join('; ')}`);
}

/** The prefix with a trailing slash (an empty prefix stays empty). */
export const normalPrefix = (prefix: string): string => (prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`);
