/**
 * The org facts `npm run preflight` reads, as the simulator answers them: integration types with
 * their credential specifications and config schemas, credential types, and the notification
 * topics with their transports. By default they match the project's defaults (every preflight
 * line ✓); `OrgFactsOverrides` (sim option, `--org-fact KEY=VALUE`, `PUT /__sim/org-facts`) makes
 * the org answer otherwise, or withhold a permission so a read answers 403.
 * Shapes follow the Platform API models (IntegrationType, CredentialSpecification,
 * JsonSchemaDocument, CredentialType, AvailableTopic), from the Genesys SDKs' docs.
 */
import { errorReply, type Reply } from './http';
import { compile, type Route } from './router';

export interface OrgFactsOverrides {
  /** Id of the AWS S3 recording bulk-actions integration type. Default `aws-s3-recording-bulk-actions-integration`. */
  readonly recordingExportTypeId?: string;
  /** Its config property holding the bucket name. Default `bucketName`. */
  readonly bucketNameProperty?: string;
  /** Its key under `config.credentials`. Default `AmazonWebServicesARN`. */
  readonly credentialsKey?: string;
  /** The credential type that key accepts. Default `amazonWebServicesARN`. */
  readonly credentialType?: string;
  /** That type's field holding the role ARN. Default `ARN`. */
  readonly credentialField?: string;
  /** Topics offered over WebSocket only (not EventBridge). Default none. */
  readonly websocketOnlyTopics?: readonly string[];
  /** Permissions the caller lacks: reads that need one answer 403. Default none. */
  readonly withheldPermissions?: readonly string[];
}

export const DEFAULT_ORG_FACTS: Required<OrgFactsOverrides> = {
  recordingExportTypeId: 'aws-s3-recording-bulk-actions-integration',
  bucketNameProperty: 'bucketName',
  credentialsKey: 'AmazonWebServicesARN',
  credentialType: 'amazonWebServicesARN',
  credentialField: 'ARN',
  websocketOnlyTopics: [],
  withheldPermissions: [],
};

/** Topics the org offers (detail events of a conversation, the analytics availability, an audit topic). */
const TOPICS = [
  ...[
    'acd.start',
    'acd.end',
    'acw',
    'attributes',
    'contact',
    'customer.start',
    'customer.end',
    'flow.start',
    'flow.end',
    'outbound',
    'user.start',
    'user.end',
    'voicemail.start',
    'voicemail.end',
    'wrapup',
  ].map((e) => `v2.detail.events.conversation.{id}.${e}`),
  'v2.analytics.conversations.details.jobs.availability',
  'v2.audits.entitytype.{id}.entityid.{id}',
];

const VIEW = 'integrations:integration:view';
const str = (title: string) => ({ type: 'string', title });

/** Parses `KEY=VALUE` (lists comma-separated) into overrides; throws naming the key on a mistake. */
export function parseOrgFact(text: string, into: OrgFactsOverrides = {}): OrgFactsOverrides {
  const i = text.indexOf('=');
  const key = text.slice(0, Math.max(i, 0));
  if (i <= 0 || !(key in DEFAULT_ORG_FACTS)) {
    throw new Error(`org fact must be KEY=VALUE with KEY one of ${Object.keys(DEFAULT_ORG_FACTS).join(', ')} (got ${text})`);
  }
  const value = text.slice(i + 1);
  const list = Array.isArray(DEFAULT_ORG_FACTS[key as keyof OrgFactsOverrides]);
  return { ...into, [key]: list ? value.split(',').filter(Boolean) : value };
}

export class OrgFacts {
  private facts: Required<OrgFactsOverrides>;

  constructor(overrides: OrgFactsOverrides = {}) {
    this.facts = { ...DEFAULT_ORG_FACTS, ...overrides };
  }

  get current(): Required<OrgFactsOverrides> {
    return this.facts;
  }

  /** Merges overrides into the current facts (the control route and tests). */
  set(overrides: OrgFactsOverrides): void {
    for (const [k, v] of Object.entries(overrides)) {
      if (!(k in DEFAULT_ORG_FACTS)) throw new Error(`unknown org fact ${k}; known: ${Object.keys(DEFAULT_ORG_FACTS).join(', ')}`);
      const list = Array.isArray(DEFAULT_ORG_FACTS[k as keyof OrgFactsOverrides]);
      if (list ? !Array.isArray(v) || v.some((x) => typeof x !== 'string') : typeof v !== 'string' || !v) {
        throw new Error(`org fact ${k} must be ${list ? 'a list of strings' : 'a non-empty string'}`);
      }
    }
    this.facts = { ...this.facts, ...overrides };
  }

