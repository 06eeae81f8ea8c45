/**
 * A small Amazon States Language interpreter for JSONata-mode definitions, enough to run the
 * load-test state machine in tests: Pass, Choice, Map (inline), Task, Succeed, Fail, with
 * Assign, Output, Arguments, ItemSelector and Catch. Expressions run on the real `jsonata`
 * library. Stricter than Step Functions in one way: a Map iteration does not see the outer
 * variables, so the definition must hand each iteration what it needs through ItemSelector.
 */
import jsonata from 'jsonata';

export type Json = any;

export class TaskError extends Error {
  constructor(
    readonly error: string,
    readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
  }
}

/** A fake AWS integration: receives the resource ARN and evaluated Arguments. */
export type Services = (resource: string, args: Json) => Json | Promise<Json>;

export interface Call {
  readonly state: string;
  readonly resource: string;
  readonly args: Json;
  readonly timeoutSec?: number;
}

export interface RunResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: Json;
  readonly error?: string;
  readonly cause?: string;
  readonly calls: Call[];
  readonly visited: string[];
}

interface Ctx {
  readonly services: Services;
  readonly startTime: string;
  /** Wall clock for EnteredTime; absent: one second per state from the start time. */
  readonly clock?: () => number;
  readonly calls: Call[];
  readonly visited: string[];
  now: number;
}

const EXPR = /^\{%([\s\S]*)%\}$/;

async function evaluate(value: Json, bindings: Record<string, Json>): Promise<Json> {
  if (typeof value === 'string') {
    const m = EXPR.exec(value);
    if (!m) return value;
    const result = await jsonata(m[1]).evaluate({}, bindings);
    if (result === undefined) throw new TaskError('States.QueryEvaluationError', `expression returned nothing: ${m[1].trim()}`);
    return JSON.parse(JSON.stringify(result));
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => evaluate(v, bindings)));
  if (value && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await evaluate(v, bindings);
    return out;
  }
  return value;
}

async function assign(spec: Json, bindings: Record<string, Json>, vars: Record<string, Json>): Promise<void> {
  if (!spec) return;
  const values = await evaluate(spec, bindings);
  Object.assign(vars, values);
}

function matchesError(errors: string[], error: string): boolean {
  return errors.includes('States.ALL') || errors.includes(error);
}

async function runStates(machine: Json, input: Json, vars: Record<string, Json>, ctx: Ctx, extraContext: Json = {}): Promise<RunResult> {
  let name: string = machine.StartAt;
  let current = input;
  for (let steps = 0; steps < 1000; steps++) {
    const state = machine.States[name];
    if (!state) throw new Error(`no state ${name}`);
    ctx.visited.push(name);
    ctx.now = ctx.clock ? ctx.clock() : ctx.now + 1000;
    const context = {
      Execution: { StartTime: ctx.startTime },
      State: { Name: name, EnteredTime: new Date(ctx.now).toISOString() },
      ...extraContext,
    };
    const base = { states: { input: current, context }, ...vars };
    const finish = async (result: Json): Promise<{ next?: string; output: Json }> => {
      const b = { ...base, states: { ...base.states, result } };
      const output = state.Output !== undefined ? await evaluate(state.Output, b) : result;
      await assign(state.Assign, b, vars);
      return { next: state.Next, output };
    };
    const fail = async (err: TaskError): Promise<{ next: string; output: Json } | undefined> => {
      const catcher = (state.Catch ?? []).find((c: Json) => matchesError(c.ErrorEquals, err.error));
      if (!catcher) return undefined;
      const errorOutput = { Error: err.error, Cause: err.cause };
      const b = { ...base, states: { ...base.states, errorOutput } };
      const output = catcher.Output !== undefined ? await evaluate(catcher.Output, b) : errorOutput;
      await assign(catcher.Assign, b, vars);
      return { next: catcher.Next, output };
    };
    let step: { next?: string; output: Json };
    try {
      switch (state.Type) {
        case 'Pass':
          step = await finish(current);
          break;
        case 'Choice': {
          let next = state.Default;
          for (const choice of state.Choices) {
            const ok = await evaluate(choice.Condition, base);
            if (typeof ok !== 'boolean')
              throw new TaskError('States.QueryEvaluationError', `condition is not boolean: ${choice.Condition}`);
            if (ok) {
              next = choice.Next;
              break;
            }
          }
          if (!next) throw new TaskError('States.NoChoiceMatched', name);
          step = { next, output: current };
          break;
        }
        case 'Task': {
          const args = await evaluate(state.Arguments ?? {}, base);
          const timeoutSec = state.TimeoutSeconds !== undefined ? await evaluate(state.TimeoutSeconds, base) : undefined;
          ctx.calls.push({ state: name, resource: state.Resource, args, timeoutSec });
          let result: Json;
          try {
            result = await ctx.services(state.Resource, args);
          } catch (e) {
            if (e instanceof TaskError) throw e;
            throw new TaskError('States.TaskFailed', String(e));
          }
          step = await finish(result);
          break;
        }
        case 'Map': {
          const items = await evaluate(state.Items, base);
          if (!Array.isArray(items))
            throw new TaskError('States.QueryEvaluationError', `Map Items is not an array: ${JSON.stringify(items)}`);
          const results: Json[] = [];
          for (let i = 0; i < items.length; i++) {
            const itemBindings = {
              ...base,
              states: { ...base.states, context: { ...context, Map: { Item: { Index: i, Value: items[i] } } } },
            };
            const itemInput = state.ItemSelector !== undefined ? await evaluate(state.ItemSelector, itemBindings) : items[i];
            // A fresh scope: outer variables are deliberately not visible (see the file comment).
            const r = await runStates(state.ItemProcessor, itemInput, {}, ctx);
            if (r.status === 'FAILED') throw new TaskError(r.error ?? 'States.TaskFailed', r.cause ?? '');
            results.push(r.output);
          }
          step = await finish(results);
          break;
        }
        case 'Succeed':
          return { status: 'SUCCEEDED', output: current, calls: ctx.calls, visited: ctx.visited };
        case 'Fail': {
          const error = await evaluate(state.Error, base);
          const cause = state.Cause !== undefined ? await evaluate(state.Cause, base) : undefined;
          return { status: 'FAILED', error, cause, calls: ctx.calls, visited: ctx.visited };
        }
        default:
          throw new Error(`state type ${state.Type} not supported`);
      }
    } catch (e) {
      if (!(e instanceof TaskError)) throw e;
      const caught = await fail(e);
      if (!caught) return { status: 'FAILED', error: e.error, cause: e.cause, calls: ctx.calls, visited: ctx.visited };
      step = caught;
    }
    if (state.End || !step.next) return { status: 'SUCCEEDED', output: step.output, calls: ctx.calls, visited: ctx.visited };
    name = step.next;
    current = step.output;
  }
  throw new Error('more than 1000 transitions: the definition loops');
}

/**
 * Runs a definition to completion against fake services. `clock` makes EnteredTime real time
 * (for services that really run, e.g. the entrypoint waiting for START_AT).
 */
export function runDefinition(
  definition: Json,
  input: Json,
  services: Services,
  startTime = '2026-11-23T10:00:00.000Z',
  clock?: () => number,
): Promise<RunResult> {
  if (definition.QueryLanguage !== 'JSONata') throw new Error('only JSONata definitions are supported');
  return runStates(definition, input, {}, { services, startTime, clock, calls: [], visited: [], now: Date.parse(startTime) });
}
