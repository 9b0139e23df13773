import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parse as parseCsv } from 'csv-parse';
import ExcelJS from 'exceljs';
import { MAX_MOBILE_INPUT_LENGTH, parseMobile } from '../../core/mobile-number.js';
import { REASONS } from '../../core/result-codes.js';
import type { BatchInvalidSample } from '../../store/store.js';
import { ServiceError } from '../service-error.js';

/** Largest upload a batch file may be (the multipart limit of POST /me/batches). */
export const MAX_BATCH_FILE_BYTES = 64 * 1024 * 1024;
/** Unique numbers in one batch file. */
export const MAX_BATCH_FILE_NUMBERS = 1_000_000;
/**
 * Rows read from one file, duplicates included: a well-compressed workbook of one number repeated
 * would otherwise keep the parser busy for as long as its rows last.
 */
export const MAX_BATCH_FILE_ROWS = 5_000_000;
/** Invalid lines shown in the preview. */
export const MAX_INVALID_SAMPLES = 20;
/**
 * The longest CSV line read: a row of a batch file holds a number and a few columns beside it.
 * Without it csv-parse grows one field for as long as the line lasts, and a 60 MB line without
 * a break kept it busy for half a minute or more.
 */
export const MAX_CSV_LINE_BYTES = 64 * 1024;
/** Rows looked at to find the number column of a file without a header that names it. */
const COLUMN_SNIFF_ROWS = 100;
/** Lines handled between two yields to the event loop, so an upload does not stall other requests. */
const ROWS_PER_TURN = 20_000;

export const BATCH_FILE_TYPES = ['.txt', '.csv', '.xlsx'] as const;

/** `line` is the 1-based line (txt, csv) or row (xlsx) of the file; stored with the job. */
export type InvalidSample = BatchInvalidSample;

export interface BatchFileSummary {
  /** Valid numbers normalised to 11 digits and invalid entries as written, unique, in file order. */
  entries: string[];
  /** Data lines read: blank lines and the header are not among them. */
  lines: number;
  valid: number;
  invalid: number;
  /** Lines dropped because an earlier line had the same number (or the same invalid text). */
  duplicates: number;
  invalidSamples: InvalidSample[];
}

/** Headers that name the number column; compared lower-cased without spaces, `_` or `-`. */
const NUMBER_HEADERS = new Set([
  'mobile',
  'mobileno',
  'mobilenumber',
  'mobilephone',
  'phone',
  'phoneno',
  'phonenumber',
  'cellphone',
  'tel',
  'telephone',
  'msisdn',
  'number',
  '手机',
  '手机号',
  '手机号码',
  '号码',
  '电话',
  '电话号码',
  '联系电话',
  '联系方式',
  '移动电话',
]);

function namesNumberColumn(cell: string): boolean {
  return NUMBER_HEADERS.has(cell.toLowerCase().replace(/[\s_-]/g, ''));
}

const DIGIT = /[0-9０-９]/;
/** The part of a cell read: far more than a number, a header or padding around them take. */
export const MAX_CELL_CHARS = 4096;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/**
 * Invalid entries are kept as the customer wrote them, cut so a stray paragraph does not end up in
 * the results; the cut ends in `…` so it can never read as a valid number once cut.
 */
function invalidText(text: string): string {
  return text.length <= MAX_MOBILE_INPUT_LENGTH ? text : text.slice(0, MAX_MOBILE_INPUT_LENGTH - 1) + '…';
}

/**
 * Turns the rows of a file into batch entries: skips blank rows and a header, finds the number
 * column, normalises, drops duplicates and counts, whatever the file format was.
 */
class EntryCollector {
  readonly entries: string[] = [];
  lines = 0;
  valid = 0;
  invalid = 0;
  duplicates = 0;
  readonly invalidSamples: InvalidSample[] = [];
  #rows = 0;
  #headerSeen: boolean;
  #column: number | undefined;
  /** Data rows held back until the number column is known. */
  #sniffed: { line: number; cells: string[] }[] = [];
  // Numbers as numbers: 1M of them take a fraction of the memory 1M strings would.
  readonly #seenNumbers = new Set<number>();
  readonly #seenTexts = new Set<string>();

  /** `headerless`: every row is data (a list sent as JSON has no header to skip). */
  constructor(options: { headerless?: boolean } = {}) {
    this.#headerSeen = options.headerless ?? false;
    if (options.headerless) this.#column = 0;
  }

