/**
 * Streaming reader for JMeter's CSV results (JTL). Header-driven: columns are found by name, so
 * extra columns (sample_variables such as loadlab_retry_after) and reordered or missing optional
 * columns are fine. Quoted fields may hold commas, doubled quotes and line breaks (failure messages do).
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

/** JMeter's default CSV columns, used when a file has no header line. */
export const DEFAULT_JTL_COLUMNS = [
  'timeStamp',
  'elapsed',
  'label',
  'responseCode',
  'responseMessage',
  'threadName',
  'dataType',
  'success',
  'failureMessage',
  'bytes',
  'sentBytes',
  'grpThreads',
  'allThreads',
  'URL',
  'Latency',
  'IdleTime',
  'Connect',
] as const;

/** The JTL column the plan's 429 handler fills (seconds waited per Retry-After). */
export const RETRY_AFTER_COLUMN = 'loadlab_retry_after';
/** The JTL column of the token a request used (the arrival gate's round-robin index). */
export const TOKEN_INDEX_COLUMN = 'loadlab_token_index';

export interface JtlSample {
  /** Start of the sample, ms since the epoch. */
  readonly timeStamp: number;
  /** Response time in ms. */
  readonly elapsed: number;
  readonly label: string;
  readonly responseCode: string;
  readonly success: boolean;
  /** Seconds the thread waited after a 429 (Retry-After), when the plan recorded it. */
  readonly retryAfterSec?: number;
  /** The failure message, else the response message ('' when the file has neither column). */
  readonly message: string;
  /** Bytes received and sent (NaN when the file lacks the column). */
  readonly bytes: number;
  readonly sentBytes: number;
  /** Time to first byte and connect time in ms (NaN when missing). */
  readonly latency: number;
  readonly connect: number;
  /** Active threads of the shard's JVM when the sample ended (NaN when missing). */
  readonly allThreads: number;
  /** The plan's token index (JTL column loadlab_token_index), -1 when none. */
  readonly tokenIndex: number;
}

/** Optional columns: -1 when the file lacks them. */
const OPTIONAL = {
  msg: 'responseMessage',
  failure: 'failureMessage',
  bytes: 'bytes',
  sent: 'sentBytes',
  latency: 'Latency',
  connect: 'Connect',
  threads: 'allThreads',
  token: TOKEN_INDEX_COLUMN,
} as const;
/** Column indexes of a results file (-1: absent) and its field count. */
export type JtlColumns = {
  ts: number;
  elapsed: number;
  label: number;
  code: number;
  success: number;
  retry: number;
  width: number;
} & Record<keyof typeof OPTIONAL, number>;

/**
 * The columns of a results file from its first record: the header, or JMeter's default columns
 * when the record is already data (its first field a number). Both readers (this one and the
 * report's jtl-scan.ts) use it, so they agree on every file. Throws a JtlFormatError naming what is missing.
 */
export function jtlColumns(fields: readonly string[], source: string): { cols: JtlColumns; looksLikeData: boolean } {
  const looksLikeData = /^\d/.test(fields[0] ?? '');
  const names = looksLikeData ? [...DEFAULT_JTL_COLUMNS] : fields.map((f) => f.trim());
  const at = (name: string): number => names.indexOf(name);
  const missing = (['timeStamp', 'elapsed', 'label', 'responseCode', 'success'] as const).filter((n) => at(n) < 0);
  if (missing.length > 0) {
    throw new JtlFormatError(
      `${source}: not a JMeter CSV result file: the header lacks ${missing.join(', ')} (save results with jmeter.save.saveservice.output_format=csv and print_field_names=true)`,
    );
  }
  const optional = Object.fromEntries(Object.entries(OPTIONAL).map(([k, name]) => [k, at(name)])) as Record<keyof typeof OPTIONAL, number>;
  const cols: JtlColumns = {
    ts: at('timeStamp'),
    elapsed: at('elapsed'),
    label: at('label'),
    code: at('responseCode'),
    success: at('success'),
    retry: at(RETRY_AFTER_COLUMN),
    width: names.length,
    ...optional,
  };
  return { cols, looksLikeData };
}

const numberAt = (fields: string[], i: number): number => (i < 0 || fields[i] === '' ? NaN : Number(fields[i]));

/** Incremental RFC 4180 parser: feed chunks, get records. */
export class CsvParser {
  private field = '';
  private record: string[] = [];
  private inQuotes = false;
  /** A quote seen inside a quoted field: either the closing quote or the first of a doubled one. */
  private quotePending = false;
  private sawAny = false;

  constructor(private readonly onRecord: (fields: string[]) => void) {}

