import { Construct } from 'constructs';
import { ciRoleName, awsPartitionOf, type Environment } from '../config';
import { runnerClientSlots, type RateBudget } from '../ratelimits';
import { runnerNames } from '../runners/naming';
import { OAuthClientSecret } from '../secrets/oauth-client-secret';
import { SecretsKey } from '../secrets/secrets-key';
import { clientSecretName, secretsKeyAlias } from '../secrets/names';
import { ClientCredentialsClient } from './oauth-client';
import { planRoles, ROLE_SUFFIX, roleName, type Caller, type RolePlan } from './permissions';
import type { OAuthClientRef } from './refs';
import { GenesysRole } from './role';

export interface GenesysTenantProps {
  readonly env: Environment;
  readonly budget: RateBudget;
  /** Divisions the clients' roles are bound to (the environment's, else the home division). */
  readonly divisionIds: readonly string[];
}

const ROLE_PURPOSE: Readonly<Record<Caller, string>> = {
  runner: 'load runners: the endpoints of the environment scenarios',
  metadataWorker: 'metadata worker: recording metadata fetched from conversation events',
  reportWorker: 'report worker: analytics details jobs, rate-limit and OAuth client usage telemetry',
};

/** A client with its secret and the one role that reads it at run time. */
interface ClientSpec {
  readonly id: string;
  readonly purpose: string;
  readonly caller: Caller;
  readonly what: string;
  readonly validitySec: number;
  readonly readerRoleName: string;
}

/**
 * An environment's identity in Genesys Cloud: least-privilege roles, one OAuth client per runner
 * shard and worker (sized by the rate budget), and each client's credentials in Secrets Manager
 * under the environment's secrets key. The secrets are written here, beside the clients, so each
 * client secret lives in exactly one state file; other stacks find them by name (`clientRefs`).
 */
export class GenesysTenant extends Construct {
  readonly rolePlans: Record<Caller, RolePlan>;
  readonly roles: Record<Caller, GenesysRole>;
  readonly runnerClients: readonly ClientCredentialsClient[];
  readonly metadataWorkerClient: ClientCredentialsClient;
  readonly reportWorkerClient: ClientCredentialsClient;
  readonly secretsKey: SecretsKey;
  /** One per client, keyed by purpose (`runner-0`, `metadata-worker`, `report-worker`). */
  readonly secrets: ReadonlyMap<string, OAuthClientSecret>;
  private readonly envName: string;
  private readonly resourcePrefix: string;

  constructor(scope: Construct, id: string, props: GenesysTenantProps) {
    super(scope, id);
    const { env } = props;
    const { config, resourcePrefix: prefix } = env;
    this.envName = env.name;
    this.resourcePrefix = prefix;
    this.rolePlans = planRoles(config, env.sourceFile);
    const role = (caller: Caller) =>
      new GenesysRole(this, `role-${ROLE_SUFFIX[caller]}`, {
        name: roleName(prefix, caller),
        description: `genesys-loadlab ${env.name}, ${ROLE_PURPOSE[caller]}. Managed by Terraform.`,
        policies: this.rolePlans[caller].policies,
      });
    this.roles = {
      runner: role('runner'),
      metadataWorker: role('metadataWorker'),
      reportWorker: role('reportWorker'),
    };

    const specs = clientSpecs(props.env, props.budget);
    const partition = awsPartitionOf(config.aws.region);
    const roleArn = (name: string) => `arn:${partition}:iam::${config.aws.accountId}:role/${name}`;
    const terraformRoleArns = [
      ...(['deploy', 'main-plan', 'teardown'] as const).map((r) => roleArn(ciRoleName(r))),
      ...config.aws.terraformPrincipalArns,
    ];
    this.secretsKey = new SecretsKey(this, 'secrets-key', {
      resourcePrefix: prefix,
      accountId: config.aws.accountId,
      region: config.aws.region,
      alias: secretsKeyAlias(prefix),
      readerRoleArns: specs.map((s) => roleArn(s.readerRoleName)),
      terraformRoleArns,
    });
    const secrets = new Map<string, OAuthClientSecret>();
    const clients = specs.map((spec) => {
      const client = new ClientCredentialsClient(this, spec.id, {
        name: `${prefix}-${spec.purpose}`,
        purpose: spec.purpose,
        description: `genesys-loadlab ${env.name}: ${spec.what}. Managed by Terraform.`,
        divisionIds: props.divisionIds,
        accessTokenValiditySec: spec.validitySec,
        roles: [this.roles[spec.caller]],
      });
      secrets.set(
        spec.purpose,
        new OAuthClientSecret(this, `${spec.id}-secret`, {
          secretName: clientSecretName(env.name, spec.purpose),
          purpose: spec.purpose,
          clientId: client.clientId,
          clientSecret: client.clientSecret,
          kmsKeyArn: this.secretsKey.arn,
          accountId: config.aws.accountId,
          region: config.aws.region,
          readerRoleArn: roleArn(spec.readerRoleName),
          terraformRoleArns,
        }),
      );
      return client;
    });
    this.secrets = secrets;
    this.runnerClients = clients.slice(0, -2);
    [this.metadataWorkerClient, this.reportWorkerClient] = clients.slice(-2);
  }

  /** How other stacks find a client's secret: by name, never by reference into this stack. */
  clientRef(client: ClientCredentialsClient): OAuthClientRef {
    return {
      purpose: client.purpose,
      secretName: clientSecretName(this.envName, client.purpose),
      secretsKeyAlias: secretsKeyAlias(this.resourcePrefix),
    };
  }
}

/** Runner clients in pool order (the runners stack hands client i to slot i), then the two workers. */
function clientSpecs(env: Environment, plan: RateBudget): ClientSpec[] {
  const tokens = env.config.genesys.tokenValiditySec;
  const slots = runnerClientSlots(plan);
  if (slots.length !== plan.runnerClients || slots.some((slot, i) => slot.index !== i)) {
    throw new Error(
      `rate budget of ${env.name}: ${plan.runnerClients} runner clients but ${slots.length} shard slots; the planner and runnerClientSlots disagree`,
    );
  }
  const names = runnerNames(env.name, env.resourcePrefix);
  return [
    ...slots.map((slot) => ({
      id: `runner-client-${slot.index}`,
      purpose: `runner-${slot.index}`,
      caller: 'runner' as const,
      what: `load runner ${slot.index} (scenario ${slot.scenario}, shard ${slot.shard})`,
      validitySec: tokens.runner,
      readerRoleName: names.shardRole(slot.index),
    })),
    {
      id: 'metadata-worker-client',
      purpose: 'metadata-worker',
      caller: 'metadataWorker',
      what: 'metadata worker',
      validitySec: tokens.worker,
      readerRoleName: `${env.resourcePrefix}-metadata-worker`,
    },
    {
      id: 'report-worker-client',
      purpose: 'report-worker',
      caller: 'reportWorker',
      what: 'report worker',
      validitySec: tokens.worker,
      readerRoleName: `${env.resourcePrefix}-report-jobs`,
    },
  ];
}
