/**
 * The report's JTL reader: the same header-driven rules as JtlDecoder and CsvParser (jtl.ts), but
 * over the raw bytes. Records are found by offsets into the chunk, numbers are parsed from the
 * bytes, and labels and response codes come from an interner, so a sample allocates nothing; the
 * one row object is reused, so a callback must copy what it keeps.
 */
import type { Readable } from 'node:stream';
import { jtlColumns, type JtlColumns, type JtlSample } from './jtl';

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/** A field's text: quoted fields unescaped as CsvParser does ("" is one quote; text after the closing quote is kept). */
function decodeField(buf: Buffer, s: number, e: number): string {
  if (s === e || buf[s] !== QUOTE) return buf.toString('utf8', s, e);
  let out = '';
  let i = s + 1;
  let from = i;
  for (; i < e; i++) {
    if (buf[i] !== QUOTE) continue;
    out += buf.toString('utf8', from, i);
    if (i + 1 < e && buf[i + 1] === QUOTE) {
      out += '"';
      i++;
      from = i + 1;
      continue;
    }
    return out + buf.toString('utf8', i + 1, e);
  }
  return out + buf.toString('utf8', from, e);
}

/** Strings of byte ranges, decoded once: labels and codes repeat on every line. Bounded. */
class ByteInterner {
  private readonly table = new Map<number, { raw: Buffer; value: string }[]>();
  private size = 0;

  get(buf: Buffer, s: number, e: number): string {
    // A few bytes and the length pick the bucket; the bytes are compared in full below.
    const len = e - s;
    const h = len === 0 ? 0 : (len << 24) ^ (buf[e - 1] << 16) ^ (buf[s + (len >> 1)] << 8) ^ buf[e - 1 - (len >> 2)];
    const list = this.table.get(h);
    if (list) {
      for (const entry of list) {
        const raw = entry.raw;
        if (raw.length !== e - s) continue;
        let j = 0;
        while (j < raw.length && raw[j] === buf[s + j]) j++;
        if (j === raw.length) return entry.value;
      }
    }
    const value = decodeField(buf, s, e);
    // Free-text columns could hold a new value per line: past the cap, decode without keeping.
    if (this.size < 4096) {
      this.size++;
      const entry = { raw: Buffer.from(buf.subarray(s, e)), value };
      if (list) list.push(entry);
      else this.table.set(h, [entry]);
    }
    return value;
  }
}

/** One record's fields as offsets, and its figures; `this` is the row handed to the callback. */
export class JtlScanner implements JtlSample {
  private buf: Buffer = Buffer.alloc(0);
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private nFields = 0;
  private cols?: JtlColumns;
  private readonly strings = new ByteInterner();
  private pending: Buffer | undefined;
  private first = true;
  skipped = 0;

  timeStamp = 0;
  elapsed = 0;
  label = '';
  responseCode = '';
  success = false;
  retryAfterSec: number | undefined = undefined;
  bytes = NaN;
  sentBytes = NaN;
  latency = NaN;
  connect = NaN;
  allThreads = NaN;
  tokenIndex = -1;

  constructor(
    private readonly source: string,
    private readonly onRow: (row: JtlScanner) => void,
  ) {}

  /** The failure message, else the response message (decoded only when asked: errors). */
  get message(): string {
    const c = this.cols!;
    const failure = c.failure >= 0 ? this.text(c.failure) : '';
    return failure || (c.msg >= 0 ? this.text(c.msg) : '');
  }

