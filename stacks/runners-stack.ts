import type { Construct } from 'constructs';
import type { Environment } from '../lib/config';
import type { BudgetPlan } from '../lib/ratelimits';
import type { ArchiveRefs } from '../lib/archive/refs';
import { archiveRefsFor } from '../lib/archive/shared-archive';
import { EventPipeline } from '../lib/pipeline';
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
  /** Partner event bus -> SQS -> metadata worker, and the report-jobs queue and worker (`pipeline.reportJobsQueue`). */
  readonly pipeline: EventPipeline;

  constructor(scope: Construct, props: RunnersStackProps) {
    super(scope, props.env, 'runners');
    this.addAwsProvider();
    this.pipeline = new EventPipeline(this, 'pipeline', {
      env: props.env,
      plan: props.plan,
      genesys: props.genesys.refs,
      archive: archiveRefsFor(this, props.env, props.archive),
    });
  }
}
