import { XMLParser } from 'fast-xml-parser';
import { ConfigError } from '../../lib/config';
import { planBudget, scenarioPlan } from '../../lib/ratelimits';
import { generateTestPlan } from '../../loadtest/jmx/generate';
import { weightedPickExpression } from '../../loadtest/jmx/weighted-pick';
import { TOKEN_LABEL } from '../../loadtest/labels';
import { exampleInput, loadFrom, repoEnvironment } from '../helpers/env';

type Node = Record<string, any>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  preserveOrder: true,
  parseTagValue: false,
  trimValues: false,
});

/** A test element and the elements in its hashTree. */
interface El {
  tag: string;
  attrs: Record<string, string>;
  props: Record<string, string>;
  children: El[];
}

function textOf(node: Node[]): string {
  return node.map((n) => ('#text' in n ? String(n['#text']) : '')).join('');
}

function propsOf(body: Node[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of body) {
    const tag = Object.keys(n).find((k) => k !== ':@')!;
    if (/^(string|bool|int|long|double)Prop$/.test(tag)) out[n[':@']['@name']] = textOf(n[tag]);
  }
  return out;
}

/** Walks jmeterTestPlan > hashTree pairs into a tree. */
function tree(hash: Node[]): El[] {
  const out: El[] = [];
  for (let i = 0; i < hash.length; i++) {
    const n = hash[i];
    const tag = Object.keys(n).find((k) => k !== ':@')!;
    if (tag === '#text') continue;
    if (tag === 'hashTree') continue;
    // The element's hashTree is the next element node.
    let j = i + 1;
    while (j < hash.length && '#text' in hash[j]) j++;
    const next = hash[j];
    expect(next && 'hashTree' in next).toBe(true);
    const attrs = Object.fromEntries(Object.entries(n[':@'] ?? {}).map(([k, v]) => [k.slice(1), String(v)]));
    out.push({ tag, attrs, props: propsOf(n[tag]), children: tree(next.hashTree) });
    i = j;
  }
  return out;
}

function parsePlan(xml: string): El {
  const doc = parser.parse(xml) as Node[];
  const root = doc.find((n) => 'jmeterTestPlan' in n)!;
  expect(root[':@']['@jmeter']).toBe('5.6.3');
  const top = root.jmeterTestPlan.find((n: Node) => 'hashTree' in n);
  const [plan] = tree(top.hashTree);
  return plan;
}

const all = (el: El): El[] => [el, ...el.children.flatMap(all)];
const byTag = (el: El, tag: string): El[] => all(el).filter((e) => e.tag === tag);

const example = () => {
  const env = repoEnvironment('example');
  return { env, plan: planBudget(env.config) };
};

