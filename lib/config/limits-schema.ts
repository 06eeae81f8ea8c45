/**
 * The environment file's Genesys limit fields: overrides of catalogue limits by name
 * (`genesys.limits`) and limits declared per endpoint (`genesys.endpointLimits[]`).
 */
import { z } from 'zod';
import { LIMIT_CATALOGUE } from '../genesys-facts/limits';

const knownLimits = LIMIT_CATALOGUE.map((l) => l.name);
/** Keys are catalogue names (lib/genesys-facts/limits.ts); `npm run limits:fetch` writes them. */
export const limitOverrides = z.record(
  z.string().refine((name) => knownLimits.includes(name), {
    message: `must name a limit in lib/genesys-facts/limits.ts: ${knownLimits.join(', ')}`,
  }),
  z.number().int().positive(),
);

/**
 * A limit Genesys Cloud applies to one endpoint (or a namespace's endpoints) that the catalogue
 * does not know: published on an endpoint's API-explorer page, or learned the hard way (message
 * sends capped near 100 requests/s per org). The planner sizes every scenario under them, the
 * simulator enforces them (`npm run sim -- --env` or `--endpoint-limit`), `rehearse` uses them.
 */
export const endpointLimit = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    /** Path template as in lib/genesys-facts/endpoints.ts; `{param}` matches one segment. */
    path: z.string().regex(/^\/api\/v2\/[^\s?]*$/, { message: 'must be a Platform API path template such as /api/v2/scripts (no query)' }),
    requestsPerMinute: z.number().int().positive(),
    /** `org`: one budget for the whole org (more tokens or clients do not help); `client`: per OAuth client; `token`: per token. */
    scope: z.enum(['org', 'client', 'token']),
    /** Name in findings and 429 bodies. Default `<METHOD> <path> (<scope>)`. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9._ {}/:()-]{1,120}$/)
      .optional(),
    /** Limits API namespace and key that report this limit; `npm run limits:fetch` then refreshes requestsPerMinute. */
    namespace: z
      .string()
      .regex(/^[a-z][a-z0-9.]{1,60}$/)
      .optional(),
    apiKey: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,120}$/)
      .optional(),
    /** Where the value comes from (a support case, an API-explorer page, limits:fetch). */
    source: z.string().max(300).optional(),
  })
  .strict();
