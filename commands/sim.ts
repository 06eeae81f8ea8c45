/**
 * `npm run sim -- [--port N] [--minute-ms M] [--faults ...] [--client id:secret ...] [--env <env>]`
 * Serves the Genesys Cloud simulator on 127.0.0.1 until Ctrl-C. See docs/simulator.md.
 */
import { numberOption, parseArgs, UsageError } from '../lib/cli';
import { loadSelectedEnvironment } from '../lib/config';
import { parseFaultsFlag } from '../sim/faults';
import { parseOrgFact, type OrgFactsOverrides } from '../sim/org-facts';
import { parseEndpointLimitFlag } from '../lib/ratelimits/endpoint-limits';
import { startSimulator, type SimClient, type Simulator } from '../sim/server';
import { catalogueLimits, simEndpointLimits } from '../sim/admission';

export const SIM_USAGE = `usage: npm run sim -- [options]
  --port N               port on 127.0.0.1 (default 8080; 0 = any free port)
  --minute-ms M          length of a rate-limit minute in ms (default 60000; 1000 = one second)
  --env NAME             take limit overrides (genesys.limits) and endpoint limits (genesys.endpointLimits)
                         from environments/NAME.json
  --endpoint-limit SPEC  enforce an endpoint limit (repeatable), e.g.
                         "POST /api/v2/conversations/messages/{conversationId}/communications/{communicationId}/messages=6000/min/org"
                         (METHOD PATH=N/min or N/s, then org, client or token)
  --per-token N          requests per window per token (default: catalogue, 300)
  --per-client N         requests per window per OAuth client (default: catalogue, 3000)
  --client ID:SECRET     register an OAuth client (repeatable); without any, every id/secret is accepted
  --token-ttl-sec S      lifetime of issued tokens (default 86400)
  --per-client-tokens N  tokens one OAuth client may create per window (default: catalogue, 120)
  --token-throttle 400|429  answer to a token request over that limit: 400 invalid_request "rate limit
                         exceeded" as Genesys Cloud does (default), or 429 with Retry-After (older behaviour)
  --faults LIST          e.g. error-rate=0.05,latency=uniform:20:80,no-retry-after=0.5,recordings-after-ms=2000,job-failure=0.2,
                         stall=0.01:35000 (answer 1 % of calls after 35 s, past a client's timeout)
                         throttle=0.02,throttle-retry-after-ms=1500 (429s with Retry-After although the limits have room)
  --org-fact KEY=VALUE   answer preflight's reads unlike the defaults (repeatable), e.g. credentialField=RoleArn,
                         websocketOnlyTopics=v2.analytics.conversations.details.jobs.availability,
                         withheldPermissions=integrations:integration:view (keys: recordingExportTypeId,
                         bucketNameProperty, credentialsKey, credentialType, credentialField, websocketOnlyTopics,
                         withheldPermissions; lists comma-separated); PUT /__sim/org-facts changes them while running
  --jobs-queued-ms MS    time a details job stays QUEUED (default 200)
  --jobs-pending-ms MS   time it then stays PENDING (default 1000)
  --seed N               seed for fault draws
  --stats-every-sec S    print a stats line every S seconds while traffic flows (default 5; 0 = never)`;

/** `--client ID:SECRET`, repeatable. */
function clientsFlag(given: readonly string[] = []): SimClient[] {
  return given.map((c) => {
    const i = c.indexOf(':');
    if (i <= 0 || i === c.length - 1) throw new UsageError(`--client must be ID:SECRET (got ${c})`);
    return { id: c.slice(0, i), secret: c.slice(i + 1) };
  });
}

/** `--org-fact KEY=VALUE`, repeatable. */
function orgFactsFlag(given: readonly string[] = []): OrgFactsOverrides {
  try {
    return given.reduce<OrgFactsOverrides>((facts, text) => parseOrgFact(text, facts), {});
  } catch (err) {
    throw new UsageError(`--org-fact: ${(err as Error).message}`);
  }
}

/** `--token-throttle 400|429`. */
function tokenThrottleFlag(given = '400'): 400 | 429 {
  if (given !== '400' && given !== '429') throw new UsageError(`--token-throttle must be 400 or 429 (got ${given})`);
  return given === '429' ? 429 : 400;
}

