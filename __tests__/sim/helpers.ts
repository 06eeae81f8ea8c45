import { startSimulator, type Simulator, type SimulatorOptions } from '../../sim/server';

/** A manual clock for the simulator: rate windows, jobs and recording delays follow it, not real time. */
export function manualClock(start = Date.UTC(2026, 10, 23, 10)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms), set: (v: number) => void (t = v) };
}

export async function withSim<T>(options: SimulatorOptions, fn: (sim: Simulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator({
    clients: [
      { id: 'c1', secret: 's1' },
      { id: 'c2', secret: 's2' },
    ],
    seed: 1,
    ...options,
  });
  try {
    return await fn(sim);
  } finally {
    await sim.stop();
  }
}

export async function token(sim: Simulator, id = 'c1', secret = 's1'): Promise<string> {
  const res = await tokenResponse(sim, id, secret);
  if (res.status !== 200) throw new Error(`token request got ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export function tokenResponse(sim: Simulator, id: string, secret: string): Promise<Response> {
  return fetch(`${sim.loginBase}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
}

export async function call(sim: Simulator, tok: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.apiBase}${path}`, {
    method,
    headers: { authorization: `Bearer ${tok}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** A control-route request as the simulator's own callers send it: JSON body, loopback Host. */
export function control(sim: Simulator, method: 'POST' | 'PUT', path: string, body?: unknown): Promise<Response> {
  return fetch(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
