/** Routes of the simulated Platform API: path templates with `{name}` parameters, matched by method and path. */
import type { Reply } from './http';
import type { IssuedToken } from './oauth';

/** What a route handler sees of an authenticated, admitted API call. */
export interface Ctx {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: Record<string, string>;
  readonly body: unknown;
  readonly token: IssuedToken;
  readonly now: number;
}

export type Handler = (ctx: Ctx) => Reply;

export interface Route {
  readonly method: string;
  /** As in lib/genesys-facts/endpoints.ts, e.g. `/api/v2/analytics/conversations/details/jobs/{jobId}`. */
  readonly template: string;
  readonly re: RegExp;
  readonly names: string[];
  readonly handler: Handler;
}

export interface RouteMatch {
  readonly route: Route;
  /** The raw (still percent-encoded) parameter values, in template order. */
  readonly values: readonly string[];
}

export function compile(method: string, template: string, handler: Handler): Route {
  const names: string[] = [];
  const re = new RegExp(
    '^' +
      template.replace(/\{([^/}]+)\}/g, (_m, name: string) => {
        names.push(name);
        return '([^/]+)';
      }) +
      '/?$',
  );
  return { method, template, re, names, handler };
}

/** The first route of the method whose template matches the path (a trailing slash is allowed). */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.re.exec(path);
    if (m) return { route, values: m.slice(1) };
  }
  return undefined;
}

/** The match's parameters by name, decoded (throws URIError on a malformed escape). */
export const routeParams = (m: RouteMatch): Record<string, string> =>
  Object.fromEntries(m.route.names.map((n, i) => [n, decodeURIComponent(m.values[i])]));
