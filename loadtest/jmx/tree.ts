/**
 * The JMeter test plan's tree for one resolved scenario: a setUp group that fetches the shard's
 * tokens, the virtual users' group, and a token-refresh group. Every budgeted value is a property
 * reference (`P('TARGET_RPM')`); generate.ts decides their defaults.
 */
import {
  csvDataSet,
  headerManager,
  httpSampler,
  ifController,
  jsr223,
  pause,
  preciseThroughputTimer,
  switchController,
  testPlan,
  threadGroup,
  whileController,
  type TreeItem,
} from './elements';
import { jmeterPath, type RequestTemplate } from './requests';
import { GATE_SETUP } from './gate-script';
import { extractIdScript, HONOUR_RETRY_AFTER, PICK_TOKEN, REFRESH_WAIT, TOKEN_RESPONSE, TOKEN_ROUND_START } from './scripts';
import { weightedPickExpression } from './weighted-pick';
import { TOKEN_LABEL } from '../labels';
import type { ResolvedEndpoint } from '../../lib/ratelimits';

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

/** What the tree is built from: the scenario's resolved requests and a property reference maker. */
export interface TreeInput {
  /** `genesys-loadlab <env>/<scenario>` and the plan's comment. */
  readonly title: string;
  readonly comment: string;
  readonly scenario: string;
  readonly description?: string;
  readonly endpoints: readonly ResolvedEndpoint[];
  readonly templates: readonly RequestTemplate[];
  /** Per endpoint: the index of the request producing the id it needs first, if any. */
  readonly producerFor: readonly (number | undefined)[];
  /** Per endpoint: the produced variables it needs. */
  readonly fromProducer: string[][];
  readonly csvColumns: readonly string[];
  readonly paramsCsv?: string;
  /** `${__P(NAME,default)}` of a planned property. */
  readonly P: (name: string) => string;
}

function tokenRequest(name: string, P: TreeInput['P']): TreeItem {
  return {
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
  };
}

function tokenRound(name: string, wait: TreeItem, P: TreeInput['P']): TreeItem[] {
  return [
    { ...wait, children: [...(wait.children ?? []), { element: jsr223('JSR223PreProcessor', 'start a token round', TOKEN_ROUND_START) }] },
    {
      element: whileController(`${name}: until TOKENS_PER_SHARD tokens`, "${__groovy(vars.get('loadlab_round_done') != 'true')}"),
      children: [tokenRequest(name, P)],
    },
  ];
}

/** setUp fetches the shard's tokens once; the refresh group replaces them every TOKEN_REFRESH_SEC. */
function tokenGroups(P: TreeInput['P']): { setUp: TreeItem; refresh: TreeItem } {
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
      ...tokenRound('setUp', { element: pause('begin', '0') }, P),
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
    children: tokenRound(
      'refresh',
      {
        element: pause('wait TOKEN_REFRESH_SEC', '${loadlab_refresh_wait_ms}'),
        children: [{ element: jsr223('JSR223PreProcessor', 'refresh interval', REFRESH_WAIT) }],
      },
      P,
    ),
  };
  return { setUp, refresh };
}

/** One sampler per endpoint, behind a weighted switch when there are several. */
function requests(t: TreeInput): TreeItem[] {
  const { P } = t;
  const samplers: TreeItem[] = t.endpoints.map((ep, i) => {
    const tpl = t.templates[i];
    return {
      element: httpSampler({
        name: `${ep.method} ${ep.path}`,
        method: ep.method,
        protocol: P('API_PROTOCOL'),
        host: P('API_HOST'),
        port: P('API_PORT'),
        path: jmeterPath(ep.path),
        body: tpl.body,
        connectTimeoutMs: P('CONNECT_TIMEOUT_MS'),
        responseTimeoutMs: P('RESPONSE_TIMEOUT_MS'),
        comment: ep.spec.summary,
      }),
      children: tpl.produces
        ? [
            {
              element: jsr223(
                'JSR223PostProcessor',
                `remember ${tpl.produces.variable}`,
                extractIdScript(tpl.produces.variable, tpl.produces.jsonField),
              ),
            },
          ]
        : [],
    };
  });
  if (samplers.length === 1) return samplers;
  const weights = t.endpoints.map((e) => e.weight);
  return [
    {
      element: switchController(
        'weighted endpoint pick',
        weightedPickExpression(weights, t.producerFor, t.fromProducer),
        `Weights ${weights.join(':')}; a request that needs an id nobody fetched yet runs its producer first.`,
      ),
      children: samplers,
    },
  ];
}

/** The virtual users: paced arrivals across all threads, a 429 handler, and the requests. */
function mainGroup(t: TreeInput): TreeItem {
  const { P } = t;
  const children: TreeItem[] = [
    {
      element: headerManager('bearer token', {
        Authorization: 'Bearer ${loadlab_token}',
        Accept: 'application/json',
        'Content-Type': 'application/json',
      }),
    },
    ...(t.paramsCsv
      ? [
          {
            element: csvDataSet(
              `ids: ${t.csvColumns.join(', ')}`,
              P('PARAMS_CSV'),
              `Header line must name the columns: ${t.csvColumns.join(',')}`,
            ),
          },
        ]
      : []),
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
      // The 429 handler in here applies to the requests only: one Groovy call per request, none per arrival.
      children: [
        {
          element: jsr223(
            'JSR223PostProcessor',
            'on 429: rest the token for Retry-After and tag the sample',
            HONOUR_RETRY_AFTER,
            'Sets JTL column loadlab_retry_after (seconds) and rests the token; the thread goes on with its next arrival.',
          ),
        },
        ...requests(t),
      ],
    },
  ];
  return {
    element: threadGroup({
      kind: 'ThreadGroup',
      name: `${t.scenario}: virtual users`,
      threads: P('THREADS'),
      rampUpSec: P('RAMP_UP_SEC'),
      loops: '-1',
      durationSec: P('DURATION_SEC'),
      onSampleError: 'continue',
      comment: t.description,
    }),
    children,
  };
}

/** The whole test plan: setUp, the virtual users, the token refresh. */
export function planTree(t: TreeInput): TreeItem {
  const { setUp, refresh } = tokenGroups(t.P);
  return {
    element: testPlan(t.title, t.comment, Object.fromEntries(SCRIPT_SETTINGS.map((name) => [name, t.P(name)]))),
    children: [setUp, mainGroup(t), refresh],
  };
}
