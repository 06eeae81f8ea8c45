/**
 * How the plan fills each catalogue endpoint: path parameters, request bodies, and ids one request
 * hands to later ones. Variables nobody in the scenario produces come from the params CSV.
 */
import type { EndpointSpec } from '../../lib/genesys-facts/endpoints';

export interface RequestTemplate {
  /** JSON body with JMeter `${var}` / `${__fn()}` references; undefined for no body. */
  readonly body?: string;
  /** JMeter variables the body needs (besides path parameters). */
  readonly bodyVars: readonly string[];
  /** Variable this request sets from its JSON response, read by later requests of the same thread. */
  readonly produces?: { readonly variable: string; readonly jsonField: string };
  /** Set when the body is a placeholder we could not confirm. */
  readonly note?: string;
}

/** The last hour as an ISO-8601 interval, in UTC (the image runs the JVM with user.timezone=UTC). */
const LAST_HOUR = "${__timeShift(yyyy-MM-dd'T'HH:mm:ss.SSS'Z',,-PT1H,,)}/${__time(yyyy-MM-dd'T'HH:mm:ss.SSS'Z',)}";

const TEMPLATES: Readonly<Record<string, RequestTemplate>> = {
  'POST /api/v2/analytics/conversations/details/jobs': {
    body: `{"interval":"${LAST_HOUR}"}`,
    bodyVars: [],
    produces: { variable: 'jobId', jsonField: 'jobId' },
  },
  'POST /api/v2/analytics/conversations/details/query': {
    body: `{"interval":"${LAST_HOUR}","paging":{"pageSize":25,"pageNumber":1}}`,
    bodyVars: [],
  },
  'POST /api/v2/analytics/ratelimits/aggregates/query': { body: `{"interval":"${LAST_HOUR}"}`, bodyVars: [] },
  'POST /api/v2/usage/client/{clientId}/aggregates/query/jobs': { body: `{"interval":"${LAST_HOUR}"}`, bodyVars: [] },
  'POST /api/v2/conversations/messages/{conversationId}/communications/{communicationId}/messages': {
    body: '{"textBody":"loadlab ${__time(,)} ${__threadNum}"}',
    bodyVars: [],
  },
  'POST /api/v2/conversations/messages/agentless': {
    body: '{"fromAddress":"${fromAddress}","toAddress":"${toAddress}","toAddressMessengerType":"${toAddressMessengerType}","textBody":"loadlab ${__time(,)}"}',
    bodyVars: ['fromAddress', 'toAddress', 'toAddressMessengerType'],
  },
  'POST /api/v2/recordings/screensessions/acknowledge': {
    body: '{}',
    bodyVars: [],
    note: 'the acknowledge body schema is unconfirmed: the plan sends {}; edit the sampler body if your org needs fields',
  },
};

const NO_BODY: RequestTemplate = { bodyVars: [] };

export function requestTemplate(spec: EndpointSpec): RequestTemplate {
  const known = TEMPLATES[`${spec.method} ${spec.path}`];
  if (known) return known;
  if (spec.method === 'POST' || spec.method === 'PUT' || spec.method === 'PATCH') {
    return { body: '{}', bodyVars: [], note: `no body template for ${spec.method} ${spec.path}: the plan sends {}` };
  }
  return NO_BODY;
}

/** `{conversationId}` placeholders of a path template, in order. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/\{([^/}]+)\}/g)].map((m) => m[1]);
}

/** `/api/v2/scripts/{scriptId}` -> `/api/v2/scripts/${scriptId}`. */
export function jmeterPath(path: string): string {
  return path.replace(/\{([^/}]+)\}/g, (_m, name: string) => '${' + name + '}');
}
