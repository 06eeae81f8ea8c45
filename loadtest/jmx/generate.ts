/**
 * The JMeter plan generator: one `.jmx` per scenario that serves every shard, built from the
 * scenario's plan (lib/ratelimits, by name) in three steps: resolve (what each request needs),
 * properties (the budgeted defaults) and tree (tree.ts). Budgeted values are the defaults of JMeter
 * properties (`${__P(TARGET_RPM,240)}`), and each shard's entrypoint overrides them with `-J`
 * flags, so the plan never needs regenerating for another shard.
 *
 *   setUp thread group   fetches TOKENS_PER_SHARD client-credentials tokens once
 *   main thread group    THREADS virtual users, round-robin over those tokens, held at TARGET_RPM by a
 *                        Precise Throughput Timer; a 429 handler rests the token for Retry-After, and
 *                        arrivals on a resting token are dropped, so no burst follows the pause
 *   token refresh group  one thread that replaces the tokens every TOKEN_REFRESH_SEC (never per request)
 */
import type { Environment } from '../../lib/config';
import { ConfigError } from '../../lib/config';
import { endpointField, scenarioPlan, type RateBudget, type ScenarioPlan } from '../../lib/ratelimits';
import { jmeterTestPlan } from './elements';
import { pathParams, requestTemplate } from './requests';
import { serializeXml } from './xml';
import type { GeneratedTestPlan, GenerateOptions, TestPlanSummary } from './test-plan-summary';
import { planTree, type TreeInput } from './tree';

const prop = (name: string, fallback: string | number): string => '${__P(' + name + ',' + String(fallback) + ')}';
const hostOf = (url: string): { protocol: string; host: string; port: string } => {
  const u = new URL(url);
  return { protocol: u.protocol.replace(':', ''), host: u.hostname, port: u.port };
};

/** What each request of the scenario needs: body templates, ids produced by earlier requests, CSV columns. */
type Resolved = Omit<TreeInput, 'title' | 'comment' | 'P' | 'paramsCsv'> & { readonly warnings: readonly string[] };

/** Step 1: the scenario's plan checked (ConfigError for a scenario the planner refused) and its requests resolved. */
function resolve(env: Environment, sp: ScenarioPlan): Resolved {
  const at = `${env.sourceFile}: loadProfile.scenarios[${sp.index}]`;
  if (sp.verdict === 'over-budget' || sp.verdict === 'invalid') {
    const errors = sp.findings.filter((f) => f.severity === 'error');
    throw new ConfigError(
      errors.map((f) =>
        f.endpoint !== undefined
          ? `${env.sourceFile}: ${endpointField(sp.index, f.endpoint)} ${f.message}`
          : `${at} (${sp.name}) is ${sp.verdict}: ${f.message}`,
      ),
    );
  }
  const warnings: string[] = [];
  if (sp.verdict === 'throttling-expected')
    warnings.push(`scenario ${sp.name} exceeds its budget on purpose (expectThrottling): expect 429s`);
  for (const f of sp.findings) {
    if (f.severity === 'warning' && f.endpoint !== undefined) warnings.push(`${endpointField(sp.index, f.endpoint)} ${f.message}`);
  }
  const templates = sp.endpoints.map((e) => requestTemplate(e.spec));
  for (const t of templates) if (t.note) warnings.push(t.note);
  const produced = new Map<string, number>();
  templates.forEach((t, i) => {
    if (t.produces && !produced.has(t.produces.variable)) produced.set(t.produces.variable, i);
  });
  const needs = sp.endpoints.map((e, i) => [...pathParams(e.path), ...templates[i].bodyVars]);
  const fromProducer = needs.map((vars) => vars.filter((v) => produced.has(v)));
  return {
    scenario: sp.name,
    description: sp.description,
    endpoints: sp.endpoints,
    templates,
    producerFor: fromProducer.map((vars) => (vars.length > 0 ? produced.get(vars[0]) : undefined)),
    fromProducer,
    csvColumns: [...new Set(needs.flat().filter((v) => !produced.has(v)))],
    warnings,
  };
}

