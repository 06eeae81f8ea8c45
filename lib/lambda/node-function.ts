import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { ServiceRole } from '../iam/service-role';
import type { IGrantable, PolicyStatement } from '../iam/policy';
import { bundleHandler } from './bundle';
import { LAMBDA_RUNTIME } from './runtime';

export interface NodeFunctionProps {
  /** Physical name, e.g. `loadlab-example-metadata-worker`. */
  readonly functionName: string;
  readonly description: string;
  /** Absolute path of the TypeScript handler module; it must export `handler`. */
  readonly entry: string;
  readonly timeoutSec: number;
  /** Default 256. */
  readonly memoryMiB?: number;
  /** Always set: an unbounded worker could spend the whole rate budget. */
  readonly reservedConcurrency: number;
  readonly logRetentionDays: number;
  /** Plain configuration only: secrets are read from Secrets Manager at run time. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Encrypts environment variables at rest with this key. Default: the Lambda service key. */
  readonly kmsKeyArn?: string;
  /** Encrypts the function's log group with this key (its policy must let CloudWatch Logs use it). Default: AWS-owned keys. */
  readonly logsKmsKeyArn?: string;
  /** Extra tags, e.g. `loadlab-retrieval` for workers that call Genesys Cloud. */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A Node.js arm64 Lambda (`LAMBDA_RUNTIME`) bundled with esbuild, with its own log group (retention set, created
 * before the function so Lambda never creates an unbounded one), its own role that may write
 * only to that log group (and X-Ray traces), active tracing and reserved concurrency.
 */
export class NodeFunction extends Construct implements IGrantable {
  readonly fn: LambdaFunction;
  readonly role: ServiceRole;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    super(scope, id);
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logsKmsKeyArn,
    });
    this.role = new ServiceRole(this, 'role', {
      roleName: props.functionName,
      service: 'lambda.amazonaws.com',
      description: `Runs ${props.functionName}`,
    });
    this.role.addToPolicy({
      sid: 'WriteOwnLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`${this.logGroup.arn}:*`],
    });
    // Active tracing: each invocation leaves an X-Ray trace (Genesys calls, S3, SQS), billed per trace
    // recorded, so nothing while idle. Trace submission has no resource type: AWS accepts only "*".
    this.role.addToPolicy({
      sid: 'WriteTraces',
      actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
      resources: ['*'],
    });
    // A zip made (and cached) by bundleHandler, copied as a file: an ARCHIVE asset would be zipped
    // again by cdktf on every synth, in a child process per function.
    const bundle = bundleHandler(props.entry);
    const asset = new TerraformAsset(this, 'code', { path: bundle.zipFile, type: AssetType.FILE, assetHash: bundle.key.slice(0, 32) });
    this.fn = new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architectures: ['arm64'],
      handler: 'index.handler',
      filename: asset.path,
      sourceCodeHash: bundle.zipSha256,
      role: this.role.roleArn,
      timeout: props.timeoutSec,
      memorySize: props.memoryMiB ?? 256,
      reservedConcurrentExecutions: props.reservedConcurrency,
      kmsKeyArn: props.kmsKeyArn,
      // No variables, no block (an empty one would only add noise to the plan).
      environment: props.environment && Object.keys(props.environment).length > 0 ? { variables: { ...props.environment } } : undefined,
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name },
      tracingConfig: { mode: 'Active' },
      tags: props.tags ? { ...props.tags } : undefined,
      dependsOn: [this.logGroup],
    });
  }

  get roleArn(): string {
    return this.role.roleArn;
  }

  get roleName(): string {
    return this.role.roleName;
  }

  addToPolicy(statement: PolicyStatement): void {
    this.role.addToPolicy(statement);
  }
}
