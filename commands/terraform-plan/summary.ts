import * as path from 'node:path';
import type { ChangeAction, ResourceChange, TerraformPlanJson } from './plan-json';

/**
 * Turns `terraform show -json` plans (one per stack) into the Markdown a reviewer reads in a
 * pull request: counts per stack, destroys and replacements first, a loud warning when an
 * archive stack would lose anything, and no sensitive value ever printed.
 */

export type ChangeKind = 'create' | 'update' | 'delete' | 'replace' | 'import' | 'move' | 'forget';

export interface AttributeChange {
  /** Top-level attribute name. */
  readonly name: string;
  /** Rendered values, already masked. */
  readonly before: string;
  readonly after: string;
  readonly sensitive: boolean;
  readonly forcesReplacement: boolean;
}

export interface ResourceSummary {
  readonly address: string;
  readonly type: string;
  readonly kind: ChangeKind;
  /** Terraform's `action_reason`, e.g. `replace_because_tainted`. */
  readonly reason?: string;
  readonly previousAddress?: string;
  /** Attribute paths that force the replacement (`replace_paths`), rendered `a.b[0]`. */
  readonly replacePaths: readonly string[];
  /** Changed attributes of updates and replacements (empty for creates and deletes). */
  readonly attributes: readonly AttributeChange[];
}

export interface ChangeCounts {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly replace: number;
  readonly import: number;
  readonly move: number;
  readonly forget: number;
}

export interface StackSummary {
  readonly stack: string;
  /** An archive stack: durable data, never destroyed with a test environment. */
  readonly archive: boolean;
  readonly counts: ChangeCounts;
  /** Sorted: destroys and replacements first. No-ops and data reads are left out. */
  readonly resources: readonly ResourceSummary[];
  /** Resources changed outside Terraform since the last apply. */
  readonly drift: number;
  readonly outputs: readonly { readonly name: string; readonly kind: string; readonly sensitive: boolean }[];
  /** Terraform reported an error while planning: the plan is incomplete. */
  readonly errored: boolean;
  readonly terraformVersion?: string;
}

export interface StackPlan {
  readonly stack: string;
  readonly plan: TerraformPlanJson;
}

export interface FailedStack {
  readonly stack: string;
  readonly reason: string;
}

export interface RenderOptions {
  /** Heading of the summary. Default `Plan review`. */
  readonly title?: string;
  /** Stacks whose plan could not be produced. */
  readonly failed?: readonly FailedStack[];
  /** A hidden HTML comment placed first, so a bot can find and update its comment. */
  readonly marker?: string;
  /** Markdown appended under "Rate-limit budget" (the `npm run budget` table). */
  readonly budget?: string;
  /** Rows shown per stack table before "… and N more". Default 50. */
  readonly maxRowsPerStack?: number;
  /** Hard ceiling on the output (GitHub comments hold 65536 characters). Default 60000. */
  readonly maxChars?: number;
}

const DESTRUCTIVE: ReadonlySet<ChangeKind> = new Set(['delete', 'replace']);
const KIND_ORDER: readonly ChangeKind[] = ['delete', 'replace', 'update', 'create', 'import', 'move', 'forget'];
const SENSITIVE = '(sensitive)';
const UNKNOWN = '(known after apply)';

/** Infers the stack from a plan file path: `…/stacks/<stack>/plan.json` or `<stack>.json` / `<stack>.plan.json`. */
export function stackNameFromPath(file: string): string {
  const parts = path.normalize(file).split(path.sep);
  const i = parts.lastIndexOf('stacks');
  if (i >= 0 && i + 2 === parts.length - 1 && parts[i + 1]) return parts[i + 1];
  return path.basename(file).replace(/(\.plan)?\.json$/i, '');
}