export async function runSim(argv: readonly string[]): Promise<number | void> {
  const { values } = parseArgs(argv, {
    port: { type: 'string' },
    'minute-ms': { type: 'string' },
    env: { type: 'string' },
    'per-token': { type: 'string' },
    'per-client': { type: 'string' },
    'endpoint-limit': { type: 'string', multiple: true },
    client: { type: 'string', multiple: true },
    'token-ttl-sec': { type: 'string' },
    'per-client-tokens': { type: 'string' },
    'token-throttle': { type: 'string' },
    faults: { type: 'string' },
    'org-fact': { type: 'string', multiple: true },
    'jobs-queued-ms': { type: 'string' },
    'jobs-pending-ms': { type: 'string' },
    seed: { type: 'string' },
    'stats-every-sec': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    console.log(SIM_USAGE);
    return 0;
  }
  const envName = values.env;
  const genesys = envName ? loadSelectedEnvironment(envName).config.genesys : undefined;
  const base = catalogueLimits(genesys?.limits ?? {}, genesys?.endpointLimits ?? []);
  const flagged = (values['endpoint-limit'] ?? []).map((text) => {
    try {
      return parseEndpointLimitFlag(text);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  });
  // A flag replaces the environment's declaration of the same endpoint and scope.
  const endpoints = [
    ...base.endpoints.filter((e) => !flagged.some((f) => f.method === e.method && f.path === e.path && f.scope === e.scope)),
    ...simEndpointLimits(flagged),
  ];
  const clients = clientsFlag(values.client);
  const faultsText = values.faults;
  const tokenThrottle = tokenThrottleFlag(values['token-throttle']);
  const sim = await startSimulator({
    port: numberOption('port', values.port, { min: 0, integer: true }) ?? 8080,
    minuteMs: numberOption('minute-ms', values['minute-ms'], { min: 10 }),
    limits: {
      ...base,
      endpoints,
      perToken: numberOption('per-token', values['per-token'], { min: 1, integer: true }) ?? base.perToken,
      perClient: numberOption('per-client', values['per-client'], { min: 1, integer: true }) ?? base.perClient,
      tokenCreationPerClient:
        numberOption('per-client-tokens', values['per-client-tokens'], { min: 1, integer: true }) ?? base.tokenCreationPerClient,
    },
    tokenThrottleStatus: tokenThrottle,
    clients,
    openRegistration: clients.length === 0,
    tokenTtlSec: numberOption('token-ttl-sec', values['token-ttl-sec'], { min: 1, integer: true }),
    faults: faultsText ? parseFaultsFlag(faultsText) : undefined,
    orgFacts: orgFactsFlag(values['org-fact']),
    jobs: {
      queuedMs: numberOption('jobs-queued-ms', values['jobs-queued-ms'], { min: 0 }),
      pendingMs: numberOption('jobs-pending-ms', values['jobs-pending-ms'], { min: 0 }),
    },
    seed: numberOption('seed', values.seed, { integer: true }),
  });
  printBanner(sim, tokenThrottle, clients);

  const every = numberOption('stats-every-sec', values['stats-every-sec'], { min: 0 }) ?? 5;
  let lastTotal = 0;
  let lastSince = '';
  const timer =
    every > 0
      ? setInterval(() => {
          const s = sim.stats();
          // POST /__sim/reset starts the counters again (a new `since`): count from zero, not a negative delta.
          if (s.since !== lastSince) lastTotal = 0;
          lastSince = s.since;
          if (s.totals.requests === lastTotal) return;
          const delta = s.totals.requests - lastTotal;
          lastTotal = s.totals.requests;
          console.log(
            `${new Date().toISOString()}  +${delta} requests  total ${s.totals.requests}: 2xx ${s.totals['2xx']}, 429 ${s.totals['429']}, 5xx ${s.totals['5xx']}, 4xx ${s.totals['4xx']}; peak ${s.totals.peakPerWindow}/window`,
          );
        }, every * 1000)
      : undefined;
  const shutdown = async (): Promise<void> => {
    if (timer) clearInterval(timer);
    await sim.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

/** What the simulator listens on and enforces, and how to read or reset its counters. */
function printBanner(sim: Simulator, tokenThrottle: number, clients: readonly { id: string }[]): void {
  console.log(`Genesys Cloud simulator on ${sim.url}  (login and API base)`);
  console.log(
    `  limits per ${sim.minuteMs} ms window: ${sim.limits.perToken}/token, ${sim.limits.perClient}/client, ${sim.limits.tokenCreationPerClient} tokens/client (over it: HTTP ${tokenThrottle})`,
  );
  for (const e of sim.limits.endpoints) console.log(`  endpoint limit: ${e.method} ${e.path}: ${e.perWindow} per window per ${e.scope}`);
  console.log(
    clients.length
      ? `  clients: ${clients.map((c) => c.id).join(', ')}`
      : '  clients: any id/secret is accepted (pass --client ID:SECRET to restrict)',
  );
  console.log(`  faults: ${JSON.stringify(sim.faults())}`);
  console.log(`  stats: curl ${sim.url}/__sim/stats    reset: curl -X POST -H 'content-type: application/json' ${sim.url}/__sim/reset`);
}
