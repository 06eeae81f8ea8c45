/**
 * The parts of Terraform's machine-readable plan (`terraform show -json <planfile>`) that the
 * plan summary reads, and a validator that turns anything else into a clear error.
 * Format: https://developer.hashicorp.com/terraform/internals/json-format
 */

export type ChangeAction = 'no-op' | 'create' | 'read' | 'update' | 'delete' | 'forget';

export interface ResourceChange {
  readonly address: string;
  readonly previous_address?: string;
  readonly module_address?: string;
  readonly mode?: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly index?: string | number;
  readonly action_reason?: string;
  readonly change: {
    readonly actions: readonly ChangeAction[];
    readonly before?: unknown;
    readonly after?: unknown;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
    readonly replace_paths?: readonly (readonly (string | number)[])[];
    readonly importing?: { readonly id?: string } | null;
  };
}

export interface OutputChange {
  readonly actions: readonly ChangeAction[];
  readonly sensitive?: boolean;
}

export interface TerraformPlanJson {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly errored?: boolean;
  readonly resource_changes?: readonly ResourceChange[];
  readonly resource_drift?: readonly ResourceChange[];
  readonly output_changes?: Readonly<Record<string, OutputChange>>;
  readonly configuration?: unknown;
  readonly planned_values?: unknown;
}

/** A document that is not a Terraform JSON plan; the message names the file and the fix. */
export class PlanFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanFormatError';
  }
}

const KNOWN_ACTIONS = new Set<string>(['no-op', 'create', 'read', 'update', 'delete', 'forget']);

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Checks the shape the summary relies on; `label` (usually the file) prefixes every message. */
export function parsePlanJson(raw: unknown, label: string): TerraformPlanJson {
  const hint = 'produce it with: terraform show -json <planfile> > plan.json';
  if (!isRecord(raw)) throw new PlanFormatError(`${label}: not a Terraform JSON plan (expected an object); ${hint}`);
  if (typeof raw.format_version !== 'string') {
    throw new PlanFormatError(`${label}: not a Terraform JSON plan (format_version is missing); ${hint}`);
  }
  const major = Number(raw.format_version.split('.')[0]);
  if (major !== 1) {
    throw new PlanFormatError(`${label}: format_version ${raw.format_version} is not supported (expected 1.x); use Terraform >= 1.0`);
  }
  if (!('planned_values' in raw) && !('resource_changes' in raw) && 'values' in raw) {
    throw new PlanFormatError(`${label}: this is a state, not a plan (terraform show -json without a plan file); ${hint}`);
  }
  for (const key of ['resource_changes', 'resource_drift'] as const) {
    const list = raw[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new PlanFormatError(`${label}: ${key} must be an array`);
    list.forEach((rc, i) => {
      const where = `${label}: ${key}[${i}]`;
      if (!isRecord(rc) || typeof rc.address !== 'string' || typeof rc.type !== 'string') {
        throw new PlanFormatError(`${where} must have an address and a type`);
      }
      if (!isRecord(rc.change) || !Array.isArray(rc.change.actions) || rc.change.actions.length === 0) {
        throw new PlanFormatError(`${where} (${rc.address}): change.actions must be a non-empty array`);
      }
      for (const action of rc.change.actions) {
        if (typeof action !== 'string' || !KNOWN_ACTIONS.has(action)) {
          throw new PlanFormatError(
            `${where} (${rc.address}): unknown action ${JSON.stringify(action)}; expected one of ${[...KNOWN_ACTIONS].join(', ')}`,
          );
        }
      }
    });
  }
  if (raw.output_changes !== undefined && !isRecord(raw.output_changes)) {
    throw new PlanFormatError(`${label}: output_changes must be an object`);
  }
  return raw as unknown as TerraformPlanJson;
}