  addRow(line: number, raw: string[]): void {
    // Only a cell's start can matter (a number, a header, the sample shown): every step below
    // copies the text, and a 200 MB cell copied once more ended the process, not only its reader.
    const cells = raw.map((cell) => (cell.length > MAX_CELL_CHARS ? cell.slice(0, MAX_CELL_CHARS) : cell));
    if (++this.#rows > MAX_BATCH_FILE_ROWS) {
      throw new ServiceError('too_many_numbers', `the file has more than ${MAX_BATCH_FILE_ROWS} rows`, {
        limit: MAX_BATCH_FILE_NUMBERS,
      });
    }
    if (cells.every((cell) => cell === '')) return;
    if (!this.#headerSeen) {
      this.#headerSeen = true;
      const named = cells.findIndex(namesNumberColumn);
      if (named >= 0) {
        this.#column = named;
        return;
      }
      // A first row without a single digit is a header, whatever it says.
      if (!cells.some((cell) => DIGIT.test(cell))) return;
    }
    if (this.#column !== undefined) return this.#add(line, cells[this.#column] ?? '');
    this.#sniffed.push({ line, cells });
    if (this.#sniffed.length >= COLUMN_SNIFF_ROWS) this.#decideColumn();
  }

  finish(): BatchFileSummary {
    if (this.#column === undefined) this.#decideColumn();
    return {
      entries: this.entries,
      lines: this.lines,
      valid: this.valid,
      invalid: this.invalid,
      duplicates: this.duplicates,
      invalidSamples: this.invalidSamples,
    };
  }

  /** The column where most sniffed rows hold a valid number; the leftmost on a tie. */
  #decideColumn(): void {
    const width = Math.max(1, ...this.#sniffed.map((row) => row.cells.length));
    const score = (test: (cell: string) => boolean) =>
      Array.from({ length: width }, (_, column) =>
        this.#sniffed.reduce((sum, row) => sum + (test(row.cells[column] ?? '') ? 1 : 0), 0),
      );
    const best = (scores: number[]) => scores.indexOf(Math.max(...scores));
    const valid = score((cell) => parseMobile(cell).ok);
    this.#column = Math.max(...valid) > 0 ? best(valid) : best(score((cell) => DIGIT.test(cell)));
    const rows = this.#sniffed;
    this.#sniffed = [];
    for (const row of rows) this.#add(row.line, row.cells[this.#column] ?? '');
  }

  #add(line: number, cell: string): void {
    // A line break inside a quoted CSV field or a cell is a separator like any other space.
    const text = cell.replace(CONTROL_CHARACTERS, ' ').trim();
    if (text === '') return;
    this.lines++;
    const parsed = parseMobile(text);
    if (parsed.ok) {
      const key = Number(parsed.mobile);
      if (this.#seenNumbers.has(key)) {
        this.duplicates++;
        return;
      }
      this.#seenNumbers.add(key);
      this.valid++;
      this.#push(parsed.mobile);
      return;
    }
    const kept = invalidText(text);
    if (this.#seenTexts.has(kept)) {
      this.duplicates++;
      return;
    }
    this.#seenTexts.add(kept);
    this.invalid++;
    if (this.invalidSamples.length < MAX_INVALID_SAMPLES) {
      this.invalidSamples.push({ line, text: kept, reason: REASONS[parsed.code] });
    }
    this.#push(kept);
  }

  #push(entry: string): void {
    if (this.entries.length >= MAX_BATCH_FILE_NUMBERS) {
      throw new ServiceError(
        'too_many_numbers',
        `the file has more than ${MAX_BATCH_FILE_NUMBERS} different numbers`,
        { limit: MAX_BATCH_FILE_NUMBERS },
      );
    }
    this.entries.push(entry);
  }
}

function invalidFile(message: string): ServiceError {
  return new ServiceError('invalid_file', message);
}

const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Text as the customer's editor saved it: UTF-8 (with or without BOM), UTF-16 with a BOM (Windows
 * Notepad's "Unicode"), else GBK, which Excel and Notepad on a Chinese Windows write by default.
 */
export function decodeText(content: Buffer): string {
  if (content.subarray(0, 3).equals(UTF8_BOM)) return new TextDecoder('utf-8').decode(content.subarray(3));
  if (content[0] === 0xff && content[1] === 0xfe)
    return new TextDecoder('utf-16le').decode(content.subarray(2));
  if (content[0] === 0xfe && content[1] === 0xff)
    return new TextDecoder('utf-16be').decode(content.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return new TextDecoder('gbk').decode(content);
  }
}

function textOf(content: Buffer): string {
  if (content.subarray(0, 4).equals(ZIP_MAGIC) || content.subarray(0, 4).equals(OLE_MAGIC)) {
    throw invalidFile('this is a spreadsheet, not a text file: save it as .xlsx and upload that');
  }
  const text = decodeText(content);
  if (text.includes('\u0000')) throw invalidFile('the file is not text (it holds binary data)');
  return text;
}

async function readTxt(content: Buffer, collector: EntryCollector): Promise<void> {
  const lines = textOf(content).split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    collector.addRow(i + 1, [lines[i]]);
    if (i % ROWS_PER_TURN === ROWS_PER_TURN - 1) await nextTurn();
  }
}

/**
 * The text again as UTF-8 bytes in slices: csv-parse works on bytes and yields between slices.
 * It emits every record of a slice at once, backpressure or not: slices of 1 MB of short rows
 * (`,` and a line break) made half a million records waiting, and a 10 MB file of them took a
 * node with a 256 MB heap down. 64 KB slices keep a few tens of thousands waiting at most.
 */
