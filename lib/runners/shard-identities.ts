import { Construct } from 'constructs';
import { grantArchiveRead, grantArchiveWrite } from '../archive/grants';
import { ARCHIVE_PREFIXES, type ArchiveRefs } from '../archive/refs';
import type { OAuthClientRef } from '../genesys-tenant/refs';
import { ServiceRole } from '../iam/service-role';
import type { RunnerClientSlot } from '../ratelimits';
import { ClientSecretLookup } from '../secrets/client-secret-lookup';
import { awsPartitionOf } from '../config/regions';
import { testIdPrefix, type RunnerNames } from './naming';

export interface ShardIdentitiesProps {
  readonly envName: string;
  readonly names: RunnerNames;
  readonly region: string;
  readonly accountId: string;
  /** One per runner OAuth client, from the rate budget (`runnerClientSlots(plan)`). */
  readonly slots: readonly RunnerClientSlot[];
  /** The runner OAuth clients the genesys stack created, indexed like `slots[].index`. */
  readonly clients: readonly OAuthClientRef[];
  readonly archive: ArchiveRefs;
}

/** What a shard runs as: its OAuth client's secret and a task role that can read only that secret. */
export interface ShardIdentity {
  readonly slot: RunnerClientSlot;
  readonly secret: ClientSecretLookup;
  readonly role: ServiceRole;
}

/**
 * One secret and one ECS task role per runner OAuth client. One task definition serves every
 * shard, so a task role on it could only be scoped to all runner secrets at once; instead the
 * state machine starts each shard with its own role (RunTask `overrides.taskRoleArn`), and
 * that role may read exactly one secret, the test's plan, and write only under its own shard
 * folder of this environment's tests (`results/<env>_*\/shards/<n>/`).
 */
export class ShardIdentities extends Construct {
  readonly shards: readonly ShardIdentity[];

  constructor(scope: Construct, id: string, props: ShardIdentitiesProps) {
    super(scope, id);
    const { names, region, accountId, archive } = props;
    if (props.clients.length < props.slots.length) {
      throw new Error(
        `the genesys stack provides ${props.clients.length} runner OAuth clients but the rate budget needs ${props.slots.length} (one per shard)`,
      );
    }
    const partition = awsPartitionOf(region);
    // Test ids are `<env>_…`; env names never contain `_`, so this matches only this environment's tests.
    const tests = `${testIdPrefix(props.envName)}*`;
    this.shards = props.slots.map((slot) => {
      const client = props.clients[slot.index];
      // The genesys stack writes the secret (under its own key); found here by name.
      const secret = new ClientSecretLookup(this, `secret-${slot.index}`, { client, region });
      const role = new ServiceRole(this, `role-${slot.index}`, {
        roleName: names.shardRole(slot.index),
        service: 'ecs-tasks.amazonaws.com',
        description: `JMeter shard ${slot.shard} of scenario ${slot.scenario} (runner OAuth client ${slot.index})`,
        // Only tasks of this environment's runners cluster may assume it (confused-deputy guard).
        sourceAccount: accountId,
        sourceArn: `arn:${partition}:ecs:${region}:${accountId}:task/${names.cluster}/*`,
      });
      secret.grantRead(role);
      // The test's plan (no listing: the entrypoint knows its keys), and its own shard folder.
      grantArchiveRead(
        role,
        archive,
        'results',
        { prefix: ARCHIVE_PREFIXES.results, keys: [`${tests}/plan/*`], name: 'TestPlans' },
        { list: false },
      );
      grantArchiveWrite(role, archive, 'results', {
        prefix: ARCHIVE_PREFIXES.results,
        keys: [`${tests}/shards/${slot.shard}/*`],
        name: 'OwnShardResults',
      });
      return { slot, secret, role };
    });
  }

  /** The task role ARNs the state machine may pass to ECS. */
  get roleArns(): string[] {
    return this.shards.map((s) => s.role.roleArn);
  }

  /** The shards of one scenario, in shard order. */
  ofScenario(name: string): ShardIdentity[] {
    return this.shards.filter((s) => s.slot.scenario === name).sort((a, b) => a.slot.shard - b.slot.shard);
  }
}
