/**
 * The JMeter plan generator: one `.jmx` per scenario that serves every shard. Budgeted values are
 * the defaults of JMeter properties (`${__P(TARGET_RPM,240)}`), and each shard's entrypoint
 * overrides them with `-J` flags, so the plan never needs regenerating for another shard.
 *
 *   setUp thread group   fetches TOKENS_PER_SHARD client-credentials tokens once
 *   main thread group    THREADS virtual users, round-robin over those tokens, held at TARGET_RPM by a
 *                        Precise Throughput Timer; a 429 handler rests the token for Retry-After, and
 *                        arrivals on a resting token are dropped, so no burst follows the pause
 *   token refresh group  one thread that replaces the tokens every TOKEN_REFRESH_SEC (never per request)
 */
import type { Environment } from '../../lib/config';
import { ConfigError } from '../../lib/config';
import { findEndpoint, type EndpointSpec } from '../../lib/genesys-api/endpoints';
import type { BudgetPlan, ScenarioPlan } from '../../lib/ratelimits';
import {
  csvDataSet,
  headerManager,
  httpSampler,
  ifController,
  jmeterTestPlan,
  jsr223,
  pause,
  preciseThroughputTimer,
  switchController,
  testPlan,
  threadGroup,
  whileController,
  type TreeItem,
} from './elements';
import { jmeterPath, pathParams, requestTemplate } from './requests';
import { GATE_SETUP } from './gate-script';
import { extractIdScript, HONOUR_RETRY_AFTER, PICK_TOKEN, REFRESH_WAIT, TOKEN_RESPONSE, TOKEN_ROUND_START } from './scripts';
import { serializeXml } from './xml';
import type { GeneratedPlan, GenerateOptions } from './plan-summary';
import { weightedPickExpression } from './weighted-pick';

import { TOKEN_LABEL } from '../labels';

export { SAMPLE_VARIABLES, TOKEN_LABEL } from '../labels';
export type { GeneratedPlan, GenerateOptions, PlanEndpoint, PlanSummary } from './plan-summary';
export { weightedPickExpression } from './weighted-pick';

/** Properties the Groovy scripts read (through the test plan's variables). */
const SCRIPT_SETTINGS = [
  'TARGET_RPM',
  'TOKENS_PER_SHARD',
  'TOKEN_REFRESH_SEC',
  'TOKEN_RETRY_WINDOW_SEC',
  'RETRY_AFTER_DEFAULT_SEC',
  'RETRY_AFTER_MAX_SEC',
  'GATE_WARMUP_SEC',
] as const;

const prop = (name: string, fallback: string | number): string => '${__P(' + name + ',' + String(fallback) + ')}';
const hostOf = (url: string): { protocol: string; host: string; port: string } => {
  const u = new URL(url);
  return { protocol: u.protocol.replace(':', ''), host: u.hostname, port: u.port };
};

/** `field` continues the path (`.endpoints[0]`) or is empty; `message` starts with a space. */
function scenarioError(env: Environment, index: number, field: string, message: string): ConfigError {
  return new ConfigError([`${env.sourceFile}: loadProfile.scenarios[${index}]${field}${message}`]);
}

