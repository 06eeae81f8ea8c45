import type { Construct } from 'constructs';
import type { Environment } from '../lib/config';
import type { BudgetPlan } from '../lib/ratelimits';
import type { ArchiveRefs } from '../lib/archive/refs';
import { LoadlabStack } from './loadlab-stack';

export interface ArchiveStackProps {
  readonly env: Environment;
  readonly plan: BudgetPlan;
}

/**
 * `<env>-archive`: the durable stack. Buckets and the key here survive every teardown of a
 * test environment; `npm run destroy` refuses this stack.
 */
export class ArchiveStack extends LoadlabStack {
  /** Handed to the genesys and runners stacks (cdktf turns them into cross-stack outputs). */
  readonly refs?: ArchiveRefs;

  constructor(scope: Construct, props: ArchiveStackProps) {
    super(scope, props.env, 'archive');
    this.addAwsProvider();
  }
}
