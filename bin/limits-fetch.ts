/**
 * `npm run limits:fetch -- --env <env>`: reads the org's live limits with a client-credentials
 * token (GENESYSCLOUD_OAUTHCLIENT_ID / GENESYSCLOUD_OAUTHCLIENT_SECRET) and writes the ones the
 * planner uses into `genesys.limits` of the environment file.
 * Exit codes: 0 written (or --dry-run), 1 the API failed, 2 bad arguments, credentials or file.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, environmentsDir, loadEnvironment, parseEnvironmentFile, selectedEnvironmentName } from '../lib/config';
import { genesysUrlsFromFlags, parseArgs, runCli } from '../lib/cli';
import {
  authenticate,
  createLimitsClient,
  defaultNamespaces,
  fetchNamespaceLimits,
  LimitsApiError,
  matchCatalogue,
  matchEndpointLimits,
  withLimitOverrides,
  type LimitEntry,
} from '../commands/limits-fetch';

const USAGE = `usage: npm run limits:fetch -- --env <name> [--api-base <url>] [--login-base <url>] [--namespace <ns>]... [--dry-run]
  --env <name>         environment file to update (environments/<name>.json, or LOADLAB_ENV_DIR/<name>.json)
  --api-base <url>     default https://api.<region domain> (point it at the simulator, e.g. http://127.0.0.1:8080)
  --login-base <url>   default https://login.<region domain>
  --namespace <ns>     also read this namespace (repeatable; its limits are listed, catalogue ones written)
  --dry-run            print what would be written, change nothing
credentials: GENESYSCLOUD_OAUTHCLIENT_ID and GENESYSCLOUD_OAUTHCLIENT_SECRET (a client-credentials client of the org)`;

async function main(): Promise<number> {
  const { values } = parseArgs(process.argv.slice(2), {
    env: { type: 'string' },
    'api-base': { type: 'string' },
    'login-base': { type: 'string' },
    namespace: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const name = values.env ?? selectedEnvironmentName();
  const file = path.join(environmentsDir(), `${name}.json`);
  const label = path.relative(process.cwd(), file) || file;
  if (!existsSync(file)) {
    throw new ConfigError([
      `--env: ${label} does not exist; limits are written into an environment's own file (for pr-* environments, fetch into their base environment)`,
    ]);
  }
  const env = loadEnvironment(name, { nameFrom: values.env !== undefined ? '--env' : 'LOADLAB_ENV' });
  const clientId = process.env.GENESYSCLOUD_OAUTHCLIENT_ID?.trim();
  const clientSecret = process.env.GENESYSCLOUD_OAUTHCLIENT_SECRET?.trim();
  if (!clientId || !clientSecret) {
    console.error(
      'error: set GENESYSCLOUD_OAUTHCLIENT_ID and GENESYSCLOUD_OAUTHCLIENT_SECRET to a client-credentials OAuth client of the org',
    );
    return 2;
  }
  const { apiBase, loginBase } = genesysUrlsFromFlags(values, env.genesys);
  const declared = env.config.genesys.endpointLimits;
  const declaredNamespaces = declared.flatMap((l) => (l.namespace ? [l.namespace] : []));
  const namespaces = [...new Set([...defaultNamespaces(), ...declaredNamespaces, ...(values.namespace ?? [])])];
  const log = (line: string): void => console.log(line);

  log(`Requesting a client-credentials token from ${loginBase}/oauth/token ...`);
  const api = createLimitsClient({ apiBase, loginBase, clientId, clientSecret, log });
  await authenticate(api, loginBase);
  const entries: LimitEntry[] = [];
  for (const [i, ns] of namespaces.entries()) {
    const { entries: found, skipped } = await fetchNamespaceLimits(api, ns);
    log(
      `[${i + 1}/${namespaces.length}] ${ns}: ${found.length} limits${skipped.length ? ` (${skipped.length} malformed entries skipped)` : ''}`,
    );
    entries.push(...found);
  }
  const match = matchCatalogue(entries);
  const endpointMatch = matchEndpointLimits(entries, declared);
  const names = Object.keys(match.overrides);
  log('');
  log(names.length ? 'Limits the planner uses (written to genesys.limits):' : 'No limit the planner uses was returned.');
  for (const n of names) {
    const before = env.config.genesys.limits[n];
    log(`  ${n} = ${match.overrides[n]}${before !== undefined && before !== match.overrides[n] ? ` (was ${before})` : ''}`);
  }
  if (match.notReturned.length) {
    log(`Not returned (catalogue defaults stay): ${match.notReturned.map((s) => s.name).join(', ')}`);
  }
  if (match.unused.length) {
    log(`Other limits in these namespaces (not used by the planner; add them to lib/genesys-api/limits.ts to plan against them):`);
    for (const e of match.unused) log(`  ${e.namespace} ${e.key} = ${e.value}`);
  }
  if (endpointMatch.updates.length) log('Declared endpoint limits the org reports (written to genesys.endpointLimits):');
  for (const u of endpointMatch.updates) {
    const d = declared[u.index];
    log(
      `  ${d.method} ${d.path} (${d.scope}) = ${u.requestsPerMinute} requests/min from ${u.entry.namespace} ${u.entry.key}${d.requestsPerMinute !== u.requestsPerMinute ? ` (was ${d.requestsPerMinute})` : ''}`,
    );
  }
  for (const i of endpointMatch.notReturned) {
    log(`  genesys.endpointLimits[${i}]: ${declared[i].namespace} ${declared[i].apiKey} not returned; its declared value stays`);
  }
  if (names.length === 0 && endpointMatch.updates.length === 0) return 0;
  const text = withLimitOverrides(readFileSync(file, 'utf8'), match.overrides, label, endpointMatch.updates);
  // Never write a file the app would then refuse.
  parseEnvironmentFile(JSON.parse(text), label);
  if (values['dry-run']) {
    log(`\n--dry-run: ${label} not changed.`);
    return 0;
  }
  writeFileSync(file, text);
  log(
    `\nWrote ${names.length} limit(s) to ${label} (genesys.limits)${endpointMatch.updates.length ? ` and ${endpointMatch.updates.length} to genesys.endpointLimits` : ''}. Run npm run budget -- --env ${name} to see the new plan.`,
  );
  return 0;
}

void runCli(main, { usage: USAGE, expected: [[LimitsApiError, 1]] });
