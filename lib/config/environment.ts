import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ENV_NAME_PATTERN, ENV_NAME_RULE } from './env-name';
import { ConfigError, describeIssue } from './errors';
import { environmentSchema, type EnvironmentFile } from './schema';
import { genesysApiBase, genesysAwsAccount, genesysLoginBase, FEDRAMP_REGION } from './regions';

/** The folder holding `<name>.json` environment files. */
export const ENVIRONMENTS_DIR = path.resolve(__dirname, '..', '..', 'environments');

/** Ephemeral environments are named `pr-<number>` and derive from a base file. */
export const EPHEMERAL_NAME = /^pr-(\d{1,8})$/;

/**
 * A validated environment plus everything derived from it once, so no stack recomputes
 * names, tags or regions on its own.
 */
export interface Environment {
  readonly name: string;
  readonly config: EnvironmentFile;
  /** The file the values came from (for messages). */
  readonly sourceFile: string;
  /** Set for `pr-*` environments: the base environment they derive from. */
  readonly ephemeral?: { readonly baseName: string; readonly expiresAt: string };
  readonly stackNames: { readonly archive: string; readonly genesys: string; readonly runners: string };
  /** Prefix for every physical name (`loadlab-<env>`), so environments coexist in one account and org. */
  readonly resourcePrefix: string;
  /** The environment whose archive stack holds this environment's data. */
  readonly archiveOwner: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly genesys: {
    readonly apiBase: string;
    readonly loginBase: string;
    readonly fedramp: boolean;
    /** The AWS account Genesys Cloud assumes IAM roles from. */
    readonly awsAccountId: string;
    readonly eventSourceSuffix: string;
  };
}

export interface LoadOptions {
  /** Folder of environment files. Default: `LOADLAB_ENV_DIR`, else the repository's `environments/`. */
  readonly dir?: string;
  /** Fixes "now" for `expires-at` (tests). Default: `LOADLAB_CREATED_AT` or the current hour. */
  readonly now?: Date;
  /** Base of a `pr-*` environment. Default: `LOADLAB_BASE_ENV` or `example`. */
  readonly baseName?: string;
  /** Where the name came from, so a message names what the user typed. Default `LOADLAB_ENV`. */
  readonly nameFrom?: string;
}

/** The folder environment files are read from: `LOADLAB_ENV_DIR` when set (tests, scratch copies), else `environments/`. */
export function environmentsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LOADLAB_ENV_DIR?.trim() ? path.resolve(env.LOADLAB_ENV_DIR.trim()) : ENVIRONMENTS_DIR;
}

/** Reads the environment name from `LOADLAB_ENV` (default `example`). */
export function selectedEnvironmentName(env: NodeJS.ProcessEnv = process.env): string {
  return env.LOADLAB_ENV?.trim() || 'example';
}

/** The environment a command's `--env` names, else `LOADLAB_ENV`'s; errors name whichever was used. */
export function loadSelectedEnvironment(flag: string | undefined, options: LoadOptions = {}): Environment {
  return flag !== undefined
    ? loadEnvironment(flag, { ...options, nameFrom: '--env' })
    : loadEnvironment(selectedEnvironmentName(), { ...options, nameFrom: 'LOADLAB_ENV' });
}

function readJson(file: string, label: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`${label}: not valid JSON (${(err as Error).message}); fix the syntax`]);
  }
}

function available(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json') && !f.startsWith('_'))
        .map((f) => f.replace(/\.json$/, ''))
        .sort()
    : [];
}

