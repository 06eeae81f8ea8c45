import type { Construct } from 'constructs';
import { GenesyscloudProvider } from '../.gen/providers/genesyscloud/provider';
import type { Environment } from '../lib/config';
import type { BudgetPlan } from '../lib/ratelimits';
import type { ArchiveRefs } from '../lib/archive/refs';
import { LoadlabStack } from './loadlab-stack';

export interface GenesysStackProps {
  readonly env: Environment;
  readonly plan: BudgetPlan;
  /** The archive stack's outputs; undefined when the environment shares another's archive. */
  readonly archive?: ArchiveRefs;
}

/**
 * `<env>-genesys`: the Genesys Cloud side (roles, OAuth clients, integrations). Credentials
 * come from the environment (GENESYSCLOUD_OAUTHCLIENT_ID / _SECRET), never from config.
 */
export class GenesysStack extends LoadlabStack {
  constructor(scope: Construct, props: GenesysStackProps) {
    super(scope, props.env, 'genesys');
    new GenesyscloudProvider(this, 'genesyscloud', { awsRegion: props.env.config.genesys.region });
  }
}
