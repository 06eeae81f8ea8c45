/**
 * Teardown planning: which `cdktf destroy` commands tear an environment down. Pure, so the
 * safety rules (never an archive stack, runners before genesys) are unit-tested; the CLI and
 * the janitor only spawn what this returns.
 */
import { ENV_NAME_PATTERN, ENV_NAME_RULE } from '../../lib/config/env-name';

/** The stacks a teardown may destroy, in the order it destroys them (dependents first). */
export const DESTROYABLE_ROLES = ['runners', 'genesys'] as const;
export type DestroyableRole = (typeof DESTROYABLE_ROLES)[number];

/** A refused or malformed teardown request; `message` says what to do instead. */
export class DestroyRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DestroyRefused';
  }
}

export interface DestroyRequest {
  /** The environment to tear down (`LOADLAB_ENV`). */
  readonly env: string;
  /** Stack names to destroy. Default: `<env>-runners` and `<env>-genesys`. */
  readonly stacks?: readonly string[];
  /** Pass `--auto-approve` (no interactive prompt). Default false. */
  readonly autoApprove?: boolean;
  /** Base environment of a `pr-*` environment, passed on as `LOADLAB_BASE_ENV`. */
  readonly baseEnv?: string;
  /** `LOADLAB_CREATED_AT` to synthesize with (keeps `expires-at` equal to the deployed tag). */
  readonly createdAt?: string;
  /**
   * Stacks known to have state. When given, stacks without state are skipped (nothing to
   * destroy); when omitted every requested stack is destroyed.
   */
  readonly deployedStacks?: readonly string[];
}

export interface DestroyCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** Extra environment variables for the child process. */
  readonly env: Readonly<Record<string, string>>;
}

export interface DestroyPlan {
  readonly env: string;
  /** Stacks destroyed, in order. Empty when nothing is deployed. */
  readonly stacks: readonly string[];
  /** Requested stacks skipped because they have no state. */
  readonly skipped: readonly string[];
  /** Empty when there is nothing to destroy. */
  readonly commands: readonly DestroyCommand[];
}

/** The message for any attempt to destroy an archive stack. */
export function archiveRefusal(stack: string): string {
  const env = stack.replace(/-archive$/, '');
  return [
    `refusing to destroy ${stack}: archive stacks are durable.`,
    `It holds the recordings, results and analytics buckets and their KMS key; every bucket and key carries prevent_destroy, so Terraform would refuse anyway.`,
    `To tear down the test environment, run: npm run destroy -- --env ${env}`,
    `To retire the archive deliberately: empty and export what you need, remove the lifecycle.prevent_destroy of each bucket and key in lib/archive/ in a reviewed pull request,`,
    `then run LOADLAB_ENV=${env} npx cdktf destroy ${stack} by hand. No workflow or script here does it for you.`,
  ].join('\n');
}

/** Builds the destroy commands for an environment, refusing archive stacks and foreign stacks. */
export function planDestroy(request: DestroyRequest): DestroyPlan {
  const env = request.env?.trim() ?? '';
  if (!ENV_NAME_PATTERN.test(env)) {
    throw new DestroyRefused(`--env must be an environment name: ${ENV_NAME_RULE} (got ${JSON.stringify(request.env)})`);
  }
  if (env.endsWith('-archive')) {
    // `--env example-archive` is almost certainly a stack name typed as an environment.
    throw new DestroyRefused(archiveRefusal(env));
  }
  const allowed = DESTROYABLE_ROLES.map((role) => `${env}-${role}`);
  const requested = request.stacks && request.stacks.length > 0 ? request.stacks.map((s) => s.trim()) : allowed;
  for (const stack of requested) {
    if (/-archive$/.test(stack)) throw new DestroyRefused(archiveRefusal(stack));
    if (!allowed.includes(stack)) {
      throw new DestroyRefused(`--stack ${stack} is not a stack of environment ${env}; choose from ${allowed.join(', ')}`);
    }
  }
  // Dependents first: the runners stack reads the genesys stack's outputs.
  const ordered = allowed.filter((s) => requested.includes(s));
  const deployed = request.deployedStacks;
  const stacks = deployed ? ordered.filter((s) => deployed.includes(s)) : ordered;
  const skipped = ordered.filter((s) => !stacks.includes(s));
  // cdktf refuses to destroy a stack without the stacks that read it; that is only safe to
  // override when the reader (runners) is known to have no state.
  const [runners, genesys] = allowed;
  const runnersUndeployed = deployed !== undefined && !deployed.includes(runners);
  if (stacks.includes(genesys) && !stacks.includes(runners) && !runnersUndeployed) {
    throw new DestroyRefused(
      `--stack ${genesys} alone would leave ${runners} reading outputs that no longer exist; destroy both (omit --stack) or ${runners} first`,
    );
  }
  const childEnv: Record<string, string> = { LOADLAB_ENV: env, CHECKPOINT_DISABLE: '1' };
  if (request.baseEnv) childEnv.LOADLAB_BASE_ENV = request.baseEnv;
  if (request.createdAt) childEnv.LOADLAB_CREATED_AT = request.createdAt;
  const args = ['cdktf', 'destroy', ...stacks];
  if (request.autoApprove) args.push('--auto-approve');
  if (stacks.includes(genesys) && !stacks.includes(runners)) args.push('--ignore-missing-stack-dependencies');
  return { env, stacks, skipped, commands: stacks.length ? [{ command: 'npx', args, env: childEnv }] : [] };
}

/** A copy-pasteable shell rendering of a command (for `--dry-run` and logs). */
export function renderCommand(command: DestroyCommand): string {
  const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const vars = Object.entries(command.env).map(([k, v]) => `${k}=${quote(v)}`);
  return [...vars, command.command, ...command.args].map((part, i) => (i < vars.length ? part : quote(part))).join(' ');
}
