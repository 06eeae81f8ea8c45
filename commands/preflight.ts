/**
 * `npm run preflight -- --env <env>`: checks every unconfirmed fact of the environment against the
 * org, through the Platform API, with an admin client's credentials (as `npm run bootstrap`), and
 * prints one line per fact: ✓ confirmed, ✗ with the field and value to set, ? the API refused
 * (with the permission it needs). `--write` puts the org's values into the environment file and
 * shows the diff. Exit 0 all confirmed, 1 anything ✗ or ?, 2 bad input. The checks: ./preflight-checks.ts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { genesysUrlsFromFlags, parseArgs, type CliMain } from '../lib/cli';
import { ConfigError, environmentsDir, loadEnvironment, parseEnvironmentFile, selectedEnvironmentName } from '../lib/config';
import { createGenesysClient, TokenRequestError, type CreateClientOptions, type GenesysApiClient } from '../lib/genesys-client';
import { checkLimits, checkRecordingExport, checkRoles, checkTopics, type FactLine } from './preflight-checks';

export const PREFLIGHT_USAGE = `usage: npm run preflight -- --env <name> [--write] [--api-base <url>] [--login-base <url>]
  --env <name>          the environment to check (environments/<name>.json)
  --write               put the org's values into the environment file (the diff is shown)
  --api-base <url>      default https://api.<region domain> (point it at the simulator)
  --login-base <url>    default https://login.<region domain>
credentials:
  GENESYSCLOUD_ADMIN_CLIENT_ID, GENESYSCLOUD_ADMIN_CLIENT_SECRET  an admin client-credentials client with
      integrations:integration:view, oauth:client:view, authorization:role:view, authorization:division:view
  GENESYSCLOUD_OAUTHCLIENT_ID   the client Terraform runs as (whose roles are checked; no secret needed)
exit: 0 every fact confirmed, 1 a fact to fix (✗) or unanswered (?), 2 bad arguments, credentials or file`;

export class PreflightError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreflightError';
  }
}

export interface PreflightIo {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
  /** Client options for tests (fetch, clock). */
  readonly client?: Partial<CreateClientOptions>;
}

/** Every fact of the environment, in the order docs/unconfirmed-facts.md lists them. */
export async function runChecks(
  api: GenesysApiClient,
  env: ReturnType<typeof loadEnvironment>,
  terraformClientId: string,
): Promise<FactLine[]> {
  const g = env.config.genesys;
  return [
    ...(await checkRecordingExport(api, g.recordingExport)),
    ...(await checkTopics(api, g.eventBridge.topics)),
    ...(await checkLimits(api, g.limits)),
    ...(await checkRoles(api, env.config, env.resourcePrefix, terraformClientId)),
  ];
}

export const formatLine = (l: FactLine): string => `${l.mark} ${l.fact}: ${l.text}`;

/** The environment file's text with every fact's value set (confirmed or corrected); other fields keep their value and order. */
export function withFacts(fileText: string, lines: readonly FactLine[], label: string): string {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(fileText) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError([`${label}: not valid JSON (${(err as Error).message})`]);
  }
  for (const { set } of lines) {
    if (!set) continue;
    let node = doc;
    for (const key of set.path.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null || Array.isArray(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[set.path[set.path.length - 1]] = set.value;
  }
  return JSON.stringify(doc, null, 2) + '\n';
}

/** A line diff (longest common subsequence; environment files are small): `-` removed, `+` added, unchanged lines left out. */
export function lineDiff(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) [i, j] = [i + 1, j + 1];
    else if (j < b.length && (i === a.length || lcs[i][j + 1] >= lcs[i + 1][j])) out.push(`+ ${b[j++]}`);
    else out.push(`- ${a[i++]}`);
  }
  return out;
}

function credentials(env: NodeJS.ProcessEnv): { adminId: string; adminSecret: string; terraformClientId: string } {
  const names = ['GENESYSCLOUD_ADMIN_CLIENT_ID', 'GENESYSCLOUD_ADMIN_CLIENT_SECRET', 'GENESYSCLOUD_OAUTHCLIENT_ID'];
  const missing = names.filter((n) => !env[n]?.trim());
  if (missing.length) throw new ConfigError(missing.map((n) => `${n} is not set (see npm run preflight -- --help)`));
  const [adminId, adminSecret, terraformClientId] = names.map((n) => env[n]!.trim());
  return { adminId, adminSecret, terraformClientId };
}

/** The command: parse, check, print, optionally write. Returns the exit code. */
export function preflightMain(io: PreflightIo): CliMain {
  return async () => {
    const { values } = parseArgs(io.argv, {
      env: { type: 'string' },
      write: { type: 'boolean' },
      'api-base': { type: 'string' },
      'login-base': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.log(PREFLIGHT_USAGE);
      return 0;
    }
    const name = values.env ?? selectedEnvironmentName(io.env);
    const dir = environmentsDir(io.env);
    const env = loadEnvironment(name, { dir, nameFrom: values.env !== undefined ? '--env' : 'LOADLAB_ENV' });
    const file = path.join(dir, `${name}.json`);
    if (values.write && !existsSync(file)) {
      throw new ConfigError([
        `--write: ${file} does not exist; preflight writes into an environment's own file (for pr-* environments, its base's)`,
      ]);
    }
    const { adminId, adminSecret, terraformClientId } = credentials(io.env);
    const { apiBase, loginBase } = genesysUrlsFromFlags(values, env.genesys);
    // About twenty reads, paced at the usable rate of one token; 429s wait Retry-After (lib/genesys-client).
    const api = createGenesysClient({
      apiBase,
      loginBase,
      clientId: adminId,
      clientSecret: adminSecret,
      ratePerMinute: 120,
      maxAttempts: 4,
      ...io.client,
    });
    try {
      await api.tokens.getToken();
    } catch (err) {
      if (!(err instanceof TokenRequestError)) throw err;
      throw new PreflightError(
        `token: ${loginBase}/oauth/token refused the admin client (${err.message}); check GENESYSCLOUD_ADMIN_CLIENT_ID / _SECRET and the region`,
      );
    }
    io.log(`Preflight of ${env.name} against ${apiBase} (admin client ${adminId}, Terraform client ${terraformClientId})`);
    const lines = await runChecks(api, env, terraformClientId);
    for (const l of lines) io.log(formatLine(l));
    const count = (m: FactLine['mark']) => lines.filter((l) => l.mark === m).length;
    io.log(`\n${count('✓')} confirmed, ${count('✗')} to fix, ${count('?')} unanswered. What each fact means: docs/unconfirmed-facts.md`);
    if (values.write) writeFacts(file, lines, io.log);
    else if (count('✗')) io.log(`Run again with --write to set the org's values in ${path.relative(process.cwd(), file) || file}.`);
    return count('✗') + count('?') === 0 ? 0 : 1;
  };
}

function writeFacts(file: string, lines: readonly FactLine[], log: (line: string) => void): void {
  const label = path.relative(process.cwd(), file) || file;
  const before = readFileSync(file, 'utf8');
  const after = withFacts(before, lines, label);
  // Never write a file the app would then refuse.
  parseEnvironmentFile(JSON.parse(after), label);
  const diff = lineDiff(before, after);
  if (diff.length === 0) return log(`\n--write: ${label} already holds the org's values.`);
  writeFileSync(file, after);
  log(`\n--write: ${label}`);
  for (const d of diff) log(d);
}
