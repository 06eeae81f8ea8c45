/** Environment variables of the worker Lambdas; errors name the variable and who sets it. */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const v = env[name]?.trim();
  if (!v) throw new Error(`environment variable ${name} is not set (the EventPipeline construct sets it)`);
  return v;
}

/** A whole number (0 allowed); unset or empty gives `fallback`. */
export function wholeNumberEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!(Number.isInteger(n) && n >= 0)) throw new Error(`environment variable ${name} must be a whole number (got ${raw})`);
  return n;
}
