import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { parseCarrier, type Carrier } from '../core/carrier.js';
import { parseMobile } from '../core/mobile-number.js';
import { DataFileError } from './data-file-error.js';
import { PortedChanges, PortedIndexBuilder, type PortedIndex, dayFromIsoDate } from '../core/ported-index.js';

/**
 * Portability feeds, CSV:
 *   full snapshot  `mobile,carrier[,ported_at]`          replaces the whole database
 *   delta          `seq,op,mobile,carrier,ported_at`      op = port | return, applied in seq order
 * Carriers as 移动/联通/电信/广电 or cmcc/cucc/ctcc/cbn, dates as YYYY-MM-DD. Headers are optional.
 *
 * The scanner is written by hand over the decoded text: feeds run to tens of millions of rows and
 * the import target is over a million rows a second, several times what a general CSV parser does.
 * Fields may be quoted; a field never contains a comma.
 */
export type FeedKind = 'full' | 'delta';

/** Invalid rows listed one by one in a report; the rest are only counted. */
export const MAX_LISTED_PROBLEMS = 100;

export interface FeedProblem {
  line: number;
  reason: string;
}

export interface FeedReport {
  kind: FeedKind;
  /** Data rows read (header and blank lines excluded). */
  rows: number;
  valid: number;
  invalid: number;
  /** The first MAX_LISTED_PROBLEMS invalid rows. */
  problems: FeedProblem[];
  /** Delta only: the seq range of the file and how many of its rows were applied before. */
  firstSeq?: number;
  lastSeq?: number;
  alreadyApplied?: number;
}

/** The file has invalid rows and `skipInvalid` was not given: nothing is applied. */
export class FeedRejectedError extends Error {
  constructor(
    readonly file: string,
    readonly report: FeedReport,
  ) {
    super(
      `${file}: ${report.invalid} invalid row${report.invalid === 1 ? '' : 's'}, nothing applied (first: ${describe(report.problems[0])})`,
    );
    this.name = 'FeedRejectedError';
  }
}

/** A delta that does not start at the next expected seq; it waits for the missing one. */
export class FeedGapError extends Error {
  constructor(
    readonly file: string,
    readonly expectedSeq: number,
    readonly firstSeq: number,
  ) {
    super(
      `${file}: starts at seq ${firstSeq} but seq ${expectedSeq} is next; waiting for seq ${expectedSeq}–${firstSeq - 1}`,
    );
    this.name = 'FeedGapError';
  }
}

function describe(problem: FeedProblem | undefined): string {
  return problem ? `line ${problem.line}: ${problem.reason}` : 'none';
}

const HEADER_FIELDS = new Set(['mobile', 'seq', 'msisdn', 'number', 'phone', '手机号', '号码']);

class ProblemLog {
  readonly problems: FeedProblem[] = [];
  count = 0;
  add(line: number, reason: string): void {
    this.count++;
    if (this.problems.length < MAX_LISTED_PROBLEMS) this.problems.push({ line, reason });
  }
}

/** How often (in lines) a long scan reports how far it got. */
const PROGRESS_EVERY = 1 << 18;
/**
 * Files are decoded this many bytes at a time, cut after a newline: a 50-million-row snapshot is
 * larger than the longest string V8 can hold.
 */
export const FEED_CHUNK_BYTES = 32 << 20;

/** Reports how far a scan got: done and total in bytes (characters for a string source). */
export type ScanProgress = (done: number, total: number) => void;

/**
 * A feed file read as it is scanned, FEED_CHUNK_BYTES at a time: a snapshot of tens of millions of
 * rows is never held in memory whole, only the index it builds.
 */
export class FeedFile {
  private constructor(
    readonly path: string,
    readonly size: number,
    readonly chunkBytes: number,
  ) {}

  /** DataFileError when the file is missing or cannot be read. */
  static open(path: string, chunkBytes = FEED_CHUNK_BYTES): FeedFile {
    try {
      return new FeedFile(path, statSync(path).size, chunkBytes);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new DataFileError(path, code === 'ENOENT' ? 'no such file' : `cannot be read (${code})`);
    }
  }
}

