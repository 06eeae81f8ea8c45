/**
 * Builders for the JMeter 5.6 test elements the generator uses, in the XML shape JMeter's
 * SaveService writes (`<Element guiclass testclass testname>` followed by its `<hashTree>`).
 * Only core JMeter elements: the generated plans need no plugin.
 */
import type { XmlNode } from './xml';

export const JMETER_VERSION = '5.6.3';

/** An element and the elements nested under it (its hashTree). */
export interface TreeItem {
  readonly element: XmlNode;
  readonly children?: readonly TreeItem[];
}

export const stringProp = (name: string, value: string): XmlNode => ({ tag: 'stringProp', attrs: { name }, children: value });
export const boolProp = (name: string, value: boolean): XmlNode => ({ tag: 'boolProp', attrs: { name }, children: String(value) });
export const intProp = (name: string, value: number): XmlNode => ({ tag: 'intProp', attrs: { name }, children: String(value) });

function element(tag: string, guiclass: string, testname: string, props: readonly XmlNode[], comment?: string): XmlNode {
  const all = comment ? [...props, stringProp('TestPlan.comments', comment)] : props;
  return { tag, attrs: { guiclass, testclass: tag, testname, enabled: 'true' }, children: all };
}

export function hashTree(items: readonly TreeItem[]): XmlNode {
  return { tag: 'hashTree', children: items.flatMap((i) => [i.element, hashTree(i.children ?? [])]) };
}

export function jmeterTestPlan(plan: TreeItem): XmlNode {
  return { tag: 'jmeterTestPlan', attrs: { version: '1.2', properties: '5.0', jmeter: JMETER_VERSION }, children: [hashTree([plan])] };
}

/**
 * The test plan. `variables` become User Defined Variables every thread sees (`vars.get(name)`):
 * the Groovy scripts read their settings there, so a `${__P(NAME,default)}` default applies to them too.
 */
export function testPlan(name: string, comment: string, variables: Readonly<Record<string, string>> = {}): XmlNode {
  return element(
    'TestPlan',
    'TestPlanGui',
    name,
    [
      boolProp('TestPlan.functional_mode', false),
      // setUp thread groups finish before the main ones start: tokens exist before the first call.
      boolProp('TestPlan.serialize_threadgroups', false),
      boolProp('TestPlan.tearDown_on_shutdown', true),
      {
        tag: 'elementProp',
        attrs: {
          name: 'TestPlan.user_defined_variables',
          elementType: 'Arguments',
          guiclass: 'ArgumentsPanel',
          testclass: 'Arguments',
          testname: 'User Defined Variables',
        },
        children: [
          {
            tag: 'collectionProp',
            attrs: { name: 'Arguments.arguments' },
            children: Object.entries(variables).map(([vName, value]) => ({
              tag: 'elementProp',
              attrs: { name: vName, elementType: 'Argument' },
              children: [stringProp('Argument.name', vName), stringProp('Argument.value', value), stringProp('Argument.metadata', '=')],
            })),
          },
        ],
      },
    ],
    comment,
  );
}

export interface ThreadGroupProps {
  readonly kind: 'ThreadGroup' | 'SetupThreadGroup';
  readonly name: string;
  readonly threads: string;
  readonly rampUpSec: string;
  /** Loops per thread; -1 runs until the duration ends. */
  readonly loops: string;
  /** Set to run for a fixed time (seconds), including ramp-up. */
  readonly durationSec?: string;
  readonly onSampleError: 'continue' | 'stoptest' | 'stopthread';
  readonly comment?: string;
}

export function threadGroup(p: ThreadGroupProps): XmlNode {
  return element(
    p.kind,
    p.kind === 'SetupThreadGroup' ? 'SetupThreadGroupGui' : 'ThreadGroupGui',
    p.name,
    [
      stringProp('ThreadGroup.on_sample_error', p.onSampleError),
      {
        tag: 'elementProp',
        attrs: {
          name: 'ThreadGroup.main_controller',
          elementType: 'LoopController',
          guiclass: 'LoopControlPanel',
          testclass: 'LoopController',
          testname: 'Loop Controller',
        },
        children: [stringProp('LoopController.loops', p.loops), boolProp('LoopController.continue_forever', false)],
      },
      stringProp('ThreadGroup.num_threads', p.threads),
      stringProp('ThreadGroup.ramp_time', p.rampUpSec),
      boolProp('ThreadGroup.scheduler', p.durationSec !== undefined),
      stringProp('ThreadGroup.duration', p.durationSec ?? ''),
      stringProp('ThreadGroup.delay', ''),
      boolProp('ThreadGroup.same_user_on_next_iteration', true),
    ],
    p.comment,
  );
}

export interface HttpSamplerProps {
  readonly name: string;
  readonly method: string;
  readonly protocol: string;
  readonly host: string;
  readonly port: string;
  readonly path: string;
  /** Raw request body (JSON). */
  readonly body?: string;
  /** Form parameters (application/x-www-form-urlencoded). */
  readonly form?: Readonly<Record<string, string>>;
  /** Milliseconds, or a property reference such as `${__P(CONNECT_TIMEOUT_MS,10000)}`. */
  readonly connectTimeoutMs: number | string;
  readonly responseTimeoutMs: number | string;
  readonly comment?: string;
}

function httpArgument(name: string, value: string): XmlNode {
  return {
    tag: 'elementProp',
    attrs: { name, elementType: 'HTTPArgument' },
    children: [
      boolProp('HTTPArgument.always_encode', name !== ''),
      stringProp('Argument.name', name),
      stringProp('Argument.value', value),
      stringProp('Argument.metadata', '='),
      boolProp('HTTPArgument.use_equals', true),
    ],
  };
}