/** Step 2: every JMeter property the plan reads, with its budgeted default. */
function properties(env: Environment, sp: ScenarioPlan, paramsCsv: string | undefined, options: GenerateOptions): Record<string, string> {
  const tokenRefreshSec = Math.max(60, Math.floor(env.config.genesys.tokenValiditySec.runner * (options.refreshAt ?? 0.8)));
  const api = hostOf(env.genesys.apiBase);
  const login = hostOf(env.genesys.loginBase);
  return {
    API_PROTOCOL: api.protocol,
    API_HOST: api.host,
    API_PORT: api.port,
    LOGIN_PROTOCOL: login.protocol,
    LOGIN_HOST: login.host,
    LOGIN_PORT: login.port,
    THREADS: String(sp.threadsPerShard),
    RAMP_UP_SEC: String(sp.rampUpSec),
    DURATION_SEC: String(sp.durationSec),
    TARGET_RPM: String(Math.round(sp.sizing.perShardRequestsPerMinute * 1000) / 1000),
    TOKENS_PER_SHARD: String(sp.sizing.tokensPerShard),
    TOKEN_REFRESH_SEC: String(tokenRefreshSec),
    TOKEN_RETRY_WINDOW_SEC: '30',
    RETRY_AFTER_DEFAULT_SEC: '3',
    RETRY_AFTER_MAX_SEC: '120',
    GATE_WARMUP_SEC: '5',
    CONNECT_TIMEOUT_MS: '10000',
    RESPONSE_TIMEOUT_MS: '30000',
    CLIENT_ID: '',
    CLIENT_SECRET: '',
    ...(paramsCsv ? { PARAMS_CSV: paramsCsv } : {}),
  };
}

function summarize(
  env: Environment,
  sp: ScenarioPlan,
  r: Resolved,
  props: Record<string, string>,
  paramsCsv: string | undefined,
): TestPlanSummary {
  const thresholds = env.config.loadProfile.scenarios[sp.index].thresholds;
  return {
    scenario: sp.name,
    environment: env.name,
    shards: sp.sizing.shards,
    threadsPerShard: sp.threadsPerShard,
    tokensPerShard: sp.sizing.tokensPerShard,
    task: { cpu: sp.task.cpu, memoryMiB: sp.task.memoryMiB },
    targetRpmPerShard: Number(props.TARGET_RPM),
    rampUpSec: sp.rampUpSec,
    durationSec: sp.durationSec,
    thinkTimeSec: 60 / sp.perThreadRequestsPerMinute,
    tokenRefreshSec: Number(props.TOKEN_REFRESH_SEC),
    endpoints: sp.endpoints.map((e) => ({
      label: `${e.method} ${e.path}`,
      method: e.method,
      path: e.path,
      weight: e.weight,
      share: e.share,
    })),
    ...(thresholds ? { thresholds } : {}),
    csvColumns: r.csvColumns,
    paramsCsv,
    properties: props,
    warnings: r.warnings,
  };
}

/** Generates the plan of one scenario, found by name in the environment's rate budget. */
export function generateTestPlan(
  env: Environment,
  plan: RateBudget,
  scenarioName: string,
  options: GenerateOptions = {},
): GeneratedTestPlan {
  const sp = scenarioPlan(plan, scenarioName);
  const resolved = resolve(env, sp);
  const paramsCsv = resolved.csvColumns.length > 0 ? (options.paramsCsv ?? `${sp.name}.params.csv`) : undefined;
  const props = properties(env, sp, paramsCsv, options);
  const root = planTree({
    ...resolved,
    paramsCsv,
    title: `genesys-loadlab ${env.name}/${sp.name}`,
    comment: `Generated by npm run jmx for ${env.name}/${sp.name}: ${sp.sizing.shards} shard(s) x ${sp.threadsPerShard} threads, ${props.TARGET_RPM} requests/min and ${sp.sizing.tokensPerShard} token(s) per shard.`,
    P: (name) => prop(name, props[name]),
  });
  return { xml: serializeXml(jmeterTestPlan(root)), summary: summarize(env, sp, resolved, props, paramsCsv) };
}