describe('generated JMeter plan', () => {
  it('is well-formed XML in JMeter 5.6 structure (jmeterTestPlan > hashTree pairs)', () => {
    const { env, plan } = example();
    const { xml } = generateTestPlan(env, plan, 'agent-scripts');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<jmeterTestPlan')).toBe(true);
    const root = parsePlan(xml);
    expect(root.tag).toBe('TestPlan');
    expect(root.children.map((c) => c.tag)).toEqual(['SetupThreadGroup', 'ThreadGroup', 'ThreadGroup']);
    for (const el of all(root)) {
      expect(el.attrs.testclass).toBe(el.tag);
      expect(el.attrs.guiclass).toBeTruthy();
    }
  });

  it.each(['screen-recording', 'agent-scripts', 'bot-analytics', 'messaging'])(
    '%s: threads, ramp-up, duration, tokens and per-shard throughput are the rate budget defaults',
    (name) => {
      const { env, plan } = example();
      const sp = plan.scenarios.find((s) => s.name === name)!;
      const { xml, summary } = generateTestPlan(env, plan, name);
      const root = parsePlan(xml);
      const main = root.children[1];
      expect(main.attrs.testname).toBe(`${name}: virtual users`);
      expect(main.props['ThreadGroup.num_threads']).toBe(`\${__P(THREADS,${sp.threadsPerShard})}`);
      expect(main.props['ThreadGroup.ramp_time']).toBe(`\${__P(RAMP_UP_SEC,${sp.rampUpSec})}`);
      expect(main.props['ThreadGroup.duration']).toBe(`\${__P(DURATION_SEC,${sp.durationSec})}`);
      expect(main.props['ThreadGroup.scheduler']).toBe('true');

      const timers = byTag(main, 'PreciseThroughputTimer');
      expect(timers).toHaveLength(1);
      const rpm = Number(/TARGET_RPM,([0-9.]+)\)/.exec(timers[0].props.throughput)![1]);
      expect(rpm).toBeCloseTo(sp.sizing.perShardRequestsPerMinute, 3);
      expect(timers[0].props.throughputPeriod).toBe('60');
      // The shards together carry the scenario's rate.
      expect(rpm * sp.sizing.shards).toBeCloseTo(sp.requestsPerMinute, 2);
      // The timer paces the arrival gate (a JSR223 Sampler that records nothing); the requests sit in
      // an If Controller after it, so a request goes out only after its arrival, on a token that does not rest.
      const gate = main.children.find((c) => c.tag === 'JSR223Sampler')!;
      expect(gate.children.map((c) => c.tag)).toEqual(['PreciseThroughputTimer']);
      expect(gate.props.script).toContain('SampleResult.setIgnore()');
      const send = main.children.find((c) => c.tag === 'IfController')!;
      expect(main.children.indexOf(send)).toBeGreaterThan(main.children.indexOf(gate));
      expect(send.props['IfController.condition']).toBe('${loadlab_send}');
      expect(send.props['IfController.useExpression']).toBe('true');
      expect(byTag(send, 'HTTPSamplerProxy').length).toBe(byTag(main, 'HTTPSamplerProxy').length);

      // The scripts read the token count from the plan's variables, whose default is the budget's.
      expect(byTag(root.children[0], 'JSR223PostProcessor')[0].props.script).toContain("setting('TOKENS_PER_SHARD'");
      expect(xml).toMatch(
        new RegExp(
          `"Argument.name">TOKENS_PER_SHARD</stringProp>\\s*<stringProp name="Argument.value">\\$\\{__P\\(TOKENS_PER_SHARD,${sp.sizing.tokensPerShard}\\)\\}<`,
        ),
      );
      expect(summary.properties.TOKENS_PER_SHARD).toBe(String(sp.sizing.tokensPerShard));
      expect(summary.properties.TARGET_RPM).toBe(String(rpm));
    },
  );

  it('fetches tokens only in the setUp group and the refresh group, never in the main loop', () => {
    const { env, plan } = example();
    for (const s of plan.scenarios.map((p) => p.name)) {
      const root = parsePlan(generateTestPlan(env, plan, s).xml);
      const [setUp, main, refresh] = root.children;
      const tokenSamplers = (el: El) => byTag(el, 'HTTPSamplerProxy').filter((h) => h.props['HTTPSampler.path'] === '/oauth/token');
      expect(tokenSamplers(setUp)).toHaveLength(1);
      expect(tokenSamplers(main)).toHaveLength(0);
      expect(byTag(main, 'HTTPSamplerProxy').every((h) => h.attrs.testname !== TOKEN_LABEL)).toBe(true);
      expect(byTag(main, 'HTTPSamplerProxy').every((h) => h.props['HTTPSampler.domain'].includes('API_HOST'))).toBe(true);
      // setUp: one thread, one pass; the while loop stops once TOKENS_PER_SHARD tokens are held.
      expect(setUp.tag).toBe('SetupThreadGroup');
      expect(setUp.props['ThreadGroup.num_threads']).toBe('1');
      expect(setUp.props['LoopController.loops']).toBeUndefined(); // nested in the loop controller elementProp
      expect(byTag(setUp, 'WhileController')[0].props['WhileController.condition']).toContain("loadlab_round_done') != 'true'");
      expect(tokenSamplers(setUp)[0].props['HTTPSampler.domain']).toContain('LOGIN_HOST');
      // Refresh: one thread that waits TOKEN_REFRESH_SEC between rounds.
      expect(refresh.props['ThreadGroup.num_threads']).toBe('1');
      expect(byTag(refresh, 'TestAction')[0].props['ActionProcessor.duration']).toBe('${loadlab_refresh_wait_ms}');
      expect(tokenSamplers(refresh)).toHaveLength(1);
      // Main threads send the round-robin token.
      const headers = JSON.stringify(byTag(main, 'HeaderManager'));
      expect(headers).not.toContain('Basic');
      expect(generateTestPlan(env, plan, s).xml).toContain('Bearer ${loadlab_token}');
      expect(byTag(main, 'JSR223Sampler')[0].props.script).toContain('gate.pick(now)');
      // setUp builds (and warms) the round-robin gate before its first token request.
      expect(setUp.children[0].tag).toBe('JSR223Sampler');
      expect(setUp.children[0].props.script).toContain('rr.getAndIncrement()');
      expect(setUp.children[0].props.script).toContain("props.putIfAbsent('loadlab.gate'");
    }
  });

  it('has the 429 handler: reads Retry-After, rests the token (not the thread), tags the sample', () => {
    const { env, plan } = example();
    const root = parsePlan(generateTestPlan(env, plan, 'agent-scripts').xml);
    const main = root.children[1];
    // Scoped to the requests: the arrival sampler runs no 429 handler of its own.
    expect(main.children.filter((c) => c.tag === 'JSR223PostProcessor')).toHaveLength(0);
    const sendIf = main.children.find((c) => c.tag === 'IfController')!;
    const post = sendIf.children.filter((c) => c.tag === 'JSR223PostProcessor');
    expect(post).toHaveLength(1);
    const script = post[0].props.script;
    expect(post[0].props.scriptLanguage).toBe('groovy');
    expect(post[0].props.cacheKey).toBe('true');
    // The gate rests the token first thing, then the sample is tagged.
    expect(script).toMatch(
      /gate\.onResponse\(prev\.getResponseCode\(\), prev\.getResponseHeaders\(\)[^\n]*\n[^]*loadlab_retry_after', String\.format/,
    );
    const gate = root.children[0].children[0].props.script;
    expect(gate).toContain("long waitMs = code == '429' ? Math.min(maxWaitMs, retryAfterMs(headers, now, defaultWaitMs)) : -1L");
    expect(gate).toMatch(/retry-after/i);
    expect(gate).toContain('s[2] = Math.max(s[2], (double) (now + waitMs))');
    // The thread does not sleep: a sleeping thread leaves the timer's schedule behind, and its catch-up is a burst.
    expect(script).not.toMatch(/\n\s*sleepWithinRun\(waitMs\)/);
    expect(script).toContain("vars.put('loadlab_retry_after'");
    expect(script).toContain('prev.setResponseMessage');
    // No ${...} for JMeter to substitute into any script.
    for (const el of all(root).filter((e) => e.tag.startsWith('JSR223'))) expect(el.props.script).not.toContain('${');
  });

  it('holds no secret: the Basic credentials are computed from properties at run time', () => {
    const { env, plan } = example();
    const { xml, summary } = generateTestPlan(env, plan, 'agent-scripts');
    expect(summary.properties.CLIENT_SECRET).toBe('');
    const setUp = parsePlan(xml).children[0];
    expect(byTag(setUp, 'JSR223PreProcessor')[0].props.script).toContain("props.getProperty('CLIENT_SECRET', '')");
    expect(xml).not.toMatch(/__P\(CLIENT_(SECRET|ID)/);
  });

  it('calls only catalogue endpoints, labelled by their template, with path params from producers or the CSV', () => {
    const { env, plan } = example();
    const bot = parsePlan(generateTestPlan(env, plan, 'bot-analytics').xml);
    const samplers = byTag(bot.children[1], 'HTTPSamplerProxy');
    expect(samplers.map((s) => s.attrs.testname)).toEqual([
      'POST /api/v2/analytics/conversations/details/jobs',
      'GET /api/v2/analytics/conversations/details/jobs/{jobId}',
      'GET /api/v2/analytics/conversations/details/jobs/{jobId}/results',
    ]);
    expect(samplers[1].props['HTTPSampler.path']).toBe('/api/v2/analytics/conversations/details/jobs/${jobId}');
    // jobId comes from the POST's response, so no CSV is needed.
    expect(byTag(bot, 'CSVDataSet')).toHaveLength(0);
    expect(byTag(samplers[0], 'JSR223PostProcessor')[0].props.script).toContain("vars.put('jobId'");
    const sw = byTag(bot, 'SwitchController')[0].props['SwitchController.value'];
    expect(sw).toContain("vars.get('jobId') == null");
    expect(sw).not.toMatch(/[^\\],/);

    const messaging = generateTestPlan(env, plan, 'messaging');
    const m = parsePlan(messaging.xml);
    const csv = byTag(m, 'CSVDataSet');
    expect(csv).toHaveLength(1);
    expect(csv[0].props.filename).toBe('${__P(PARAMS_CSV,messaging.params.csv)}');
    expect(messaging.summary.csvColumns).toEqual(['conversationId', 'communicationId']);
    expect(byTag(m, 'HTTPSamplerProxy')[1].props['HTTPSampler.path']).toBe(
      '/api/v2/conversations/messages/${conversationId}/communications/${communicationId}/messages',
    );
  });

  it('follows the resolver: recording metadata is a warning naming the field, an endpoint outside the catalogue an error naming the field', () => {
    const input = exampleInput();
    input.loadProfile.scenarios = [
      {
        name: 'metadata-poll',
        endpoints: [{ method: 'GET', path: '/api/v2/conversations/{conversationId}/recordingmetadata' }],
        virtualUsers: 10,
        requestsPerUserPerMinute: 1,
        durationSec: 600,
      },
      {
        name: 'unknown',
        endpoints: [
          { method: 'GET', path: '/api/v2/scripts' },
          { method: 'GET', path: '/api/v2/users/me' },
        ],
        virtualUsers: 10,
        requestsPerUserPerMinute: 1,
        durationSec: 600,
      },
    ];
    const env = loadFrom({ example: input }, 'example');
    const plan = planBudget(env.config);
    // The planner's rule is the generator's: a warning in the budget is a warning in the plan.
    expect(scenarioPlan(plan, 'metadata-poll').findings.map((f) => [f.severity, f.code])).toEqual([['warning', 'sync-recording-metadata']]);
    const meta = generateTestPlan(env, plan, 'metadata-poll');
    expect(meta.summary.warnings).toEqual([
      expect.stringMatching(
        /^loadProfile\.scenarios\[0\]\.endpoints\[0\] GET \/api\/v2\/conversations\/\{conversationId\}\/recordingmetadata fetches recording metadata synchronously/,
      ),
    ]);
    expect(byTag(parsePlan(meta.xml), 'HTTPSamplerProxy')[1].props['HTTPSampler.path']).toBe(
      '/api/v2/conversations/${conversationId}/recordingmetadata',
    );
    expect(() => generateTestPlan(env, plan, 'unknown')).toThrow(ConfigError);
    expect(() => generateTestPlan(env, plan, 'unknown')).toThrow(
      /example\.json: loadProfile\.scenarios\[1\]\.endpoints\[1\] GET \/api\/v2\/users\/me has no known permissions/,
    );
    const { env: ex, plan: examplePlan } = example();
    expect(() => generateTestPlan(ex, examplePlan, 'nope')).toThrow(/--scenario: no scenario "nope".*choose one of screen-recording/);
  });

  it('refuses a scenario the planner rejects as over budget', () => {
    const input = exampleInput();
    input.loadProfile.scenarios[1].fixedSizing = { shards: 1, tokensPerShard: 1 };
    const env = loadFrom({ example: input }, 'example');
    expect(() => generateTestPlan(env, planBudget(env.config), 'agent-scripts')).toThrow(/over-budget/);
  });

  it('uses the region of the environment and the token validity for the refresh interval', () => {
    const input = exampleInput();
    input.genesys.region = 'eu-central-1';
    input.genesys.tokenValiditySec = { runner: 1200, worker: 3600, max: 86400 };
    const env = loadFrom({ example: input }, 'example');
    const { summary } = generateTestPlan(env, planBudget(env.config), 'screen-recording');
    expect(summary.properties.API_HOST).toBe('api.mypurecloud.de');
    expect(summary.properties.LOGIN_HOST).toBe('login.mypurecloud.de');
    expect(summary.tokenRefreshSec).toBe(960);
  });
});

describe('weightedPickExpression', () => {
  it('maps cumulative weights to child indexes and contains no comma', () => {
    const expr = weightedPickExpression([1, 4, 1], [undefined, 0, 0], [[], ['jobId'], ['jobId']]);
    expect(expr).not.toContain(',');
    expect(expr).toContain('* 6;');
    expect(expr).toContain('(r < 1 ? 0 : (r < 5 ? 1 : 2))');
    // Evaluate the pick in JS for every r to check the mapping.
    const pick = (r: number) => (r < 1 ? 0 : r < 5 ? 1 : 2);
    const counts = [0, 0, 0];
    for (let k = 0; k < 6000; k++) counts[pick((k / 6000) * 6)]++;
    expect(counts).toEqual([1000, 4000, 1000]);
  });
});