function kindOf(rc: ResourceChange): ChangeKind | undefined {
  const actions: readonly ChangeAction[] = rc.change.actions;
  const has = (a: ChangeAction): boolean => actions.includes(a);
  if (has('delete') && has('create')) return 'replace';
  if (has('create')) return 'create';
  if (has('delete')) return 'delete';
  if (has('update')) return 'update';
  if (has('forget')) return 'forget';
  if (has('no-op')) {
    if (rc.change.importing) return 'import';
    if (rc.previous_address && rc.previous_address !== rc.address) return 'move';
  }
  return undefined; // no-op or a data source read: not a change a reviewer acts on
}

/** True when a sensitivity mask marks the value, or any part of it, sensitive. */
function anySensitive(mask: unknown): boolean {
  if (mask === true) return true;
  if (Array.isArray(mask)) return mask.some(anySensitive);
  if (mask !== null && typeof mask === 'object') return Object.values(mask).some(anySensitive);
  return false;
}

const field = (value: unknown, key: string): unknown =>
  value === true
    ? true
    : value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)[key]
      : undefined;

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function renderValue(v: unknown): string {
  if (v === undefined) return 'null';
  const text = JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const renderPath = (p: readonly (string | number)[]): string =>
  p.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');

function attributeChanges(rc: ResourceChange, replacePaths: readonly (readonly (string | number)[])[]): AttributeChange[] {
  const { before, after, after_unknown: afterUnknown, before_sensitive: beforeSensitive, after_sensitive: afterSensitive } = rc.change;
  const keys = new Set<string>();
  for (const v of [before, after, afterUnknown]) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.keys(v).forEach((k) => keys.add(k));
  }
  const forcing = new Set(replacePaths.map((p) => String(p[0])));
  const changes: AttributeChange[] = [];
  for (const name of [...keys].sort()) {
    const b = field(before, name);
    const a = field(after, name);
    const unknown = anySensitive(field(afterUnknown, name)); // same true-leaf structure as a sensitivity mask
    if (!unknown && deepEqual(b, a)) continue;
    const sensitive = anySensitive(field(beforeSensitive, name)) || anySensitive(field(afterSensitive, name));
    changes.push({
      name,
      before: sensitive ? SENSITIVE : renderValue(b),
      after: sensitive ? SENSITIVE : unknown ? UNKNOWN : renderValue(a),
      sensitive,
      forcesReplacement: forcing.has(name),
    });
  }
  // Attributes that force the replacement first: they are the reason for it.
  return changes.sort((x, y) => Number(y.forcesReplacement) - Number(x.forcesReplacement));
}

function tagsSayArchive(rc: ResourceChange): boolean {
  for (const value of [rc.change.before, rc.change.after]) {
    for (const key of ['tags_all', 'tags']) {
      const tags = field(value, key);
      const stack = field(tags, 'stack');
      if (typeof stack === 'string' && stack.endsWith('-archive')) return true;
    }
  }
  return false;
}

/** Summarizes one stack's plan. */
export function summarizeStack({ stack, plan }: StackPlan): StackSummary {
  const resources: ResourceSummary[] = [];
  let archive = /-archive$/.test(stack);
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === 'data') continue;
    archive ||= tagsSayArchive(rc);
    const kind = kindOf(rc);
    if (!kind) continue;
    const replacePaths = rc.change.replace_paths ?? [];
    resources.push({
      address: rc.address,
      type: rc.type,
      kind,
      reason: rc.action_reason,
      previousAddress: rc.previous_address && rc.previous_address !== rc.address ? rc.previous_address : undefined,
      replacePaths: replacePaths.map(renderPath),
      attributes: kind === 'update' || kind === 'replace' ? attributeChanges(rc, replacePaths) : [],
    });
  }
  resources.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.address.localeCompare(b.address));
  const count = (k: ChangeKind): number => resources.filter((r) => r.kind === k).length;
  const outputs = Object.entries(plan.output_changes ?? {})
    .map(([name, oc]) => ({ name, kind: outputKind(oc.actions), sensitive: oc.sensitive === true }))
    .filter((o) => o.kind !== 'no-op')
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    stack,
    archive,
    counts: {
      add: count('create'),
      change: count('update'),
      destroy: count('delete'),
      replace: count('replace'),
      import: count('import'),
      move: count('move'),
      forget: count('forget'),
    },
    resources,
    drift: (plan.resource_drift ?? []).filter((rc) => rc.mode !== 'data').length,
    outputs,
    errored: plan.errored === true,
    terraformVersion: plan.terraform_version,
  };
}

