import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { CI_STACK_NAME, type CiIdentitiesConfig } from '../lib/config';
import { CiIdentities } from '../lib/ci/ci-identities';
import { tagEverything } from '../lib/tagging';

export interface CiStackProps {
  readonly config: CiIdentitiesConfig;
}

/**
 * `loadlab-ci`: the identities GitHub Actions assumes in one AWS account (the OIDC provider and
 * the PR-plan, main-plan, deploy and teardown roles). One per account, deployed once by an
 * administrator (docs/security.md#ci-identities); no workflow can change it.
 */
export class CiStack extends TerraformStack {
  readonly identities: CiIdentities;

  constructor(scope: Construct, props: CiStackProps) {
    super(scope, CI_STACK_NAME);
    const tags = { project: 'genesys-loadlab', environment: CI_STACK_NAME, stack: CI_STACK_NAME, owner: props.config.repository };
    new AwsProvider(this, 'aws', {
      region: props.config.aws.region,
      allowedAccountIds: [props.config.aws.accountId],
      defaultTags: [{ tags }],
    });
    tagEverything(this, tags);
    this.identities = new CiIdentities(this, 'ci-identities', { config: props.config });
  }
}