  push(chunk: string): void {
    let start = 0;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (c === 34) {
            // "" inside quotes: one literal quote.
            this.field += '"';
            start = i + 1;
            continue;
          }
          this.inQuotes = false;
          // fall through: c is handled as an unquoted character
        } else {
          if (c === 34) {
            this.field += chunk.slice(start, i);
            this.quotePending = true;
            start = i + 1;
          }
          continue;
        }
      }
      if (c === 44) {
        this.field += chunk.slice(start, i);
        this.record.push(this.field);
        this.field = '';
        this.sawAny = true;
        start = i + 1;
      } else if (c === 10 || c === 13) {
        this.field += chunk.slice(start, i);
        this.endRecord();
        // \r\n counts once
        if (c === 13 && i + 1 < n && chunk.charCodeAt(i + 1) === 10) i++;
        start = i + 1;
      } else if (c === 34 && this.field === '' && i === start) {
        this.inQuotes = true;
        this.sawAny = true;
        start = i + 1;
      }
    }
    if (this.inQuotes && !this.quotePending) this.field += chunk.slice(start);
    else if (!this.inQuotes) this.field += chunk.slice(start);
  }

  end(): void {
    if (this.inQuotes && this.quotePending) this.inQuotes = false;
    if (this.field !== '' || this.record.length > 0 || this.sawAny) this.endRecord();
  }

  private endRecord(): void {
    this.record.push(this.field);
    this.field = '';
    const rec = this.record;
    this.record = [];
    this.sawAny = false;
    // Blank lines carry no record.
    if (rec.length === 1 && rec[0] === '') return;
    this.onRecord(rec);
  }
}

export class JtlFormatError extends Error {}

/**
 * Turns CSV records into samples. The first record is the header when its first field is not a
 * number; otherwise JMeter's default columns are assumed.
 */
export class JtlDecoder {
  private cols?: JtlColumns;
  private line = 0;
  /** Records skipped as malformed (a truncated last line of a killed shard, for example). */
  skipped = 0;

  constructor(
    private readonly source: string,
    private readonly onSample: (s: JtlSample) => void,
  ) {}

  /** Finds the columns in the header (or assumes JMeter's defaults); true when `fields` is data. */
  private header(fields: string[]): boolean {
    const { cols, looksLikeData } = jtlColumns(fields, this.source);
    this.cols = cols;
    return looksLikeData;
  }

  record(fields: string[]): void {
    this.line++;
    if (!this.cols && !this.header(fields)) return;
    const c = this.cols!;
    if (fields.length < c.width) {
      this.skipped++;
      return;
    }
    const tsText = fields[c.ts];
    let timeStamp = Number(tsText);
    if (!Number.isFinite(timeStamp) || tsText === '') timeStamp = Date.parse(tsText);
    const elapsed = Number(fields[c.elapsed]);
    if (!Number.isFinite(timeStamp) || !Number.isFinite(elapsed)) {
      this.skipped++;
      return;
    }
    const retryText = c.retry >= 0 ? fields[c.retry] : '';
    const retry = retryText === '' || retryText === undefined ? undefined : Number(retryText);
    this.onSample({
      timeStamp,
      elapsed,
      label: fields[c.label],
      responseCode: fields[c.code],
      success: fields[c.success] === 'true',
      retryAfterSec: retry !== undefined && Number.isFinite(retry) ? retry : undefined,
      message: (c.failure >= 0 ? fields[c.failure] : '') || (c.msg >= 0 ? fields[c.msg] : ''),
      bytes: numberAt(fields, c.bytes),
      sentBytes: numberAt(fields, c.sent),
      latency: numberAt(fields, c.latency),
      connect: numberAt(fields, c.connect),
      allThreads: numberAt(fields, c.threads),
      tokenIndex: c.token >= 0 && fields[c.token] !== '' ? Number(fields[c.token]) : -1,
    });
  }
}

/** Reads one JTL stream, calling `onSample` for each sample. Returns the count of skipped records. */
export async function readJtl(
  stream: Readable | AsyncIterable<Uint8Array | string>,
  source: string,
  onSample: (s: JtlSample) => void,
): Promise<number> {
  const decoder = new JtlDecoder(source, onSample);
  const parser = new CsvParser((f) => decoder.record(f));
  const text = new TextDecoder('utf-8');
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    parser.push(typeof chunk === 'string' ? chunk : text.decode(chunk, { stream: true }));
  }
  parser.push(text.decode());
  parser.end();
  return decoder.skipped;
}

export function readJtlFile(file: string, onSample: (s: JtlSample) => void): Promise<number> {
  return readJtl(createReadStream(file, { highWaterMark: 1 << 20 }), file, onSample);
}
