import type { Construct } from 'constructs';
import type { Environment } from '../lib/config';
import type { BudgetPlan } from '../lib/ratelimits';
import type { ArchiveRefs } from '../lib/archive/refs';
import { LoadlabStack } from './loadlab-stack';
import type { GenesysStack } from './genesys-stack';

export interface RunnersStackProps {
  readonly env: Environment;
  readonly plan: BudgetPlan;
  readonly archive?: ArchiveRefs;
  readonly genesys: GenesysStack;
}

/** `<env>-runners`: ephemeral compute and the event pipeline; nothing here costs money while idle. */
export class RunnersStack extends LoadlabStack {
  constructor(scope: Construct, props: RunnersStackProps) {
    super(scope, props.env, 'runners');
    this.addAwsProvider();
  }
}
