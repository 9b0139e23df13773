import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { SingleBar } from 'cli-progress';
import { type LookupSources, lookupMobile } from '../core/lookup.js';
import { REASONS } from '../core/result-codes.js';
import { ANSWER_COLUMNS, RESULT_COLUMNS, answerCells, entryCode } from '../core/result-columns.js';
import { inertCell } from '../service/csv-cells.js';
import { CliError } from './cli-error.js';

const NO_ANSWER = ANSWER_COLUMNS.map(() => '');

/** Output is written in chunks of about this many characters, waiting when the reader is slow. */
const WRITE_CHUNK = 1 << 16;

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** First CSV column of a line, unquoted. */
function firstColumn(line: string): string {
  const comma = line.indexOf(',');
  const cell = (comma < 0 ? line : line.slice(0, comma)).trim();
  return cell.length >= 2 && cell.startsWith('"') && cell.endsWith('"') ? cell.slice(1, -1) : cell;
}

/** A line of the results file: the same columns as a batch job's results (RESULT_COLUMNS). */
function resultLine(input: string, sources: LookupSources): string {
  const outcome = lookupMobile(input, sources);
  const code = entryCode(outcome);
  const cells =
    outcome.code === 0
      ? [outcome.answer.seed.Mobile, '0', REASONS[0], ...answerCells(outcome.answer, ANSWER_COLUMNS)]
      : [String(inertCell(input)), String(code), REASONS[code], ...NO_ANSWER];
  return cells.map(csvField).join(',') + '\n';
}

function progressBar(total: number): SingleBar | undefined {
  if (!process.stderr.isTTY) return undefined;
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'lookup [{bar}] {percentage}% | {lines} numbers | eta {eta}s',
    hideCursor: true,
  });
  bar.start(total, 0, { lines: 0 });
  return bar;
}

/** Looks up every number of a file and writes the results CSV; returns how many were read. */
export async function lookupFile(
  path: string,
  outPath: string | undefined,
  sources: LookupSources,
): Promise<number> {
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) throw new CliError(`${path}: not a file`);
    size = stats.size;
  } catch (error) {
    throw error instanceof CliError ? error : new CliError(`${path}: no such file`);
  }
  const input = createReadStream(path, { encoding: 'utf8' });
  const out: Writable = outPath === undefined ? process.stdout : createWriteStream(outPath);
  const bar = progressBar(size);
  let pending = RESULT_COLUMNS.join(',') + '\n';
  let lines = 0;
  let first = true;

  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    const cell = firstColumn(line);
    // A header such as `mobile` or `手机号` has no digit in its first cell.
    if (first && !/[0-9０-９]/.test(cell)) {
      first = false;
      continue;
    }
    first = false;
    if (cell === '') continue;
    pending += resultLine(cell, sources);
    lines++;
    if (pending.length >= WRITE_CHUNK) {
      if (!out.write(pending)) await once(out, 'drain');
      pending = '';
      bar?.update(input.bytesRead, { lines });
    }
  }
  out.write(pending);
  bar?.update(size, { lines });
  bar?.stop();
  if (out !== process.stdout) {
    out.end();
    await finished(out);
  }
  return lines;
}
