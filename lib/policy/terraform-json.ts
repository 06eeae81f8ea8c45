/**
 * The one engine that reads synthesized Terraform JSON, shared by the policy rules (lib/policy)
 * and the synth guards (lib/guards): a walker over a stack's resources and every string in a
 * value, and one reference resolver. cdktf renders a reference to another resource as
 * `${type.name.attr}` inside a string (in the same stack), and a reference to another stack's
 * resource as `${data.terraform_remote_state.<ref>.outputs.<output>}` once the stack is prepared;
 * both are read here, nowhere else.
 */

/** Synthesized Terraform JSON of one stack, as `cdktf synth` writes it. */
export interface StackJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, Record<string, unknown>>;
  provider?: Record<string, Record<string, unknown>[]>;
  terraform?: Record<string, unknown>;
}

export interface Resource {
  readonly type: string;
  readonly name: string;
  readonly address: string;
  readonly body: Record<string, unknown>;
}

/** The resources of a stack (of one type when given), in document order. */
export function resources(json: { resource?: unknown }, type?: string): Resource[] {
  const all = (json.resource ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  return Object.entries(all)
    .filter(([t]) => type === undefined || t === type)
    .flatMap(([t, byName]) => Object.entries(byName).map(([name, body]) => ({ type: t, name, address: `${t}.${name}`, body })));
}

/** Every string anywhere in a JSON value, with its path (`a.b[0].c`). */
export function* strings(value: unknown, path = ''): Generator<{ path: string; value: string }> {
  if (typeof value === 'string') yield { path, value };
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, `${path}[${i}]`);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* strings(v, path ? `${path}.${k}` : k);
}

/**
 * A reference to a resource or data source. `type` is `data.<type>` for data sources; a
 * reference to another stack is `data.terraform_remote_state` with `output` set.
 */
export interface Ref {
  readonly type: string;
  readonly name: string;
  /** The output of another stack a remote-state reference reads. */
  readonly output?: string;
}

const EXPRESSION = /\$\{([^}]*)\}/g;
// An address inside an expression: not preceded by a word character or a dot (so `a.b.c` yields `a.b`).
const ADDRESS = /(?<![\w.])(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)(?:\.outputs\.([A-Za-z0-9_-]+))?/g;

/** Every reference anywhere in a JSON value (strings, nested objects, JSON documents in strings). */
export function refsIn(value: unknown): Ref[] {
  const refs: Ref[] = [];
  for (const s of strings(value)) {
    for (const expr of s.value.matchAll(EXPRESSION)) {
      for (const m of expr[1].matchAll(ADDRESS)) {
        const type = m[1] ? `data.${m[2]}` : m[2];
        refs.push(type === 'data.terraform_remote_state' && m[4] ? { type, name: m[3], output: m[4] } : { type, name: m[3] });
      }
    }
  }
  return refs;
}

/** True when `value` is a string with no `${...}` expression (a name Terraform uses as written). */
export const isLiteral = (value: unknown): value is string => typeof value === 'string' && !/\$\{[^}]*\}/.test(value);

/** True when `value` (any JSON) refers to the resource `target`. */
export function refersTo(value: unknown, target: Pick<Resource, 'type' | 'name'>): boolean {
  return refsIn(value).some((r) => r.type === target.type && r.name === target.name);
}

/** The resources of `type` a value refers to, resolved in the same stack. */
export function referenced(json: { resource?: unknown }, value: unknown, type: string): Resource[] {
  const names = new Set(
    refsIn(value)
      .filter((r) => r.type === type)
      .map((r) => r.name),
  );
  return resources(json, type).filter((r) => names.has(r.name));
}

/** The resources of `type` whose `field` refers to `target` (e.g. the versioning of a bucket). */
export function attachedTo(json: { resource?: unknown }, type: string, field: string, target: Pick<Resource, 'type' | 'name'>): Resource[] {
  return resources(json, type).filter((r) => refersTo(r.body[field], target));
}
