import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ConfigError, describeIssue } from './errors';
import { awsAccountId, awsRegion } from './schema';
import { ENV_NAME_PATTERN } from './env-name';

/** The one CI-identities stack of an AWS account; the workflows and the secrets' policies name its roles. */
export const CI_STACK_NAME = 'loadlab-ci';

/** The four roles CI assumes through GitHub's OIDC provider (docs/security.md). */
export type CiRole = 'pr-plan' | 'main-plan' | 'deploy' | 'teardown';
export const CI_ROLES: readonly CiRole[] = ['pr-plan', 'main-plan', 'deploy', 'teardown'];

/** `loadlab-ci-deploy`: role names are fixed so other stacks can name them without reading this stack's state. */
export const ciRoleName = (role: CiRole): string => `${CI_STACK_NAME}-${role}`;

/** The GitHub environments the workflows use besides `loadlab-<named environment>`. */
export const CI_GITHUB_ENVIRONMENTS = {
  /** Plans of named environments and the janitor's search: main only, no reviewers, a view-only Genesys client. */
  plan: 'loadlab-plan',
  /** Deploys of `pr-*` environments: main only, required reviewers. */
  ephemeral: 'loadlab-ephemeral',
  /** PR teardown and the janitor: main only (base-branch code), no reviewers, no admin client. */
  teardown: 'loadlab-teardown',
} as const;

export const githubEnvironmentOf = (envName: string): string => `loadlab-${envName}`;

const ciIdentitiesSchema = z
  .object({
    /** `owner/repo` of the repository whose workflows assume the roles. */
    repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { message: 'must be owner/repo, e.g. example-org/genesys-loadlab' }),
    aws: z.object({ accountId: awsAccountId, region: awsRegion }).strict(),
    /** Create the account's GitHub OIDC provider (an account holds one per URL). Default true; false finds the existing one. */
    createOidcProvider: z.boolean().default(true),
    /** The S3 backend every environment of this account uses (`backend` in the environment files). */
    state: z
      .object({
        bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'must be an S3 bucket name' }),
        keyPrefix: z
          .string()
          .regex(/^[A-Za-z0-9/_.-]+$/)
          .default('genesys-loadlab'),
        /** The state bucket's KMS key (state is always encrypted). */
        kmsKeyArn: z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/, { message: 'must be a KMS key ARN' }),
      })
      .strict(),
    /** Named environments deployed from main; each gets the GitHub environment `loadlab-<name>` in the deploy role's trust. */
    environments: z
      .array(z.string().regex(ENV_NAME_PATTERN, { message: 'must be an environment name (lower-case letters, digits, -)' }))
      .min(1)
      .refine((names) => !names.some((n) => n.startsWith('pr-')), {
        message: 'must not name pr-* environments (loadlab-ephemeral deploys them)',
      }),
  })
  .strict();

export type CiIdentitiesConfig = z.infer<typeof ciIdentitiesSchema>;

/** Folder of the CI-identities files (`ci-identities/<name>.json`); LOADLAB_CI_DIR overrides it for tests. */
const ciDir = (): string => process.env.LOADLAB_CI_DIR ?? path.resolve(__dirname, '..', '..', 'ci-identities');

/** Reads and validates `ci-identities/<name>.json`; every problem is one line naming the field. */
export function loadCiIdentities(name: string): { config: CiIdentitiesConfig; sourceFile: string } {
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(name))
    throw new ConfigError([`--ci ${JSON.stringify(name)}: must be a file name in ci-identities/ without .json, e.g. example`]);
  const sourceFile = path.join(ciDir(), `${name}.json`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(sourceFile, 'utf8'));
  } catch (err) {
    throw new ConfigError([
      `${sourceFile}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found; copy ci-identities/example.json' : `not valid JSON (${(err as Error).message})`}`,
    ]);
  }
  const result = ciIdentitiesSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => `${sourceFile}: ${describeIssue(issue, raw)}`));
  return { config: result.data, sourceFile };
}