/** Generates the plan of one scenario from the environment and its budget plan. */
export function generatePlan(env: Environment, plan: BudgetPlan, scenarioName: string, options: GenerateOptions = {}): GeneratedPlan {
  const index = env.config.loadProfile.scenarios.findIndex((s) => s.name === scenarioName);
  if (index < 0) {
    throw new ConfigError([
      `--scenario: no scenario ${JSON.stringify(scenarioName)} in ${env.sourceFile}; choose one of ${env.config.loadProfile.scenarios.map((s) => s.name).join(', ')}`,
    ]);
  }
  const scenario = env.config.loadProfile.scenarios[index];
  const sp: ScenarioPlan = plan.scenarios[index];
  const warnings: string[] = [];
  if (sp.verdict === 'over-budget' || sp.verdict === 'invalid') {
    throw scenarioError(env, index, '', ` is ${sp.verdict}: ${sp.findings.map((f) => f.message).join('; ')}`);
  }
  if (sp.verdict === 'throttling-expected')
    warnings.push(`scenario ${scenario.name} exceeds its budget on purpose (expectThrottling): expect 429s`);

  const specs: EndpointSpec[] = scenario.endpoints.map((ep, i) => {
    const spec = findEndpoint(ep.method, ep.path);
    if (!spec) {
      throw scenarioError(
        env,
        index,
        `.endpoints[${i}]`,
        ` ${ep.method} ${ep.path} is not in lib/genesys-api/endpoints.ts; only real Genesys Cloud endpoints can be load-tested`,
      );
    }
    if (spec.kind === 'recording-metadata') {
      throw scenarioError(
        env,
        index,
        `.endpoints[${i}]`,
        ` ${ep.method} ${ep.path} fetches recording metadata; plans never do (the event pipeline's metadata worker does): remove it from the scenario`,
      );
    }
    if (spec.kind === 'analytics-query')
      warnings.push(`${spec.method} ${spec.path} is the synchronous analytics query; prefer the details jobs API`);
    return spec;
  });

  const weights = scenario.endpoints.map((ep) => ep.weight ?? 1);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const templates = specs.map(requestTemplate);
  for (const t of templates) if (t.note) warnings.push(t.note);
  const produced = new Map<string, number>();
  templates.forEach((t, i) => {
    if (t.produces && !produced.has(t.produces.variable)) produced.set(t.produces.variable, i);
  });
  const needs = specs.map((s, i) => [...pathParams(s.path), ...templates[i].bodyVars]);
  const fromProducer = needs.map((vars) => vars.filter((v) => produced.has(v)));
  const producerFor = fromProducer.map((vars) => (vars.length > 0 ? produced.get(vars[0]) : undefined));
  const csvColumns = [...new Set(needs.flat().filter((v) => !produced.has(v)))];

  const tokenValidity = env.config.genesys.tokenValiditySec.runner;
  const tokenRefreshSec = Math.max(60, Math.floor(tokenValidity * (options.refreshAt ?? 0.8)));
  const targetRpm = Math.round(sp.sizing.perShardRequestsPerMinute * 1000) / 1000;
  const api = hostOf(env.genesys.apiBase);
  const login = hostOf(env.genesys.loginBase);
  const paramsCsv = csvColumns.length > 0 ? (options.paramsCsv ?? `${scenario.name}.params.csv`) : undefined;

  const properties: Record<string, string> = {
    API_PROTOCOL: api.protocol,
    API_HOST: api.host,
    API_PORT: api.port,
    LOGIN_PROTOCOL: login.protocol,
    LOGIN_HOST: login.host,
    LOGIN_PORT: login.port,
    THREADS: String(sp.threadsPerShard),
    RAMP_UP_SEC: String(sp.rampUpSec),
    DURATION_SEC: String(sp.durationSec),
    TARGET_RPM: String(targetRpm),
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
  };
  if (paramsCsv) properties.PARAMS_CSV = paramsCsv;
  const P = (name: string): string => prop(name, properties[name]);

  const tokenRequest = (name: string): TreeItem => ({
    element: httpSampler({
      name: TOKEN_LABEL,
      method: 'POST',
      protocol: P('LOGIN_PROTOCOL'),
      host: P('LOGIN_HOST'),
      port: P('LOGIN_PORT'),
      path: '/oauth/token',
      form: { grant_type: 'client_credentials' },
      connectTimeoutMs: P('CONNECT_TIMEOUT_MS'),
      responseTimeoutMs: P('RESPONSE_TIMEOUT_MS'),
      comment: `${name}: the client-credentials grant; the Basic credentials are computed from CLIENT_ID/CLIENT_SECRET at run time`,
    }),
    children: [
      {
        element: headerManager('client credentials', {
          Authorization: 'Basic ${loadlab_basic}',
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        }),
      },
      { element: jsr223('JSR223PostProcessor', 'keep the token; honour Retry-After', TOKEN_RESPONSE) },
    ],
  });
  const tokenRound = (name: string, wait: TreeItem): TreeItem[] => [
    { ...wait, children: [...(wait.children ?? []), { element: jsr223('JSR223PreProcessor', 'start a token round', TOKEN_ROUND_START) }] },
    {
      element: whileController(`${name}: until TOKENS_PER_SHARD tokens`, "${__groovy(vars.get('loadlab_round_done') != 'true')}"),
      children: [tokenRequest(name)],
    },
  ];

  const setUp: TreeItem = {
    element: threadGroup({
      kind: 'SetupThreadGroup',
      name: 'setUp: fetch the shard tokens',
      threads: '1',
      rampUpSec: '0',
      loops: '1',
      onSampleError: 'continue',
      comment: 'Fetches TOKENS_PER_SHARD client-credentials tokens once, before any virtual user starts.',
    }),
    children: [
      { element: jsr223('JSR223Sampler', 'build and warm the arrival gate', GATE_SETUP, 'Records no sample.') },
      ...tokenRound('setUp', { element: pause('begin', '0') }),
    ],
  };

  const refresh: TreeItem = {
    element: threadGroup({
      kind: 'ThreadGroup',
      name: 'token refresh',
      threads: '1',
      rampUpSec: '0',
      loops: '-1',
      durationSec: P('DURATION_SEC'),
      onSampleError: 'continue',
      comment: 'Replaces the tokens every TOKEN_REFRESH_SEC (before they expire); never per request or per iteration.',
    }),
    children: tokenRound('refresh', {
      element: pause('wait TOKEN_REFRESH_SEC', '${loadlab_refresh_wait_ms}'),
      children: [{ element: jsr223('JSR223PreProcessor', 'refresh interval', REFRESH_WAIT) }],
    }),
  };

  const samplers: TreeItem[] = specs.map((spec, i) => {
    const t = templates[i];
    return {
      element: httpSampler({
        name: `${spec.method} ${spec.path}`,
        method: spec.method,
        protocol: P('API_PROTOCOL'),
        host: P('API_HOST'),
        port: P('API_PORT'),
        path: jmeterPath(spec.path),
        body: t.body,
        connectTimeoutMs: P('CONNECT_TIMEOUT_MS'),
        responseTimeoutMs: P('RESPONSE_TIMEOUT_MS'),
        comment: spec.summary,
      }),
      children: t.produces
        ? [
            {
              element: jsr223(
                'JSR223PostProcessor',
                `remember ${t.produces.variable}`,
                extractIdScript(t.produces.variable, t.produces.jsonField),
              ),
            },
          ]
        : [],
    };
  });
  const requests: TreeItem[] =
    samplers.length === 1
      ? samplers
      : [
          {
            element: switchController(
              'weighted endpoint pick',
              weightedPickExpression(weights, producerFor, fromProducer),
              `Weights ${weights.join(':')}; a request that needs an id nobody fetched yet runs its producer first.`,
            ),
            children: samplers,
          },
        ];

  const mainChildren: TreeItem[] = [
    {
      element: headerManager('bearer token', {
        Authorization: 'Bearer ${loadlab_token}',
        Accept: 'application/json',
        'Content-Type': 'application/json',
      }),
    },
    ...(paramsCsv
      ? [
          {
            element: csvDataSet(
              `ids: ${csvColumns.join(', ')}`,
              P('PARAMS_CSV'),
              `Header line must name the columns: ${csvColumns.join(',')}`,
            ),
          },
        ]
      : []),
    {
      element: jsr223(
        'JSR223PostProcessor',
        'on 429: rest the token for Retry-After and tag the sample',
        HONOUR_RETRY_AFTER,
        'Sets JTL column loadlab_retry_after (seconds) and rests the token; the thread goes on with its next arrival.',
      ),
    },
    {
      element: jsr223(
        'JSR223Sampler',
        'arrival: next token, unless it rests',
        PICK_TOKEN,
        'Runs when the timer releases an arrival; records no sample. Round-robin token; an arrival whose token rests after a 429 is dropped (never sent later in a burst).',
      ),
      children: [
        {
          element: preciseThroughputTimer(
            'shard throughput (TARGET_RPM per minute)',
            P('TARGET_RPM'),
            60,
            P('DURATION_SEC'),
            'The budgeted per-shard rate: Poisson arrivals across all threads; the think time of each user is THREADS*60/TARGET_RPM s on average.',
          ),
        },
      ],
    },
    {
      element: ifController(
        'send on the picked token',
        '${loadlab_send}',
        'False when the arrival was dropped because its token rests (Retry-After).',
      ),
      children: requests,
    },
  ];

  const main: TreeItem = {
    element: threadGroup({
      kind: 'ThreadGroup',
      name: `${scenario.name}: virtual users`,
      threads: P('THREADS'),
      rampUpSec: P('RAMP_UP_SEC'),
      loops: '-1',
      durationSec: P('DURATION_SEC'),
      onSampleError: 'continue',
      comment: scenario.description,
    }),
    children: mainChildren,
  };

  const root: TreeItem = {
    element: testPlan(
      `genesys-loadlab ${env.name}/${scenario.name}`,
      `Generated by npm run jmx for ${env.name}/${scenario.name}: ${sp.sizing.shards} shard(s) x ${sp.threadsPerShard} threads, ${targetRpm} requests/min and ${sp.sizing.tokensPerShard} token(s) per shard.`,
      Object.fromEntries(SCRIPT_SETTINGS.map((name) => [name, P(name)])),
    ),
    children: [setUp, main, refresh],
  };

  return {
    xml: serializeXml(jmeterTestPlan(root)),
    summary: {
      scenario: scenario.name,
      shards: sp.sizing.shards,
      threadsPerShard: sp.threadsPerShard,
      tokensPerShard: sp.sizing.tokensPerShard,
      targetRpmPerShard: targetRpm,
      rampUpSec: sp.rampUpSec,
      durationSec: sp.durationSec,
      thinkTimeSec: 60 / scenario.requestsPerUserPerMinute,
      tokenRefreshSec,
      endpoints: specs.map((s, i) => ({
        label: `${s.method} ${s.path}`,
        method: s.method,
        path: s.path,
        weight: weights[i],
        share: weights[i] / totalWeight,
      })),
      csvColumns,
      paramsCsv,
      properties,
      warnings,
    },
  };
}
