import { EPHEMERAL_NAME } from '../../lib/config/environment';

/**
 * The janitor's decision: given the tagged AWS resources of the project and "now", which
 * ephemeral environments have outlived their `expires-at`. Pure; the AWS listing and the
 * destroy commands live in bin/janitor.ts.
 */

/** One resource as the Resource Groups Tagging API returns it. */
export interface TaggedResource {
  readonly arn: string;
  readonly tags: Readonly<Record<string, string>>;
}

export type EnvironmentVerdict =
  | { readonly status: 'expired'; readonly expiredForHours: number }
  | { readonly status: 'active'; readonly expiresInHours: number }
  /** Tags the janitor cannot trust: reported, never destroyed. */
  | { readonly status: 'skipped'; readonly reason: string };

export interface EnvironmentReport {
  readonly env: string;
  /** The latest `expires-at` among the environment's resources (ISO), when one parses. */
  readonly expiresAt?: string;
  readonly resourceCount: number;
  readonly stacks: readonly string[];
  readonly verdict: EnvironmentVerdict;
}

export interface JanitorOptions {
  /** Value of the `project` tag to consider. Default `genesys-loadlab`. */
  readonly project?: string;
  /** Extra time after `expires-at` before an environment counts as expired. Default 0. */
  readonly graceHours?: number;
}

const HOUR = 3_600_000;
const round1 = (n: number): number => Math.round(n * 10) / 10;

/**
 * Groups resources by their `environment` tag and decides, per ephemeral environment, whether
 * it expired. Only `pr-<n>` environments are ever candidates: a long-lived environment with a
 * stray `expires-at` tag is reported as skipped, never destroyed. When resources of one
 * environment disagree, the latest `expires-at` wins (the conservative choice).
 */
export function assessEnvironments(resources: readonly TaggedResource[], now: Date, options: JanitorOptions = {}): EnvironmentReport[] {
  const project = options.project ?? 'genesys-loadlab';
  const graceMs = (options.graceHours ?? 0) * HOUR;
  const byEnv = new Map<string, TaggedResource[]>();
  for (const r of resources) {
    if (r.tags.project !== project || !('expires-at' in r.tags)) continue;
    const env = r.tags.environment ?? '';
    byEnv.set(env, [...(byEnv.get(env) ?? []), r]);
  }
  const reports: EnvironmentReport[] = [];
  for (const [env, list] of byEnv) {
    const stacks = [...new Set(list.map((r) => r.tags.stack).filter((s): s is string => Boolean(s)))].sort();
    const base = { env: env || '(untagged)', resourceCount: list.length, stacks };
    if (!env) {
      reports.push({ ...base, verdict: { status: 'skipped', reason: 'resources carry expires-at but no environment tag' } });
      continue;
    }
    if (!EPHEMERAL_NAME.test(env)) {
      reports.push({ ...base, verdict: { status: 'skipped', reason: `${env} is not an ephemeral pr-<number> environment` } });
      continue;
    }
    const times = list.map((r) => ({ raw: r.tags['expires-at'], ms: parseIso(r.tags['expires-at']) }));
    const bad = times.find((t) => t.ms === undefined);
    if (bad) {
      reports.push({ ...base, verdict: { status: 'skipped', reason: `expires-at ${JSON.stringify(bad.raw)} is not an ISO time` } });
      continue;
    }
    const latest = Math.max(...times.map((t) => t.ms as number));
    const expiresAt = new Date(latest).toISOString();
    const overdue = now.getTime() - latest - graceMs;
    reports.push({
      ...base,
      expiresAt,
      verdict:
        overdue >= 0
          ? { status: 'expired', expiredForHours: round1((now.getTime() - latest) / HOUR) }
          : { status: 'active', expiresInHours: round1((latest - now.getTime()) / HOUR) },
    });
  }
  // Expired first, oldest first: with a per-run cap the longest-overdue go first.
  const rank = { expired: 0, active: 1, skipped: 2 } as const;
  return reports.sort(
    (a, b) =>
      rank[a.verdict.status] - rank[b.verdict.status] || (a.expiresAt ?? '').localeCompare(b.expiresAt ?? '') || a.env.localeCompare(b.env),
  );
}

/** Strict ISO 8601 with a zone, as `resolveEnvironment` writes it; anything else is rejected. */
function parseIso(value: string | undefined): number | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

export type JanitorOutcome = 'destroyed' | 'failed' | 'would destroy' | 'deferred' | 'active' | 'skipped';

export interface JanitorRow {
  readonly report: EnvironmentReport;
  readonly outcome: JanitorOutcome;
  readonly detail?: string;
}

/** The Markdown report the janitor prints and writes to the workflow summary. */
export function renderJanitorReport(rows: readonly JanitorRow[], now: Date, dryRun: boolean): string {
  const lines = [`## Janitor ${dryRun ? '(dry run) ' : ''}at ${now.toISOString()}`, ''];
  if (!rows.length) {
    lines.push('No ephemeral environments found (no resources tagged `project=genesys-loadlab` with `expires-at`).', '');
    return lines.join('\n');
  }
  lines.push('| environment | expires-at | resources | outcome |', '| --- | --- | --: | --- |');
  for (const { report, outcome, detail } of rows) {
    const v = report.verdict;
    const when = v.status === 'expired' ? ` (${v.expiredForHours} h ago)` : v.status === 'active' ? ` (in ${v.expiresInHours} h)` : '';
    const extra = detail ?? (v.status === 'skipped' ? v.reason : '');
    lines.push(
      `| \`${report.env}\` | ${report.expiresAt ?? '–'}${when} | ${report.resourceCount} | ${outcome}${extra ? `: ${extra.replace(/\|/g, '\\|')}` : ''} |`,
    );
  }
  const count = (o: JanitorOutcome): number => rows.filter((r) => r.outcome === o).length;
  lines.push(
    '',
    `${count('destroyed')} destroyed, ${count('failed')} failed, ${count('would destroy')} would be destroyed, ${count('deferred')} deferred to the next run, ${count('active')} still active, ${count('skipped')} skipped.`,
    '',
  );
  return lines.join('\n');
}
