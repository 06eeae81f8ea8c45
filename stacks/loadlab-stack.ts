import { LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { stateKey, type Environment } from '../lib/config';
import { tagEverything } from '../lib/tagging';

export type StackRole = 'archive' | 'genesys' | 'runners';

/**
 * What every genesys-loadlab stack shares: its state backend (one state file per stack, so
 * each lifecycle is planned and destroyed on its own), the AWS provider with default tags,
 * and the tagging aspect.
 */
export abstract class LoadlabStack extends TerraformStack {
  readonly tags: Readonly<Record<string, string>>;

  protected constructor(
    scope: Construct,
    readonly env: Environment,
    readonly role: StackRole,
  ) {
    super(scope, env.stackNames[role]);
    this.tags = { ...env.tags, stack: env.stackNames[role] };
    configureBackend(this, env, env.stackNames[role]);
    tagEverything(this, this.tags);
  }

  /** The AWS provider, for stacks that create AWS resources. */
  protected addAwsProvider(): AwsProvider {
    return new AwsProvider(this, 'aws', {
      region: this.env.config.aws.region,
      allowedAccountIds: [this.env.config.aws.accountId],
      defaultTags: [{ tags: { ...this.tags } }],
    });
  }
}

function configureBackend(stack: TerraformStack, env: Environment, stackName: string): void {
  const backend = env.config.backend;
  if (backend.type === 'local') {
    // Terraform runs each stack in cdktf.out/stacks/<stack>/ and cdktf reuses this path for the
    // remote-state reads of the other stacks, so it must name the stack's own folder: a bare
    // file name would make a reading stack look for the state in its own folder instead.
    new LocalBackend(stack, { path: `../${stackName}/${stateKey(env, stackName)}` });
    return;
  }
  new S3Backend(stack, {
    bucket: backend.bucket,
    key: stateKey(env, stackName),
    region: backend.region,
    // State holds OAuth client secrets: always encrypted, with a customer key when given.
    encrypt: true,
    kmsKeyId: backend.kmsKeyId,
  });
  // S3-native state locking (Terraform >= 1.10); cdktf 0.21 has no typed field for it yet.
  stack.addOverride('terraform.backend.s3.use_lockfile', true);
}