/** Validates raw environment JSON; `label` prefixes every problem (usually the file path). */
export function parseEnvironmentFile(raw: unknown, label: string): EnvironmentFile {
  const result = environmentSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${label}: ${describeIssue(issue, raw)}`));
  }
  return result.data;
}

const hourFloor = (d: Date): Date => new Date(Math.floor(d.getTime() / 3_600_000) * 3_600_000);

/**
 * Loads, validates and resolves an environment. `pr-<n>` without a file of its own derives from
 * the base environment: its own name (so every physical name is unique), the base's archive
 * (so tearing it down never touches archived data) and an `expires-at` tag.
 * Throws ConfigError listing every problem.
 */
export function loadEnvironment(name: string, options: LoadOptions = {}): Environment {
  const dir = options.dir ?? environmentsDir();
  const relDir = path.relative(process.cwd(), dir) || '.';
  if (!ENV_NAME_PATTERN.test(name)) {
    throw new ConfigError([`${options.nameFrom ?? 'LOADLAB_ENV'} must be ${ENV_NAME_RULE} (got ${JSON.stringify(name)})`]);
  }
  const ownFile = path.join(dir, `${name}.json`);
  const ephemeralMatch = EPHEMERAL_NAME.exec(name);
  let file = ownFile;
  let raw: unknown;
  let baseName: string | undefined;
  if (existsSync(ownFile)) {
    raw = readJson(ownFile, path.join(relDir, `${name}.json`));
  } else if (ephemeralMatch) {
    baseName = options.baseName ?? (process.env.LOADLAB_BASE_ENV?.trim() || 'example');
    file = path.join(dir, `${baseName}.json`);
    if (!existsSync(file)) {
      throw new ConfigError([
        `LOADLAB_BASE_ENV: no base environment ${baseName} for ${name} (${path.join(relDir, `${baseName}.json`)} does not exist; available: ${available(dir).join(', ') || 'none'})`,
      ]);
    }
    const base = readJson(file, path.join(relDir, `${baseName}.json`));
    raw = derivePullRequestEnvironment(base, name, baseName);
  } else {
    const others = available(dir);
    const target = path.join(relDir, `${name}.json`);
    // Say how to add one: a newcomer's first `--env staging` lands here.
    const fix = others.length
      ? `to add it, copy ${path.join(relDir, `${others.includes('example') ? 'example' : others[0]}.json`)} to ${target} and set "name": "${name}"`
      : `to add it, write ${target} (fields: docs/configuration.md)`;
    throw new ConfigError([
      `${options.nameFrom ?? 'LOADLAB_ENV'}: no environment ${name} (${target} does not exist; available: ${others.join(', ') || 'none'}, or pr-<number> for an ephemeral one); ${fix}`,
    ]);
  }
  const label = path.join(relDir, path.basename(file));
  const config = parseEnvironmentFile(raw, label);
  if (config.name !== name) {
    throw new ConfigError([`${label}: name must equal the file name ${JSON.stringify(name)} (got ${JSON.stringify(config.name)})`]);
  }
  if (config.archive.shareFrom) checkSharedArchiveOwner(config, label, dir, relDir);
  return resolveEnvironment(config, label, ephemeralMatch ? (baseName ?? config.archive.shareFrom ?? name) : undefined, options.now);
}

/**
 * An environment that uses another's archive finds it by name in its own AWS account and region
 * (data sources), and Genesys exports into it through a role whose ExternalId is the owner's org
 * id: so the owner must exist, own its archive, and share account, region and org.
 */
function checkSharedArchiveOwner(config: EnvironmentFile, label: string, dir: string, relDir: string): void {
  const owner = config.archive.shareFrom!;
  const ownerLabel = path.join(relDir, `${owner}.json`);
  const ownerFile = path.join(dir, `${owner}.json`);
  if (!existsSync(ownerFile)) {
    throw new ConfigError([
      `${label}: archive.shareFrom names environment ${owner}, but ${ownerLabel} does not exist (available: ${available(dir).join(', ') || 'none'}); name the environment whose archive stack holds the data, or remove archive.shareFrom`,
    ]);
  }
  const ownerConfig = parseEnvironmentFile(readJson(ownerFile, ownerLabel), ownerLabel);
  const problems: string[] = [];
  if (ownerConfig.archive.shareFrom) {
    problems.push(
      `${label}: archive.shareFrom must name an environment with its own archive, but ${owner} shares ${ownerConfig.archive.shareFrom}'s; set archive.shareFrom to ${ownerConfig.archive.shareFrom}`,
    );
  }
  const same: [string, string, string][] = [
    ['aws.accountId', config.aws.accountId, ownerConfig.aws.accountId],
    ['aws.region', config.aws.region, ownerConfig.aws.region],
    ['genesys.orgId', config.genesys.orgId, ownerConfig.genesys.orgId],
  ];
  for (const [field, mine, theirs] of same) {
    if (mine !== theirs) {
      problems.push(
        `${label}: ${field} must equal ${owner}'s (${theirs}) to use its archive through archive.shareFrom (got ${mine}); use the same value, or remove archive.shareFrom to create this environment's own archive`,
      );
    }
  }
  if (problems.length) throw new ConfigError(problems);
}

/** A `pr-<n>` environment: the base file with its own name and the base's archive. */
export function derivePullRequestEnvironment(base: unknown, name: string, baseName: string): unknown {
  if (base === null || typeof base !== 'object' || Array.isArray(base)) return base; // validation reports it
  const b = base as Record<string, unknown>;
  const archive = (b.archive && typeof b.archive === 'object' ? b.archive : {}) as Record<string, unknown>;
  const backend = b.backend as Record<string, unknown> | undefined;
  return {
    ...b,
    name,
    // Share the base archive unless the base itself shares one.
    archive: { ...archive, shareFrom: (archive.shareFrom as string | undefined) ?? baseName },
    backend,
    genesys: {
      ...(b.genesys as object),
      eventBridge: { ...((b.genesys as Record<string, unknown>)?.eventBridge as object), eventSourceSuffix: undefined },
    },
  };
}

export function resolveEnvironment(config: EnvironmentFile, sourceFile: string, ephemeralBase?: string, now?: Date): Environment {
  const name = config.name;
  const created = now ?? (process.env.LOADLAB_CREATED_AT ? new Date(process.env.LOADLAB_CREATED_AT) : hourFloor(new Date()));
  if (Number.isNaN(created.getTime())) {
    throw new ConfigError([
      `LOADLAB_CREATED_AT must be an ISO date such as 2026-11-23T10:00:00Z (got ${JSON.stringify(process.env.LOADLAB_CREATED_AT)})`,
    ]);
  }
  const ephemeral = ephemeralBase
    ? { baseName: ephemeralBase, expiresAt: new Date(created.getTime() + config.ephemeral.ttlHours * 3_600_000).toISOString() }
    : undefined;
  const suffix = config.genesys.eventBridge.eventSourceSuffix ?? `loadlab-${name}`;
  const tags: Record<string, string> = { project: 'genesys-loadlab', environment: name, owner: config.owner };
  if (ephemeral) tags['expires-at'] = ephemeral.expiresAt;
  return {
    name,
    config,
    sourceFile,
    ephemeral,
    stackNames: { archive: `${name}-archive`, genesys: `${name}-genesys`, runners: `${name}-runners` },
    resourcePrefix: `loadlab-${name}`,
    archiveOwner: config.archive.shareFrom ?? name,
    tags,
    genesys: {
      apiBase: genesysApiBase(config.genesys.region),
      loginBase: genesysLoginBase(config.genesys.region),
      fedramp: config.genesys.region === FEDRAMP_REGION,
      awsAccountId: genesysAwsAccount(config.genesys.region),
      eventSourceSuffix: suffix,
    },
  };
}
