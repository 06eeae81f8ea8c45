import { Construct } from 'constructs';
import { Integration } from '../../.gen/providers/genesyscloud/integration';

/** Genesys Cloud's integration type for pushing notification topics to Amazon EventBridge. */
export const EVENTBRIDGE_INTEGRATION_TYPE = 'amazon-eventbridge-source';

/** The help article's rule: at most 64 of letters, digits, `.`, `-`, `_`. */
export const EVENT_SOURCE_SUFFIX = /^[A-Za-z0-9._-]{1,64}$/;
const TOPIC = /^v2(\.[A-Za-z0-9_{}-]+)+$/;

/** `aws.partner/genesys.com/cloud/{orgId}/{suffix}`: the partner event source (and bus) name. */
export const partnerEventSourceName = (orgId: string, suffix: string): string => `aws.partner/genesys.com/cloud/${orgId}/${suffix}`;

/** The integration's `config.properties`, exactly as Genesys Cloud names them. */
export interface EventBridgeProperties {
  readonly awsAccountId: string;
  readonly awsAccountRegion: string;
  readonly eventSourceSuffix: string;
  readonly eventFilter: readonly string[];
}

export interface EventBridgeSourceIntegrationProps {
  readonly name: string;
  /** AWS account that receives the partner event source (where the runners stack's bus lives). */
  readonly awsAccountId: string;
  readonly awsRegion: string;
  readonly eventSourceSuffix: string;
  /** Notification topics to push, `{id}` placeholders allowed. */
  readonly topics: readonly string[];
  /** Genesys org id (a reference to `data.genesyscloud_organizations_me`), for the source name. */
  readonly orgId: string;
  readonly notes?: string;
}

/**
 * The Amazon EventBridge integration (`amazon-eventbridge-source`, ENABLED). Creating it makes
 * Genesys Cloud create a partner event source in the AWS account; the runners stack associates
 * it with an event bus of the same name. Genesys queues and retries delivery for up to four days
 * when EventBridge is unreachable.
 */
export class EventBridgeSourceIntegration extends Construct {
  readonly resource: Integration;
  readonly properties: EventBridgeProperties;
  /** `aws.partner/genesys.com/cloud/{orgId}/{suffix}` (a Terraform reference through the org id). */
  readonly partnerEventSourceName: string;

  constructor(scope: Construct, id: string, props: EventBridgeSourceIntegrationProps) {
    super(scope, id);
    const where = `EventBridge integration ${props.name}`;
    if (!EVENT_SOURCE_SUFFIX.test(props.eventSourceSuffix)) {
      throw new Error(
        `${where}: eventSourceSuffix must be 1-64 characters of letters, digits, ".", "-" or "_" (got ${JSON.stringify(props.eventSourceSuffix)})`,
      );
    }
    if (!/^\d{12}$/.test(props.awsAccountId)) throw new Error(`${where}: awsAccountId must be a 12-digit AWS account id`);
    if (props.topics.length === 0) throw new Error(`${where}: topics must name at least one notification topic`);
    for (const t of props.topics) {
      if (!TOPIC.test(t))
        throw new Error(`${where}: ${JSON.stringify(t)} is not a notification topic such as v2.detail.events.conversation.{id}.acw`);
    }
    if (new Set(props.topics).size !== props.topics.length) throw new Error(`${where}: topics must not repeat`);
    this.properties = {
      awsAccountId: props.awsAccountId,
      awsAccountRegion: props.awsRegion,
      eventSourceSuffix: props.eventSourceSuffix,
      eventFilter: [...props.topics],
    };
    this.resource = new Integration(this, 'integration', {
      integrationType: EVENTBRIDGE_INTEGRATION_TYPE,
      intendedState: 'ENABLED',
      config: {
        name: props.name,
        properties: JSON.stringify(this.properties),
        advanced: '{}',
        notes: props.notes ?? '',
      },
    });
    this.partnerEventSourceName = partnerEventSourceName(props.orgId, props.eventSourceSuffix);
  }

  get integrationId(): string {
    return this.resource.id;
  }
}