  push(chunk: Uint8Array | string): void {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.pending) buf = Buffer.concat([this.pending, buf]);
    this.pending = undefined;
    if (this.first && buf.length < 3) {
      this.pending = buf;
      return;
    }
    const pos = this.first ? this.bomLength(buf) : 0;
    this.buf = buf;
    let at = pos;
    for (;;) {
      const next = this.scanRecord(at, false);
      if (next < 0) break;
      this.record();
      at = next;
    }
    if (at < buf.length) this.pending = Buffer.from(buf.subarray(at));
  }

  end(): void {
    if (!this.pending) return;
    this.buf = this.pending;
    this.pending = undefined;
    const pos = this.first ? this.bomLength(this.buf) : 0;
    if (pos === this.buf.length) return;
    this.scanRecord(pos, true);
    this.record();
  }

  /** A UTF-8 byte-order mark at the start of the stream, dropped as TextDecoder does. */
  private bomLength(buf: Buffer): number {
    this.first = false;
    return buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  }

  /** Finds the fields of the record at `pos`: the position after it, or -1 when the chunk ends first. */
  private scanRecord(pos: number, eof: boolean): number {
    const buf = this.buf;
    const n = buf.length;
    let starts = this.starts;
    let ends = this.ends;
    let i = pos;
    let f = 0;
    for (;;) {
      if (f === starts.length) {
        this.grow();
        starts = this.starts;
        ends = this.ends;
      }
      starts[f] = i;
      if (i < n && buf[i] === QUOTE) {
        i = this.skipQuoted(i + 1, eof);
        if (i < 0) return -1;
      }
      let c = 0;
      while (i < n) {
        c = buf[i];
        if (c === COMMA || c === LF || c === CR) break;
        i++;
      }
      ends[f] = i;
      if (i >= n) {
        if (!eof) return -1;
        this.nFields = f + 1;
        return n;
      }
      if (c === COMMA) {
        f++;
        i++;
        continue;
      }
      this.nFields = f + 1;
      // \r\n is one line break.
      if (c === CR) {
        if (i + 1 >= n && !eof) return -1;
        if (buf[i + 1] === LF) i++;
      }
      return i + 1;
    }
  }

  /** The position after the closing quote of a quoted field's text starting at `i` (-1: the chunk ends first). */
  private skipQuoted(i: number, eof: boolean): number {
    const buf = this.buf;
    const n = buf.length;
    for (;;) {
      const q = buf.indexOf(QUOTE, i);
      if (q < 0) return eof ? n : -1;
      if (q + 1 >= n) return eof ? n : -1;
      if (buf[q + 1] !== QUOTE) return q + 1;
      i = q + 2;
    }
  }

  private grow(): void {
    const starts = new Int32Array(this.starts.length * 2);
    starts.set(this.starts);
    const ends = new Int32Array(this.ends.length * 2);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }

  private text(f: number): string {
    return decodeField(this.buf, this.starts[f], this.ends[f]);
  }

  /** A number field; `empty` when the field is empty. Plain decimals are read from the bytes. */
  private num(f: number, empty: number): number {
    const buf = this.buf;
    let i = this.starts[f];
    const e = this.ends[f];
    if (i === e) return empty;
    if (buf[i] === QUOTE) {
      const t = this.text(f);
      return t === '' ? empty : Number(t);
    }
    const negative = buf[i] === 45;
    if (negative) i++;
    let v = 0;
    let digits = 0;
    let scale = 1;
    let dot = false;
    for (; i < e; i++) {
      const c = buf[i];
      if (c >= 48 && c <= 57) {
        v = v * 10 + (c - 48);
        digits++;
        if (dot) scale *= 10;
      } else if (c === 46 && !dot) dot = true;
      else return Number(this.text(f));
    }
    if (digits === 0 || digits > 15) return Number(this.text(f));
    const r = dot ? v / scale : v;
    return negative ? -r : r;
  }

  /** Finds the columns in the header (or assumes JMeter's defaults); true when the record is data. */
  private header(): boolean {
    const fields = Array.from({ length: this.nFields }, (_, f) => this.text(f));
    const { cols, looksLikeData } = jtlColumns(fields, this.source);
    this.cols = cols;
    return looksLikeData;
  }

  private isTrue(f: number): boolean {
    const b = this.buf;
    const s = this.starts[f];
    if (this.ends[f] - s === 4) return b[s] === 116 && b[s + 1] === 114 && b[s + 2] === 117 && b[s + 3] === 101;
    return b[s] === QUOTE && this.text(f) === 'true';
  }

  /** Decodes the scanned record (JtlDecoder.record's rules) and hands it on. */
  private record(): void {
    // Blank lines carry no record.
    if (this.nFields === 1 && this.text(0) === '') return;
    if (!this.cols && !this.header()) return;
    const c = this.cols!;
    if (this.nFields < c.width) {
      this.skipped++;
      return;
    }
    let ts = this.num(c.ts, NaN);
    if (!Number.isFinite(ts)) ts = Date.parse(this.text(c.ts));
    const elapsed = this.num(c.elapsed, 0);
    if (!Number.isFinite(ts) || !Number.isFinite(elapsed)) {
      this.skipped++;
      return;
    }
    this.timeStamp = ts;
    this.elapsed = elapsed;
    this.label = this.strings.get(this.buf, this.starts[c.label], this.ends[c.label]);
    this.responseCode = this.strings.get(this.buf, this.starts[c.code], this.ends[c.code]);
    this.success = this.isTrue(c.success);
    const retry = c.retry >= 0 ? this.num(c.retry, NaN) : NaN;
    this.retryAfterSec = Number.isFinite(retry) ? retry : undefined;
    this.bytes = c.bytes >= 0 ? this.num(c.bytes, NaN) : NaN;
    this.sentBytes = c.sent >= 0 ? this.num(c.sent, NaN) : NaN;
    this.latency = c.latency >= 0 ? this.num(c.latency, NaN) : NaN;
    this.connect = c.connect >= 0 ? this.num(c.connect, NaN) : NaN;
    this.allThreads = c.threads >= 0 ? this.num(c.threads, NaN) : NaN;
    this.tokenIndex = c.token >= 0 ? this.num(c.token, -1) : -1;
    this.onRow(this);
  }
}

/** Reads one JTL stream, calling `onRow` with the (reused) row of each sample. Returns the count of skipped records. */
export async function scanJtl(
  stream: Readable | AsyncIterable<Uint8Array | string>,
  source: string,
  onRow: (row: JtlScanner) => void,
): Promise<number> {
  const scanner = new JtlScanner(source, onRow);
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) scanner.push(chunk);
  scanner.end();
  return scanner.skipped;
}
