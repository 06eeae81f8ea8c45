import type { ZodIssue } from 'zod';

/**
 * Bad configuration: every problem found, each naming the file, the field, the value and the
 * fix. Entry points print `problems` one per line and exit non-zero, with no stack trace and
 * before any output is written.
 */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** `loadProfile.scenarios[0].virtualUsers` */
export function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v: unknown = root;
  for (const part of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[part];
  }
  return v;
}

const article = (word: string): string => (/^[aeiou]/i.test(word) ? 'an' : 'a');

const show = (v: unknown): string => {
  const text = JSON.stringify(v);
  if (text === undefined) return String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/** One readable sentence per zod issue: `<path> <what is wrong and how to fix it> (got <value>)`. */
export function describeIssue(issue: ZodIssue, input: unknown): string {
  const field = formatPath(issue.path) || '(the file)';
  const got = valueAt(input, issue.path);
  const gotText = ` (got ${show(got)})`;
  switch (issue.code) {
    case 'invalid_type':
      if (issue.received === 'undefined') return `${field} is required: add ${article(issue.expected)} ${issue.expected} value`;
      return `${field} must be ${article(issue.expected)} ${issue.expected}${gotText}`;
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.type === 'number') {
        const intOnly = typeof got === 'number' && Number.isInteger(got);
        return `${field} must be ${intOnly ? 'an integer' : 'a number'} ${issue.inclusive ? '>=' : '>'} ${min}${gotText}`;
      }
      if (issue.type === 'array') return `${field} must have at least ${min} item${min === 1 ? '' : 's'}${gotText}`;
      if (issue.type === 'string') return `${field} must be at least ${min} character${min === 1 ? '' : 's'} long${gotText}`;
      return `${field} is too small${gotText}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.type === 'number') return `${field} must be ${issue.inclusive ? '<=' : '<'} ${max}${gotText}`;
      if (issue.type === 'array') return `${field} must have at most ${max} items${gotText}`;
      if (issue.type === 'string') return `${field} must be at most ${max} characters long${gotText}`;
      return `${field} is too big${gotText}`;
    }
    case 'not_multiple_of':
      return `${field} must be a multiple of ${String(issue.multipleOf)}${gotText}`;
    case 'invalid_enum_value':
      return `${field} must be one of ${issue.options.join(', ')}${gotText}`;
    case 'invalid_literal':
      return `${field} must be ${show(issue.expected)}${gotText}`;
    case 'unrecognized_keys':
      return `${field} has unknown key${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}: remove ${issue.keys.length === 1 ? 'it' : 'them'} or check the spelling`;
    case 'invalid_union_discriminator':
      return `${field} must be one of ${issue.options.map((o) => show(o)).join(', ')}${gotText}`;
    case 'invalid_string':
      return `${field} ${issue.message}${gotText}`;
    case 'custom':
      // A cross-field rule may be about a field left at its default: "(got undefined)" says nothing.
      return `${field} ${issue.message}${got === undefined ? '' : gotText}`;
    case 'invalid_union':
      return `${field} does not match any allowed form${gotText}`;
    default: {
      const message = issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
      return `${field} ${message}${gotText}`;
    }
  }
}
