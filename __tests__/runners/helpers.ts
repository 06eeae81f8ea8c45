import * as path from 'node:path';
import { App, TerraformStack, Testing } from 'cdktf';
import type { ArchiveRefs } from '../../lib/archive/refs';
import type { Environment } from '../../lib/config';
import type { GenesysRefs } from '../../lib/genesys-tenant/refs';
import { planBudget, type RateBudget } from '../../lib/ratelimits';
import { LoadRunners } from '../../lib/runners/runners';
import type { ReportJobsQueue } from '../../lib/runners/state-machine';
import type { IGrantable } from '../../lib/iam/policy';
import type { SynthesizedStack } from '../helpers/env';
import { runnersProps } from '../../stacks/runners-stack';

export const REPORT_FIXTURE = path.join(__dirname, 'fixtures', 'report-step.ts');

export const fakeArchive: ArchiveRefs = {
  keyArn: 'arn:aws:kms:us-east-1:111122223333:key/archive-key',
  recordings: { name: 'loadlab-example-recordings-111122223333', arn: 'arn:aws:s3:::loadlab-example-recordings-111122223333' },
  results: { name: 'loadlab-example-results-111122223333', arn: 'arn:aws:s3:::loadlab-example-results-111122223333' },
  analytics: { name: 'loadlab-example-reports-111122223333', arn: 'arn:aws:s3:::loadlab-example-reports-111122223333' },
  exportRoleArn: 'arn:aws:iam::111122223333:role/loadlab-example-genesys-recording-export',
};

const client = (purpose: string) => ({
  purpose,
  secretName: `loadlab/example/${purpose}`,
  secretsKeyAlias: 'alias/loadlab-example-secrets',
});

export function fakeGenesys(plan: RateBudget): GenesysRefs {
  return {
    orgId: '3b4e9a1c-2f0d-4c55-9a7e-1c2d3e4f5a6b',
    partnerEventSourceName: 'aws.partner/genesys.com/cloud/3b4e9a1c-2f0d-4c55-9a7e-1c2d3e4f5a6b/loadlab-example',
    runnerClients: Array.from({ length: plan.runnerClients }, (_, i) => client(`runner-${i}`)),
    metadataWorkerClient: client('metadata-worker'),
    reportWorkerClient: client('report-worker'),
    eventBridgeIntegrationId: 'integration-1',
    eventSourceSuffix: 'loadlab-example',
    roleIds: { runner: 'role-runner', metadataWorker: 'role-metadata', reportWorker: 'role-report' },
  };
}

export const fakeQueue = (): ReportJobsQueue & { granted: string[] } => {
  const granted: string[] = [];
  return {
    queueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/loadlab-example-report-jobs',
    queueArn: 'arn:aws:sqs:us-east-1:111122223333:loadlab-example-report-jobs',
    granted,
    grantSend(grantee: IGrantable) {
      granted.push(grantee.roleName);
      grantee.addToPolicy({ sid: 'SendReportJobs', actions: ['sqs:SendMessage'], resources: [this.queueArn] });
    },
  };
};

export interface Built {
  readonly runners: LoadRunners;
  readonly budget: RateBudget;
  readonly synth: string;
  readonly json: SynthesizedStack;
}

/** LoadRunners for an environment in a bare stack, with fake archive and genesys refs. */
export function buildRunners(env: Environment, options: { queue?: ReportJobsQueue } = {}): Built {
  const app: App = Testing.app();
  const stack = new TerraformStack(app, 'runners-test');
  const plan = planBudget(env.config);
  const runners = new LoadRunners(stack, 'runners', {
    ...runnersProps(env, plan),
    archive: fakeArchive,
    genesys: fakeGenesys(plan),
    reportJobs: options.queue,
    reportEntry: REPORT_FIXTURE,
  });
  const synth = Testing.synth(stack);
  return { runners, budget: plan, synth, json: JSON.parse(synth) as SynthesizedStack };
}

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

/** Every inline policy's statements, by the role resource it belongs to. */
export function policiesByRole(json: SynthesizedStack): Map<string, Statement[]> {
  const out = new Map<string, Statement[]>();
  for (const body of Object.values(json.resource?.aws_iam_role_policy ?? {})) {
    const role = String(body.role);
    const doc = JSON.parse(String(body.policy)) as { Statement: Statement[] };
    out.set(role, [...(out.get(role) ?? []), ...doc.Statement]);
  }
  return out;
}

/** The role resource name whose physical name is `name`. */
export function roleRef(json: SynthesizedStack, name: string): string {
  const entry = Object.entries(json.resource?.aws_iam_role ?? {}).find(([, body]) => body.name === name);
  if (!entry) throw new Error(`no role ${name}`);
  return `\${aws_iam_role.${entry[0]}.id}`;
}

/** The state machine definition of a synthesized stack. */
export function definitionOf(json: SynthesizedStack): any {
  const sm = Object.values(json.resource?.aws_sfn_state_machine ?? {});
  if (sm.length !== 1) throw new Error(`expected one state machine, got ${sm.length}`);
  return JSON.parse(String(sm[0].definition));
}