/** A feed as text, as bytes (decoded chunk by chunk) or as a file (read chunk by chunk). */
export type FeedSource = string | Uint8Array | FeedFile;

function sourceLength(source: FeedSource): number {
  return source instanceof FeedFile ? source.size : source.length;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Uint8Array, file: string, start: number): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new DataFileError(
      file,
      `not valid UTF-8 text (between bytes ${start} and ${start + bytes.length})`,
    );
  }
}

function* textChunks(source: FeedSource, file: string): Generator<{ text: string; offset: number }> {
  if (typeof source === 'string') {
    yield { text: source, offset: 0 };
    return;
  }
  if (source instanceof FeedFile) {
    yield* fileChunks(source, file);
    return;
  }
  for (let start = 0; start < source.length;) {
    let end = Math.min(source.length, start + FEED_CHUNK_BYTES);
    if (end < source.length) {
      const newline = source.lastIndexOf(10, end - 1);
      // A newline byte is never inside a UTF-8 sequence, so a cut after one keeps characters whole.
      end = newline >= start ? newline + 1 : source.indexOf(10, end) + 1 || source.length;
    }
    yield { text: decode(source.subarray(start, end), file, start), offset: start };
    start = end;
  }
}

/** The file's text in pieces that end after a newline (or at the end of the file). */
function* fileChunks(source: FeedFile, file: string): Generator<{ text: string; offset: number }> {
  const fd = openSync(source.path, 'r');
  try {
    let buffer = Buffer.allocUnsafe(source.chunkBytes);
    /** Bytes at the start of `buffer` left over from the last read: a line not yet complete. */
    let carried = 0;
    let offset = 0;
    for (;;) {
      const read = readSync(fd, buffer, carried, buffer.length - carried, null);
      const filled = carried + read;
      if (filled === 0) return;
      let end = filled;
      if (read > 0) {
        const newline = buffer.lastIndexOf(10, filled - 1);
        if (newline < 0) {
          // One line longer than the buffer: read on into a larger one.
          if (filled === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]);
          carried = filled;
          continue;
        }
        end = newline + 1;
      }
      yield { text: decode(buffer.subarray(0, end), file, offset), offset };
      offset += end;
      buffer.copy(buffer, 0, end, filled);
      carried = filled - end;
      if (read === 0) return;
    }
  } finally {
    closeSync(fd);
  }
}

/** Calls `row(fields, line)` for every non-blank data line; strips quotes, CR and a BOM. */
function scanLines(
  source: FeedSource,
  file: string,
  row: (fields: string[], line: number) => void,
  progress?: ScanProgress,
): number {
  let line = 0;
  let rows = 0;
  for (const { text, offset } of textChunks(source, file)) {
    let position = offset === 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
    while (position < text.length) {
      let end = text.indexOf('\n', position);
      if (end < 0) end = text.length;
      line++;
      if (progress && line % PROGRESS_EVERY === 0) progress(offset + position, sourceLength(source));
      let stop = end;
      if (stop > position && text.charCodeAt(stop - 1) === 13) stop--;
      const content = text.slice(position, stop);
      position = end + 1;
      if (content.trim() === '') continue;
      const fields = content.split(',');
      for (let i = 0; i < fields.length; i++) {
        let field = fields[i];
        if (field.length >= 2 && field.charCodeAt(0) === 34 && field.charCodeAt(field.length - 1) === 34) {
          field = field.slice(1, -1);
        }
        fields[i] = field.trim();
      }
      if (line === 1 && HEADER_FIELDS.has(fields[0].toLowerCase())) continue;
      rows++;
      row(fields, line);
    }
  }
  return rows;
}

/** A full snapshot has 2–3 columns, a delta 4–5 with a numeric seq first. */
export function detectFeedKind(text: string): FeedKind {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const end = text.indexOf('\n', start);
  const first = text.slice(start, end < 0 ? text.length : end).trim();
  const fields = first.split(',').map((field) => field.replaceAll('"', '').trim().toLowerCase());
  if (fields[0] === 'seq') return 'delta';
  return fields.length >= 4 && /^\d+$/.test(fields[0]) && fields[0].length !== 11 ? 'delta' : 'full';
}

