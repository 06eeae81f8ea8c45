/**
 * HTTP plumbing every simulator route shares: the reply shape, Genesys-style error bodies,
 * reading a bounded request body and writing a reply with its correlation id.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** 429: the wait announced in ms, or null when the headers were dropped (faults). */
  readonly retryAfterMs?: number | null;
  /** Set when a fault made this reply instead of the route or the limits: the fault's name (`throttleRate`, `errorRate`). */
  readonly injected?: InjectedFault;
}

/** The faults that replace a reply (sim/faults.ts), as the request log names them. */
export type InjectedFault = 'throttleRate' | 'errorRate';

/** The Platform API's request.bytes.max: larger bodies are answered 413. */
export const MAX_BODY_BYTES = 512_000;

/**
 * A Genesys-style error body. Route handlers leave `contextId` empty: `send` fills in the
 * request's correlation id.
 */
export function errorBody(status: number, code: string, message: string, contextId = '') {
  return { message, code, status, messageParams: {}, contextId, details: [], errors: [] };
}

export const errorReply = (status: number, code: string, message: string, contextId = ''): Reply => ({
  status,
  body: errorBody(status, code, message, contextId),
});

/** The body as text, or null when it is larger than MAX_BODY_BYTES. */
export async function readBodyText(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes a JSON reply with `inin-correlation-id`; an error body's empty `contextId` becomes that id. */
export function send(res: ServerResponse, reply: Reply, contextId: string): void {
  let body = reply.body;
  if (body && typeof body === 'object' && 'contextId' in body && (body as { contextId: string }).contextId === '')
    body = { ...body, contextId };
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(reply.status, {
    'content-type': 'application/json',
    'inin-correlation-id': contextId,
    ...(reply.headers ?? {}),
  });
  res.end(text);
}