function outputKind(actions: readonly ChangeAction[]): string {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  if (actions.includes('create')) return 'create';
  if (actions.includes('delete')) return 'delete';
  if (actions.includes('update')) return 'update';
  return 'no-op';
}

/** Escapes text for a Markdown table cell. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** A code span that survives backticks in the text. */
const code = (text: string): string => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function countsLine(c: ChangeCounts): string {
  const parts = [`${c.add} to add`, `${c.change} to change`, `${c.destroy} to destroy`, `${c.replace} to replace`];
  if (c.import) parts.push(`${c.import} to import`);
  if (c.move) parts.push(`${c.move} to move`);
  if (c.forget) parts.push(`${c.forget} to forget`);
  return parts.join(', ');
}

function destructiveLine(stack: string | undefined, r: ResourceSummary): string {
  const why = r.replacePaths.length
    ? ` (forced by ${r.replacePaths.map(code).join(', ')})`
    : r.reason
      ? ` (${r.reason.replace(/_/g, ' ')})`
      : '';
  return `- ${stack ? `${code(stack)}: ` : ''}${code(r.address)} — **${r.kind === 'delete' ? 'destroy' : 'replace'}**${why}`;
}

function attributesCell(r: ResourceSummary, max = 6): string {
  if (r.kind === 'move') return `moved from ${code(r.previousAddress ?? '?')}`;
  if (!r.attributes.length) return r.reason ? r.reason.replace(/_/g, ' ') : '';
  const shown = r.attributes.slice(0, max).map((a) => {
    const label = `${code(a.name)}${a.forcesReplacement ? ' (forces replacement)' : ''}`;
    return `${label}: ${code(a.before)} → ${code(a.after)}`;
  });
  if (r.attributes.length > max) shown.push(`… ${plural(r.attributes.length - max, 'more attribute')}`);
  return shown.join('<br>');
}