/**
 * The seq of a delta's first row, read from the file's start (a header line may come first);
 * undefined when that row has no readable seq. Cheap enough to ask of a file again and again.
 */
export function firstDeltaSeq(head: string): number | undefined {
  const lines = head.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const line of lines.slice(0, lines.length > 1 ? lines.length - 1 : 1)) {
    const first = line.split(',')[0]?.replaceAll('"', '').trim() ?? '';
    if (first === '' || first.toLowerCase() === 'seq') continue;
    return /^\d{1,15}$/.test(first) ? Number(first) : undefined;
  }
  return undefined;
}

interface NumberParts {
  prefix7: number;
  suffix4: number;
}

function readNumber(text: string, log: ProblemLog, line: number): NumberParts | undefined {
  const parsed = parseMobile(text);
  if (parsed.ok) return parsed;
  log.add(line, `bad number ${JSON.stringify(text.slice(0, 40))}`);
  return undefined;
}

function readCarrier(text: string, log: ProblemLog, line: number): Carrier | undefined {
  const carrier = parseCarrier(text);
  if (carrier === undefined) log.add(line, `bad carrier ${JSON.stringify(text.slice(0, 40))}`);
  return carrier;
}

/** A feed has a few thousand distinct dates over millions of rows: each is parsed once. */
const MAX_CACHED_DATES = 100_000;
const dayCache = new Map<string, number | undefined>();

function cachedDay(text: string): number | undefined {
  if (dayCache.has(text)) return dayCache.get(text);
  const day = dayFromIsoDate(text);
  if (dayCache.size >= MAX_CACHED_DATES) dayCache.clear();
  dayCache.set(text, day);
  return day;
}

/** Day of an optional date: 0 when empty, undefined (and logged) when not a real YYYY-MM-DD. */
function readDay(text: string | undefined, log: ProblemLog, line: number): number | undefined {
  if (text === undefined || text === '') return 0;
  const day = cachedDay(text);
  if (day === undefined) log.add(line, `bad date ${JSON.stringify(text.slice(0, 40))} (expected YYYY-MM-DD)`);
  return day;
}

function finish(kind: FeedKind, rows: number, log: ProblemLog): FeedReport {
  return { kind, rows, valid: rows - log.count, invalid: log.count, problems: log.problems };
}

export interface FullFeed {
  index: PortedIndex;
  report: FeedReport;
}

/**
 * Parses a full snapshot into a new index. Throws FeedRejectedError unless it is clean, or has
 * valid rows and `skipInvalid` is given.
 */
export function parseFullFeed(
  source: FeedSource,
  file: string,
  options: { skipInvalid?: boolean; progress?: ScanProgress } = {},
): FullFeed {
  const log = new ProblemLog();
  const builder = new PortedIndexBuilder(Math.max(1024, Math.floor(sourceLength(source) / 24)));
  const rows = scanLines(
    source,
    file,
    (fields, line) => {
      if (fields.length < 2 || fields.length > 3) {
        log.add(line, `has ${fields.length} columns, expected mobile,carrier[,ported_at]`);
        return;
      }
      const number = readNumber(fields[0], log, line);
      if (!number) return;
      const carrier = readCarrier(fields[1], log, line);
      if (carrier === undefined) return;
      const day = readDay(fields[2], log, line);
      if (day === undefined) return;
      builder.add(number.prefix7, number.suffix4, carrier, day);
    },
    options.progress,
  );
  const { index, duplicates, duplicateCount } = builder.build();
  if (duplicateCount > 0) reportDuplicates(source, file, duplicates, duplicateCount, log);
  const report = finish('full', rows, log);
  // A full snapshot replaces the whole database: one without a single valid row (a delta sent as a
  // full file, a wrong export) would empty it, which skipInvalid never means.
  if (report.invalid > 0 && (!options.skipInvalid || report.valid === 0)) {
    throw new FeedRejectedError(file, report);
  }
  return { index, report };
}

/**
 * Duplicates come back from the builder as ordinals among accepted rows; one more scan turns the
 * listed ones into line numbers. It runs only when a file has duplicates.
 */
