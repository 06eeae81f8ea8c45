import { createHash } from 'node:crypto';

/**
 * Response bodies shaped like the Platform API's (the fields our workers, report jobs and plans
 * read), derived deterministically from ids so repeated calls agree with each other.
 */

/** A UUID-shaped id derived from a seed string. */
export function uuidFrom(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const iso = (t: number): string => new Date(t).toISOString();

/** A base time derived from the seed so fixtures are stable across calls. */
function baseTime(seed: string): number {
  const h = createHash('sha1').update(`t:${seed}`).digest();
  return Date.UTC(2026, 0, 1) + (h.readUInt32BE(0) % (300 * 24 * 3600)) * 1000;
}

export interface RecordingFixtureOptions {
  readonly apiBase: string;
  /** Recordings per conversation: the first is audio, the others screen recordings. */
  readonly perConversation: number;
}

/** `GET /api/v2/conversations/{id}/recordingmetadata` items. */
export function recordingMetadata(conversationId: string, opts: RecordingFixtureOptions) {
  const start = baseTime(conversationId);
  return Array.from({ length: opts.perConversation }, (_, i) => {
    const id = uuidFrom(`${conversationId}:rec:${i}`);
    return {
      id,
      conversationId,
      startTime: iso(start + i * 1000),
      endTime: iso(start + 300_000),
      media: i === 0 ? 'audio' : 'screen',
      fileState: 'AVAILABLE',
      sessionId: uuidFrom(`${conversationId}:session:${i}`),
      selfUri: `/api/v2/conversations/${conversationId}/recordings/${id}`,
    };
  });
}

/** `GET /api/v2/conversations/{id}/recordings` items (metadata plus media URIs). */
export function recordings(conversationId: string, opts: RecordingFixtureOptions) {
  return recordingMetadata(conversationId, opts).map((r) => ({
    ...r,
    path: `recordings/${conversationId}/${r.id}`,
    mediaUris: { S: { mediaUri: `${opts.apiBase.replace(/\/+$/, '')}/__sim/media/${r.id}.${r.media === 'audio' ? 'opus' : 'webm'}` } },
  }));
}

/** `GET /api/v2/scripts` as a paged ScriptEntityListing. */
export function scriptsPage(pageNumber: number, pageSize: number, total = 42) {
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const first = (pageNumber - 1) * pageSize;
  const entities = [];
  for (let i = first; i < Math.min(first + pageSize, total); i++) {
    const id = uuidFrom(`script:${i}`);
    entities.push({
      id,
      name: `Agent script ${i + 1}`,
      versionId: uuidFrom(`script:${i}:v`),
      createdDate: iso(Date.UTC(2025, 5, 1) + i * 3600_000),
      modifiedDate: iso(Date.UTC(2026, 0, 1) + i * 3600_000),
      publishedDate: iso(Date.UTC(2026, 0, 2) + i * 3600_000),
      selfUri: `/api/v2/scripts/${id}`,
    });
  }
  return {
    entities,
    pageSize,
    pageNumber,
    total,
    pageCount,
    firstUri: `/api/v2/scripts?pageSize=${pageSize}&pageNumber=1`,
    selfUri: `/api/v2/scripts?pageSize=${pageSize}&pageNumber=${pageNumber}`,
  };
}

/**
 * Start of a conversation: inside `interval` (ISO-8601 `<start>/<end>`) when one is given, since the
 * query and jobs return conversations that start within the requested interval.
 */
function startIn(seed: string, interval: string | undefined): number {
  const [from, to] = (interval ?? '').split('/').map((t) => Date.parse(t));
  if (!(Number.isFinite(from) && Number.isFinite(to) && to > from)) return baseTime(seed);
  return from + (createHash('sha1').update(`t:${seed}`).digest().readUInt32BE(0) % (to - from));
}

/** One analytics conversation detail record (query and jobs results), starting within `interval` when given. */
export function conversationDetail(seed: string, interval?: string) {
  const conversationId = uuidFrom(`conv:${seed}`);
  const start = startIn(seed, interval);
  const end = start + 240_000;
  return {
    conversationId,
    conversationStart: iso(start),
    conversationEnd: iso(end),
    originatingDirection: 'inbound',
    divisionIds: [uuidFrom('division:home')],
    mediaStatsMinConversationMos: 4.4,
    participants: [
      {
        participantId: uuidFrom(`${seed}:customer`),
        purpose: 'customer',
        sessions: [
          {
            mediaType: 'voice',
            sessionId: uuidFrom(`${seed}:customer:s`),
            direction: 'inbound',
            segments: [{ segmentStart: iso(start), segmentEnd: iso(end), segmentType: 'interact', queueId: uuidFrom('queue:1') }],
          },
        ],
      },
      {
        participantId: uuidFrom(`${seed}:agent`),
        purpose: 'agent',
        userId: uuidFrom(`${seed}:user`),
        sessions: [
          {
            mediaType: 'voice',
            sessionId: uuidFrom(`${seed}:agent:s`),
            direction: 'inbound',
            segments: [
              { segmentStart: iso(start + 20_000), segmentEnd: iso(end - 30_000), segmentType: 'interact' },
              { segmentStart: iso(end - 30_000), segmentEnd: iso(end), segmentType: 'wrapup', wrapUpCode: uuidFrom('wrapup:1') },
            ],
            metrics: [{ name: 'tHandle', value: 210_000, emitDate: iso(end) }],
          },
        ],
      },
    ],
  };
}

/** `POST .../communications/{communicationId}/messages` response (MessageData). */
export function messageData(conversationId: string, communicationId: string, textBody: string, now: number, seq: number) {
  return {
    id: uuidFrom(`${conversationId}:${communicationId}:msg:${seq}`),
    providerMessageId: uuidFrom(`provider:${conversationId}:${seq}`),
    timestamp: iso(now),
    fromAddress: communicationId,
    toAddress: conversationId,
    direction: 'outbound',
    messengerType: 'open',
    textBody,
    status: 'queued',
    selfUri: `/api/v2/conversations/messages/${conversationId}/messages/${uuidFrom(`${conversationId}:${communicationId}:msg:${seq}`)}`,
  };
}
