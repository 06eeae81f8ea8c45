/**
 * Property-based: mutate the example environment (wrong types, missing fields, out-of-range
 * numbers, bad ids, unknown keys) and require a clear, field-named error every time — never a
 * crash, a stack trace or a partial cdktf.out.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { ConfigError, parseEnvironmentFile } from '../../lib/config';
import { formatPath } from '../../lib/config/errors';
import { exampleInput } from '../helpers/env';

type Path = (string | number)[];
type Json = unknown;

/** Every path in a JSON value (objects and arrays included). */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  const out: Path[] = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push([...prefix, i], ...pathsOf(v, [...prefix, i])));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...pathsOf(v, [...prefix, k]));
  return out;
}

const get = (root: Json, p: Path): Json => p.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k], root);
function set(root: Json, p: Path, value: Json | typeof DELETE): void {
  const parent = get(root, p.slice(0, -1)) as Record<string | number, Json>;
  const key = p[p.length - 1];
  if (value === DELETE) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else parent[key] = value;
}
const DELETE = Symbol('delete');

const kindOf = (v: Json): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

const example = exampleInput();
const allPaths = pathsOf(example);
const leafPaths = allPaths.filter((p) => ['string', 'number', 'boolean'].includes(kindOf(get(example, p))));
const objectPaths = [[], ...allPaths.filter((p) => kindOf(get(example, p)) === 'object')] as Path[];

/** A value of another JSON type than the one at the path. */
const wrongTyped = (current: Json) =>
  fc
    .oneof(
      fc.string({ maxLength: 8 }),
      fc.integer(),
      fc.double({ noNaN: true }),
      fc.boolean(),
      fc.constant(null),
      fc.constant([]),
      fc.constant({}),
    )
    .filter((v) => kindOf(v) !== kindOf(current));

type Mutation = { kind: 'wrong-type' | 'unknown-key' | 'delete' | 'number' | 'bad-id'; path: Path; value?: Json };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc
    .constantFrom(...leafPaths)
    .chain((p) => wrongTyped(get(example, p)).map((value): Mutation => ({ kind: 'wrong-type', path: p, value }))),
  fc
    .tuple(fc.constantFrom(...objectPaths), fc.stringMatching(/^[a-z][a-zA-Z]{2,10}$/))
    .map(([p, key]): Mutation => ({ kind: 'unknown-key', path: [...p, `x${key}`], value: 1 })),
  fc.constantFrom(...allPaths).map((p): Mutation => ({ kind: 'delete', path: p })),
  fc
    .tuple(
      fc.constantFrom(...leafPaths.filter((p) => typeof get(example, p) === 'number')),
      fc.oneof(fc.constant(-1), fc.constant(0), fc.constant(1e12), fc.constant(0.5), fc.integer({ min: -1e6, max: 1e6 })),
    )
    .map(([p, value]): Mutation => ({ kind: 'number', path: p, value })),
  fc
    .tuple(
      fc.constantFrom(['genesys', 'orgId'], ['aws', 'accountId'], ['aws', 'region'], ['genesys', 'region'], ['name']),
      fc.string({ maxLength: 20 }),
    )
    .map(([p, value]): Mutation => ({ kind: 'bad-id', path: [...p], value })),
);

function apply(m: Mutation): Json {
  const copy = exampleInput();
  set(copy, m.path, m.kind === 'delete' ? DELETE : m.value);
  return copy;
}

/** Must this mutation be rejected? (Deleting an optional field or a valid number may be fine.) */
const mustFail = (m: Mutation): boolean => m.kind === 'wrong-type' || m.kind === 'unknown-key';

describe('config fuzzing', () => {
  it('every mutation yields a valid environment or clear, field-named errors — never a crash', () => {
    fc.assert(
      fc.property(mutation, (m) => {
        const input = apply(m);
        let problems: readonly string[] = [];
        try {
          parseEnvironmentFile(input, 'env.json');
        } catch (err) {
          if (!(err instanceof ConfigError)) throw new Error(`crash on ${JSON.stringify(m)}: ${String(err)}`);
          problems = err.problems;
        }
        if (mustFail(m)) expect(problems.length).toBeGreaterThan(0);
        for (const problem of problems) {
          expect(problem).toMatch(/^env\.json: (\(the file\)|[A-Za-z$][\w$]*(\[\d+\])?(\.[\w$]+(\[\d+\])?)*) \S/);
          expect(problem).not.toMatch(/\n\s+at |ZodError|undefined is|TypeError/);
        }
        if (m.kind === 'wrong-type') {
          // The error names the field that was broken.
          expect(problems.some((p) => p.includes(formatPath(m.path)))).toBe(true);
        }
        if (m.kind === 'unknown-key') {
          expect(problems.some((p) => p.includes(String(m.path[m.path.length - 1])))).toBe(true);
        }
      }),
      { numRuns: 400, seed: Number(process.env.FUZZ_SEED ?? 20261123) },
    );
  });

  it('the app prints only the errors, exits non-zero and writes no cdktf.out for bad files', () => {
    const samples = fc.sample(mutation.filter(mustFail), { numRuns: 4, seed: 7 });
    for (const m of samples) {
      const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-fuzz-'));
      writeFileSync(path.join(dir, 'example.json'), JSON.stringify(apply(m)));
      const outdir = path.join(dir, 'cdktf.out');
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts'], {
        cwd: path.resolve(__dirname, '..', '..'),
        env: { ...process.env, LOADLAB_ENV: 'example', LOADLAB_ENV_DIR: dir, CDKTF_OUTDIR: outdir },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect({ mutation: m, status: result.status }).toEqual({ mutation: m, status: 2 });
      const lines = result.stderr.trim().split('\n');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line).toMatch(/^error: .*example\.json: /);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(outdir) ? readdirSync(outdir) : []).toEqual([]);
    }
    // Four app start-ups in child processes: generous on a loaded 2-core machine.
  }, 240_000);
});