function reportDuplicates(
  source: FeedSource,
  file: string,
  pairs: Array<[number, number]>,
  total: number,
  log: ProblemLog,
): void {
  const wanted = new Set<number>();
  for (const [earlier, later] of pairs) wanted.add(earlier).add(later);
  const lineOf = new Map<number, number>();
  const scratch = new ProblemLog();
  let ordinal = 0;
  scanLines(source, file, (fields, line) => {
    const before = scratch.count;
    if (fields.length < 2 || fields.length > 3) return;
    if (!readNumber(fields[0], scratch, line) || readCarrier(fields[1], scratch, line) === undefined) return;
    if (readDay(fields[2], scratch, line) === undefined || scratch.count !== before) return;
    if (wanted.has(ordinal)) lineOf.set(ordinal, line);
    ordinal++;
  });
  for (const [earlier, later] of pairs) {
    log.add(
      lineOf.get(later) ?? 0,
      `duplicate number, also on line ${lineOf.get(earlier) ?? '?'} (the later row is kept)`,
    );
  }
  // Pairs beyond the listed ones are counted without their line numbers.
  log.count += total - pairs.length;
}

export interface DeltaFeed {
  changes: PortedChanges;
  report: FeedReport;
  /** Highest seq in the file (equal to `lastSeq` given when everything was applied before). */
  lastSeq: number;
}

/**
 * Parses a delta against the database's last applied seq. Rows at or below it were applied before
 * and are skipped, so re-applying a file changes nothing; a file starting past the next seq throws
 * FeedGapError, once its rows are known to be valid (FeedRejectedError first). Seqs inside a file
 * must rise by one.
 */
export function parseDeltaFeed(
  source: FeedSource,
  file: string,
  appliedSeq: number,
  options: { skipInvalid?: boolean; progress?: ScanProgress } = {},
): DeltaFeed {
  const log = new ProblemLog();
  const changes = new PortedChanges(Math.max(1024, Math.floor(sourceLength(source) / 40)));
  let firstSeq: number | undefined;
  let previousSeq: number | undefined;
  let alreadyApplied = 0;
  const rows = scanLines(
    source,
    file,
    (fields, line) => {
      if (fields.length < 4 || fields.length > 5) {
        log.add(line, `has ${fields.length} columns, expected seq,op,mobile,carrier,ported_at`);
        return;
      }
      const [seqText, op, mobile, carrierText, dateText] = fields;
      const seq = /^\d{1,15}$/.test(seqText) ? Number(seqText) : NaN;
      if (!(seq > 0)) {
        log.add(line, `bad seq ${JSON.stringify(seqText.slice(0, 40))}`);
        return;
      }
      firstSeq ??= seq;
      const expected = previousSeq === undefined ? seq : previousSeq + 1;
      previousSeq = seq;
      if (seq !== expected) {
        log.add(line, `seq ${seq} where ${expected} was expected (seqs rise by one)`);
        return;
      }
      if (op !== 'port' && op !== 'return') {
        log.add(line, `bad op ${JSON.stringify(op.slice(0, 40))} (expected port or return)`);
        return;
      }
      const number = readNumber(mobile, log, line);
      if (!number) return;
      // A return names the original carrier, which the segment data knows already: optional.
      const carrier = op === 'return' && carrierText === '' ? 0 : readCarrier(carrierText, log, line);
      if (carrier === undefined) return;
      const day = readDay(dateText, log, line);
      if (day === undefined) return;
      if (seq <= appliedSeq) {
        alreadyApplied++;
        return;
      }
      if (op === 'port') changes.port(number.prefix7, number.suffix4, carrier, day);
      else changes.remove(number.prefix7, number.suffix4);
    },
    options.progress,
  );
  const report: FeedReport = {
    ...finish('delta', rows, log),
    firstSeq,
    lastSeq: previousSeq,
    alreadyApplied,
  };
  // Refused for its rows before told to wait: a broken file waiting for its predecessor would
  // wait, and be read again, for ever.
  if (report.invalid > 0 && !options.skipInvalid) throw new FeedRejectedError(file, report);
  if (firstSeq !== undefined && firstSeq > appliedSeq + 1)
    throw new FeedGapError(file, appliedSeq + 1, firstSeq);
  return { changes, report, lastSeq: Math.max(appliedSeq, previousSeq ?? 0) };
}