export function httpSampler(p: HttpSamplerProps): XmlNode {
  const args =
    p.body !== undefined ? [httpArgument('', p.body)] : Object.entries(p.form ?? {}).map(([name, value]) => httpArgument(name, value));
  return element(
    'HTTPSamplerProxy',
    'HttpTestSampleGui',
    p.name,
    [
      stringProp('HTTPSampler.domain', p.host),
      stringProp('HTTPSampler.port', p.port),
      stringProp('HTTPSampler.protocol', p.protocol),
      stringProp('HTTPSampler.path', p.path),
      stringProp('HTTPSampler.method', p.method),
      stringProp('HTTPSampler.contentEncoding', 'UTF-8'),
      boolProp('HTTPSampler.follow_redirects', false),
      boolProp('HTTPSampler.auto_redirects', false),
      boolProp('HTTPSampler.use_keepalive', true),
      boolProp('HTTPSampler.DO_MULTIPART_POST', false),
      boolProp('HTTPSampler.postBodyRaw', p.body !== undefined),
      {
        tag: 'elementProp',
        attrs: {
          name: 'HTTPsampler.Arguments',
          elementType: 'Arguments',
          guiclass: 'HTTPArgumentsPanel',
          testclass: 'Arguments',
          testname: 'User Defined Variables',
        },
        children: [{ tag: 'collectionProp', attrs: { name: 'Arguments.arguments' }, children: args }],
      },
      stringProp('HTTPSampler.connect_timeout', String(p.connectTimeoutMs)),
      stringProp('HTTPSampler.response_timeout', String(p.responseTimeoutMs)),
    ],
    p.comment,
  );
}

export function headerManager(name: string, headers: Readonly<Record<string, string>>): XmlNode {
  return element('HeaderManager', 'HeaderPanel', name, [
    {
      tag: 'collectionProp',
      attrs: { name: 'HeaderManager.headers' },
      children: Object.entries(headers).map(([hName, value]) => ({
        tag: 'elementProp',
        attrs: { name: '', elementType: 'Header' },
        children: [stringProp('Header.name', hName), stringProp('Header.value', value)],
      })),
    },
  ]);
}

export type Jsr223Kind = 'JSR223PreProcessor' | 'JSR223PostProcessor' | 'JSR223Sampler' | 'JSR223Timer';

export function jsr223(kind: Jsr223Kind, name: string, script: string, comment?: string): XmlNode {
  if (script.includes('${')) {
    // JMeter substitutes ${...} in script text before Groovy sees it, which also defeats the compile cache.
    throw new Error(`JSR223 script "${name}" must not contain "\${": use vars.get() instead`);
  }
  return element(
    kind,
    'TestBeanGUI',
    name,
    [
      stringProp('scriptLanguage', 'groovy'),
      stringProp('parameters', ''),
      stringProp('filename', ''),
      // Compiled once and cached: the handlers run on every sample.
      stringProp('cacheKey', 'true'),
      stringProp('script', script),
    ],
    comment,
  );
}

/**
 * The Precise Throughput Timer (core JMeter since 4.0): Poisson arrivals holding exactly
 * `throughput` samples per `throughputPeriod` seconds across all threads of its thread group.
 */
export function preciseThroughputTimer(
  name: string,
  throughput: string,
  periodSec: number,
  durationSec: string,
  comment?: string,
): XmlNode {
  return element(
    'PreciseThroughputTimer',
    'TestBeanGUI',
    name,
    [
      stringProp('throughput', throughput),
      intProp('throughputPeriod', periodSec),
      stringProp('duration', durationSec),
      intProp('batchSize', 1),
      intProp('batchThreadDelay', 0),
      stringProp('randomSeed', '0'),
    ],
    comment,
  );
}

export function whileController(name: string, condition: string): XmlNode {
  return element('WhileController', 'WhileControllerGui', name, [stringProp('WhileController.condition', condition)]);
}

/** Runs its children when `condition` (after function evaluation) is "true"; no JavaScript engine involved. */
export function ifController(name: string, condition: string, comment?: string): XmlNode {
  return element(
    'IfController',
    'IfControllerPanel',
    name,
    [
      stringProp('IfController.condition', condition),
      boolProp('IfController.evaluateAll', false),
      boolProp('IfController.useExpression', true),
    ],
    comment,
  );
}

export function switchController(name: string, value: string, comment?: string): XmlNode {
  return element('SwitchController', 'SwitchControllerGui', name, [stringProp('SwitchController.value', value)], comment);
}

/** A Flow Control Action that pauses (it records no sample). */
export function pause(name: string, durationMs: string): XmlNode {
  return element('TestAction', 'TestActionGui', name, [
    intProp('ActionProcessor.action', 1),
    intProp('ActionProcessor.target', 0),
    stringProp('ActionProcessor.duration', durationMs),
  ]);
}

export function csvDataSet(name: string, filename: string, comment?: string): XmlNode {
  return element(
    'CSVDataSet',
    'TestBeanGUI',
    name,
    [
      stringProp('delimiter', ','),
      stringProp('fileEncoding', 'UTF-8'),
      stringProp('filename', filename),
      boolProp('ignoreFirstLine', false),
      boolProp('quotedData', true),
      boolProp('recycle', true),
      stringProp('shareMode', 'shareMode.all'),
      boolProp('stopThread', false),
      // Empty: the column names come from the file's header line.
      stringProp('variableNames', ''),
    ],
    comment,
  );
}