  private types() {
    const f = this.facts;
    return [
      {
        id: f.recordingExportTypeId,
        name: 'AWS S3 Recording Bulk Actions Integration',
        credentials: { [f.credentialsKey]: { required: true, title: 'AWS IAM role', credentialTypes: [f.credentialType] } },
        properties: { [f.bucketNameProperty]: str('S3 bucket name') },
      },
      { id: 'amazon-eventbridge-source', name: 'Amazon EventBridge Source', credentials: {}, properties: {} },
      {
        id: 'aws-lambda-data-actions',
        name: 'AWS Lambda Data Actions',
        credentials: { AmazonWebServicesARN: { required: true, title: 'AWS IAM role', credentialTypes: ['amazonWebServicesARN'] } },
        properties: {},
      },
    ];
  }

  private credentialTypes() {
    const f = this.facts;
    const all: { name: string; properties: Record<string, { type: string; title: string }> }[] = [
      { name: 'basicAuth', properties: { userName: str('User name'), password: str('Password') } },
      { name: 'pureCloudOAuthClient', properties: { clientId: str('Client id'), clientSecret: str('Client secret') } },
      { name: 'amazonWebServicesARN', properties: { ARN: str('Role ARN') } },
    ];
    const types = all.filter((t) => t.name !== f.credentialType);
    types.push({ name: f.credentialType, properties: { [f.credentialField]: str('Role ARN') } });
    return types.map((t) => ({ ...t, displayOrder: Object.keys(t.properties), required: Object.keys(t.properties) }));
  }

  private refused(permission: string): Reply | undefined {
    if (!this.facts.withheldPermissions.includes(permission)) return undefined;
    return errorReply(
      403,
      'missing.permissions',
      `Unable to perform the requested action. You are missing the following permission(s): [${permission}]`,
    );
  }

  /** The read routes preflight calls (besides the limits, roles and OAuth client routes served elsewhere). */
  routes(): Route[] {
    const typeBody = (t: ReturnType<OrgFacts['types']>[number]) => ({
      id: t.id,
      name: t.name,
      credentials: t.credentials,
      configPropertiesSchemaUri: `/api/v2/integrations/types/${t.id}/configschemas/properties`,
    });
    const typeNamed = (id: string) => this.types().find((t) => t.id === id);
    return [
      compile('GET', '/api/v2/integrations/types', () => {
        const entities = this.types().map(typeBody);
        return this.refused(VIEW) ?? { status: 200, body: { entities, pageSize: 100, pageNumber: 1, total: entities.length } };
      }),
      compile('GET', '/api/v2/integrations/types/{typeId}', (ctx) => {
        const t = typeNamed(ctx.params.typeId);
        return (
          this.refused(VIEW) ??
          (t ? { status: 200, body: typeBody(t) } : errorReply(404, 'not.found', `Integration type ${ctx.params.typeId} not found`))
        );
      }),
      compile('GET', '/api/v2/integrations/types/{typeId}/configschemas/{configType}', (ctx) => {
        const t = typeNamed(ctx.params.typeId);
        if (this.refused(VIEW)) return this.refused(VIEW)!;
        if (!t) return errorReply(404, 'not.found', `Integration type ${ctx.params.typeId} not found`);
        if (!['properties', 'advanced'].includes(ctx.params.configType))
          return errorReply(400, 'bad.request', 'configType must be properties or advanced');
        const properties = ctx.params.configType === 'properties' ? t.properties : {};
        return { status: 200, body: { title: t.name, type: 'object', required: Object.keys(properties), properties } };
      }),
      compile('GET', '/api/v2/integrations/credentials/types', () => {
        const entities = this.credentialTypes();
        return this.refused(VIEW) ?? { status: 200, body: { entities, total: entities.length } };
      }),
      compile('GET', '/api/v2/notifications/availabletopics', (ctx) => {
        // `transports` only when asked for: the real API leaves unexpanded fields out.
        const expand = (ctx.query.getAll('expand').join(',') || '').split(',');
        const entities = TOPICS.map((id) => ({
          id,
          ...(expand.includes('transports')
            ? { transports: this.facts.websocketOnlyTopics.includes(id) ? ['Websocket'] : ['Websocket', 'EventBridge'] }
            : {}),
        }));
        return { status: 200, body: { entities } };
      }),
    ];
  }
}