function renderOnce(stacks: readonly StackSummary[], options: RenderOptions, maxRows: number): string {
  const lines: string[] = [];
  if (options.marker) lines.push(`<!-- ${options.marker} -->`);
  lines.push(`## ${options.title ?? 'Plan review'}`, '');

  const archiveLosses = stacks
    .filter((s) => s.archive)
    .flatMap((s) => s.resources.filter((r) => DESTRUCTIVE.has(r.kind)).map((r) => ({ s, r })));
  if (archiveLosses.length) {
    lines.push(
      '> [!CAUTION]',
      `> **An archive stack would destroy or replace ${plural(archiveLosses.length, 'resource')}.** Archive stacks hold the recordings, results and reports and are never torn down with a test environment; a replaced bucket or key loses its data. Do not apply this unless you mean to.`,
      ...archiveLosses.map(({ s, r }) => `> ${destructiveLine(s.stack, r)}`),
      '',
    );
  }
  const failed = options.failed ?? [];
  const errored = stacks.filter((s) => s.errored);
  if (failed.length || errored.length) {
    lines.push(
      '> [!WARNING]',
      '> **Some plans are missing or incomplete** (see the workflow log):',
      ...failed.map((f) => `> - ${code(f.stack)}: ${cell(f.reason)}`),
      ...errored.map((s) => `> - ${code(s.stack)}: Terraform reported an error while planning; the changes below are partial`),
      '',
    );
  }
  const losses = stacks.filter((s) => !s.archive).flatMap((s) => s.resources.filter((r) => DESTRUCTIVE.has(r.kind)).map((r) => ({ s, r })));
  if (losses.length) {
    lines.push(
      '> [!WARNING]',
      `> **${plural(losses.length, 'resource')} would be destroyed or replaced:**`,
      ...losses.slice(0, maxRows || 10).map(({ s, r }) => `> ${destructiveLine(s.stack, r)}`),
      ...(losses.length > (maxRows || 10) ? [`> - … and ${losses.length - (maxRows || 10)} more`] : []),
      '',
    );
  }

  lines.push('| stack | add | change | destroy | replace | other |', '| --- | --: | --: | --: | --: | --- |');
  for (const s of stacks) {
    const c = s.counts;
    const other = [
      c.import && `${c.import} import`,
      c.move && `${c.move} move`,
      c.forget && `${c.forget} forget`,
      s.drift && `${s.drift} drifted`,
    ]
      .filter(Boolean)
      .join(', ');
    const name = `${code(s.stack)}${s.archive ? ' (archive)' : ''}`;
    lines.push(`| ${name} | ${c.add} | ${c.change} | ${c.destroy} | ${c.replace} | ${other} |`);
  }
  for (const f of failed) lines.push(`| ${code(f.stack)} | – | – | – | – | plan failed |`);
  lines.push('');

  for (const s of stacks) {
    lines.push(`### ${code(s.stack)}: ${countsLine(s.counts)}`, '');
    if (!s.resources.length) {
      lines.push('No changes.', '');
    } else if (maxRows === 0) {
      lines.push(`_${plural(s.resources.length, 'changed resource')}; table left out to fit the comment (see the workflow summary)._`, '');
    } else {
      lines.push('| action | resource | changes |', '| --- | --- | --- |');
      for (const r of s.resources.slice(0, maxRows)) {
        const action = DESTRUCTIVE.has(r.kind) ? `**${r.kind === 'delete' ? 'destroy' : 'replace'}**` : r.kind;
        lines.push(`| ${action} | ${cell(code(r.address))} | ${cell(attributesCell(r))} |`);
      }
      if (s.resources.length > maxRows) lines.push(`| | … and ${s.resources.length - maxRows} more | |`);
      lines.push('');
    }
    if (s.outputs.length) {
      const outs = s.outputs.map((o) => `${code(o.name)} (${o.kind}${o.sensitive ? ', sensitive' : ''})`);
      lines.push(`Outputs: ${outs.join(', ')}`, '');
    }
    if (s.drift) lines.push(`_${plural(s.drift, 'resource')} changed outside Terraform since the last apply._`, '');
  }
  if (options.budget?.trim()) lines.push('## Rate-limit budget', '', budgetBlock(options.budget), '');
  const versions = [...new Set(stacks.map((s) => s.terraformVersion).filter(Boolean))];
  if (versions.length) lines.push(`<sub>Terraform ${versions.join(', ')}. Sensitive values are never shown.</sub>`, '');
  return lines.join('\n');
}

/** `npm run budget` prints an aligned text table: keep it monospaced unless it is already Markdown. */
function budgetBlock(budget: string): string {
  const text = budget.trim();
  if (text.split('\n').some((l) => l.trimStart().startsWith('|'))) return text;
  const fence = text.includes('```') ? '~~~~' : '```';
  return `${fence}text\n${text}\n${fence}`;
}

/** Renders the Markdown summary, shrinking the tables until it fits `maxChars`. */
export function renderPlanSummary(stacks: readonly StackSummary[], options: RenderOptions = {}): string {
  const maxChars = options.maxChars ?? 60_000;
  const first = options.maxRowsPerStack ?? 50;
  for (const rows of [first, 20, 5, 0].filter((n, i) => i === 0 || n < first)) {
    const text = renderOnce(stacks, options, rows);
    if (text.length <= maxChars) return text;
  }
  // Even without tables it is too long (a huge budget table): cut it, keeping the warnings on top.
  const text = renderOnce(stacks, options, 0);
  return `${text.slice(0, maxChars - 80)}\n\n_… truncated to fit; see the workflow summary._\n`;
}

/** Convenience: summarize and render in one call. */
export function planSummaryMarkdown(plans: readonly StackPlan[], options: RenderOptions = {}): string {
  return renderPlanSummary(plans.map(summarizeStack), options);
}