function* utf8Slices(text: string): Generator<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  const slice = 64 * 1024;
  for (let at = 0; at < bytes.length; at += slice) yield bytes.subarray(at, at + slice);
}

async function readCsv(content: Buffer, collector: EntryCollector): Promise<void> {
  const parser = Readable.from(utf8Slices(textOf(content)), { objectMode: false }).pipe(
    parseCsv({
      delimiter: [',', '\t', ';'],
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      bom: true,
      info: true,
      max_record_size: MAX_CSV_LINE_BYTES,
    }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      collector.addRow(info.lines, record);
    }
  } catch (error) {
    if (error instanceof ServiceError) throw error;
    throw invalidFile(`the CSV file cannot be read: ${(error as Error).message}`);
  } finally {
    parser.destroy();
  }
}

/** What a spreadsheet cell shows, as text: numbers, shared strings, rich text, formula results, links. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const cell = value as { richText?: { text: string }[]; result?: unknown; text?: unknown };
    if (Array.isArray(cell.richText)) return cell.richText.map((run) => run.text).join('');
    if ('result' in cell) return cellText(cell.result);
    if ('text' in cell) return cellText(cell.text);
  }
  return '';
}

async function readXlsx(content: Buffer, collector: EntryCollector): Promise<void> {
  if (content.subarray(0, 4).equals(OLE_MAGIC)) {
    throw invalidFile(
      'old Excel .xls files cannot be read: save it as .xlsx (Excel Workbook) and upload that',
    );
  }
  if (!content.subarray(0, 4).equals(ZIP_MAGIC)) throw invalidFile('the file is not an .xlsx workbook');
  // The streaming reader keeps one row at a time, where a loaded workbook of 1M rows would not fit.
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(content), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    entries: 'ignore',
  });
  let sheets = 0;
  try {
    for await (const sheet of reader) {
      // Later sheets are passed over unread; reading on lets the reader drop its temporary files.
      if (sheets++ > 0) continue;
      let rows = 0;
      for await (const row of sheet) {
        const values = row.values as unknown[];
        collector.addRow(row.number, values.slice(1).map(cellText));
        if (++rows % ROWS_PER_TURN === 0) await nextTurn();
      }
    }
  } catch (error) {
    if (error instanceof ServiceError) throw error;
    // The parser's own words ("Cannot read properties of undefined") say nothing to a customer.
    throw invalidFile('the workbook cannot be read: it is damaged, or not an .xlsx workbook');
  }
  if (sheets === 0) throw invalidFile('the workbook has no worksheet');
}

const READERS: Record<(typeof BATCH_FILE_TYPES)[number], typeof readTxt> = {
  '.txt': readTxt,
  '.csv': readCsv,
  '.xlsx': readXlsx,
};

/**
 * Reads an uploaded batch file (.txt: one number per line; .csv: the number column; .xlsx: the
 * number column of the first sheet) into the entries of a batch job. Refuses with a ServiceError:
 * invalid_file for a wrong type, an unreadable file or one without a valid number, too_many_numbers
 * past MAX_BATCH_FILE_NUMBERS. On this thread: an upload is read through UploadReader, which reads
 * a workbook in a worker under a memory bound.
 */
export async function readBatchFile(fileName: string, content: Buffer): Promise<BatchFileSummary> {
  const type = extname(fileName).toLowerCase();
  const reader = READERS[type as keyof typeof READERS];
  if (!reader) {
    throw invalidFile(
      `a batch file is .txt, .csv or .xlsx; ${fileName ? `"${fileName}" is not` : 'the file has no name'}`,
    );
  }
  if (content.length === 0) throw invalidFile('the file is empty');
  if (content.length > MAX_BATCH_FILE_BYTES) {
    throw new ServiceError('too_large', `a batch file is at most ${MAX_BATCH_FILE_BYTES} bytes`);
  }
  const collector = new EntryCollector();
  await reader(content, collector);
  const summary = collector.finish();
  if (summary.valid === 0) {
    throw invalidFile(
      summary.lines === 0
        ? 'the file holds no numbers'
        : `none of the file's ${summary.lines} lines is a valid mobile number`,
    );
  }
  return summary;
}

/** A list's entry as text: numbers as their digits, anything else that is not text as nothing. */
function listEntryText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value.toFixed(0);
  return '';
}

/**
 * A list of numbers sent as data (`POST /jobs` with a JSON `mobiles` array) read into the entries
 * of a batch job as a file's rows are: the same normalising, duplicates, invalid samples and limits.
 */
export function readNumberList(values: readonly unknown[]): BatchFileSummary {
  const collector = new EntryCollector({ headerless: true });
  values.forEach((value, i) => collector.addRow(i + 1, [listEntryText(value)]));
  const summary = collector.finish();
  if (summary.valid === 0) {
    throw invalidFile(
      summary.lines === 0
        ? 'the list holds no numbers'
        : `none of the list's ${summary.lines} entries is a valid mobile number`,
    );
  }
  return summary;
}
