import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { CARRIER_NAMES, hostCarrier } from '../../core/carrier.js';
import { isoDateFromDay } from '../../core/ported-index.js';
import { NO_SEGMENT, cellType } from '../../core/segment-table.js';
import { type ApplyResult, PortedDatabase, readPortedState } from '../../data/ported-database.js';
import { FeedRejectedError, type FeedReport } from '../../data/ported-feed.js';
import { portedStats } from '../../data/ported-stats.js';
import { generatePortedIndex, generatePortedRows } from '../../data/ported-generator.js';
import { processInbox } from '../../service/portability/inbox.js';
import { CliError } from '../cli-error.js';
import { wholeNumber } from '../whole-number.js';
import { addDataDirOption, chosenDataDir } from '../data-dir-option.js';
import { phaseProgress } from '../progress.js';
import { addSegmentsOption, loadChosenSegments } from '../segments-option.js';
import { importAsCli, withPortability } from '../portability-option.js';

/** Generated databases are for demos and benchmarks; past this they stop fitting a machine. */
const MAX_GENERATED = 200_000_000;

function printProblems(report: FeedReport): void {
  for (const problem of report.problems) console.error(`  line ${problem.line}: ${problem.reason}`);
  if (report.invalid > report.problems.length)
    console.error(`  … and ${report.invalid - report.problems.length} more`);
}

async function withProgress(
  work: (onProgress: ReturnType<typeof phaseProgress>['update']) => Promise<ApplyResult>,
) {
  const bar = phaseProgress();
  try {
    return await work(bar.update);
  } catch (error) {
    if (error instanceof FeedRejectedError) {
      bar.stop();
      console.error(
        `mnpd: ${error.file}: ${error.report.invalid} invalid rows of ${error.report.rows}; nothing applied (--skip-invalid applies the valid ones)`,
      );
      printProblems(error.report);
      throw new CliError('', 1);
    }
    throw error;
  } finally {
    bar.stop();
  }
}

function summary(result: ApplyResult): string {
  const { index, meta } = result.state;
  const unshared =
    result.notShared === undefined
      ? ''
      : `; applied here only, not yet shared with the cluster: ${result.notShared}`;
  return `database: ${index.size} ported numbers, version ${meta.dataVersion}, last seq ${meta.lastSeq}${unshared}`;
}

function printSkipped(report: FeedReport | undefined): void {
  if (!report || report.invalid === 0) return;
  console.error(`mnpd: skipped ${report.invalid} invalid rows:`);
  printProblems(report);
}

export function registerPorted(data: Command): void {
  addDataDirOption(
    data
      .command('import-ported')
      .description('replace the portability database with a full snapshot CSV: mobile,carrier[,ported_at]')
      .argument('<file>', 'full snapshot CSV')
      .option(
        '--skip-invalid',
        'apply the valid rows and report the invalid ones, instead of refusing the file',
      )
      .option(
        '--seq <n>',
        'the delta seq this snapshot is as of (default: keep the last applied seq)',
        wholeNumber('--seq', 0, Number.MAX_SAFE_INTEGER),
      ),
  ).action(async (file: string, options: { skipInvalid?: boolean; seq?: number; dataDir?: string }) => {
    const result = await withPortability(chosenDataDir(options), (portability) =>
      withProgress((onProgress) => importAsCli(portability, file, 'full', { ...options, onProgress })),
    );
    printSkipped(result.report);
    console.log(`imported ${result.report?.valid ?? 0} rows from ${file}; ${summary(result)}`);
  });

  addDataDirOption(
    data
      .command('apply-delta')
      .description('apply an incremental feed: seq,op,mobile,carrier,ported_at with op port or return')
      .argument('<file>', 'delta CSV')
      .option(
        '--skip-invalid',
        'apply the valid rows and report the invalid ones, instead of refusing the file',
      ),
  ).action(async (file: string, options: { skipInvalid?: boolean; dataDir?: string }) => {
    const result = await withPortability(chosenDataDir(options), (portability) =>
      withProgress((onProgress) => importAsCli(portability, file, 'delta', { ...options, onProgress })),
    );
    printSkipped(result.report);
    const report = result.report!;
    if (!result.changed) {
      console.log(`nothing to apply: every row of ${file} was applied before; ${summary(result)}`);
      return;
    }
    const fresh = report.valid - (report.alreadyApplied ?? 0);
    console.log(
      `applied seq ${report.firstSeq}–${report.lastSeq} (${fresh} changes) from ${file}; ${summary(result)}`,
    );
  });

  addDataDirOption(
    data
      .command('stats')
      .description('the portability database: count, by carrier, by month ported, version, last seq')
      .option('--json', 'as JSON'),
  ).action(async (options: { dataDir?: string; json?: boolean }) => {
    const state = await readPortedState(chosenDataDir(options));
    const counted = state && portedStats(state);
    const byCarrier = counted?.byCarrier ?? Object.fromEntries(CARRIER_NAMES.map((name) => [name, 0]));
    // Undated ports are the month 'unknown' here, after the dated ones.
    const byMonth = Object.fromEntries([
      ...(counted?.byMonth.map(({ month, count }) => [month, count]) ?? []),
      ...(counted?.undated ? [['unknown', counted.undated]] : []),
    ]);
    const stats = {
      count: counted?.count ?? 0,
      byCarrier,
      byMonth,
      dataVersion: counted?.version ?? null,
      lastSeq: counted?.lastSeq ?? 0,
      source: counted?.source ?? null,
      createdAt: counted?.createdAt ?? null,
      bytes: state?.index.byteSize ?? 0,
    };
    if (options.json) {
      console.log(JSON.stringify(stats, null, 2));
      return;
    }
    if (!state)
      console.log(`no portability database in ${chosenDataDir(options)} yet (mnpd data import-ported FILE)`);
    console.log(`ported numbers  ${stats.count}`);
    console.log(
      `by carrier      ${Object.entries(byCarrier)
        .map(([name, count]) => `${name} ${count}`)
        .join(', ')}`,
    );
    console.log(
      `data version    ${stats.dataVersion ?? '-'}   last seq ${stats.lastSeq}   from ${stats.source ?? '-'}`,
    );
    console.log(`memory          ${(stats.bytes / 1024 / 1024).toFixed(1)} MiB`);
    console.log('by month ported');
    for (const [month, count] of Object.entries(byMonth)) console.log(`  ${month}  ${count}`);
  });

  addSegmentsOption(
    addDataDirOption(
      data
        .command('generate-ported')
        .description('a deterministic synthetic portability database, for demos and benchmarks')
        .requiredOption('--count <n>', 'how many ported numbers', wholeNumber('--count', 1, MAX_GENERATED))
        .option('--seed <n>', 'random seed (same seed, same data)', wholeNumber('--seed', 0, 2 ** 32 - 1), 1)
        .option('--out <file>', 'write a full snapshot CSV instead of importing into the data directory'),
    ),
  ).action(
    async (options: { count: number; seed: number; out?: string; dataDir?: string; segments?: string }) => {
      const { table } = await loadChosenSegments(options);
      const initialCarrierOf = (prefix7: number) => {
        const cell = table.cellAt(prefix7);
        return cell === NO_SEGMENT ? undefined : hostCarrier(cellType(cell));
      };
      const generate = { count: options.count, seed: options.seed, initialCarrierOf };
      if (options.out !== undefined) {
        const out = createWriteStream(options.out);
        let chunk = 'mobile,carrier,ported_at\n';
        for (const row of generatePortedRows(generate)) {
          chunk += `${row.mobile},${CARRIER_NAMES[row.carrier]},${isoDateFromDay(row.day) ?? ''}\n`;
          if (chunk.length > 1 << 16) {
            if (!out.write(chunk)) await once(out, 'drain');
            chunk = '';
          }
        }
        out.end(chunk);
        await finished(out);
        console.log(`wrote ${options.count} synthetic ported numbers to ${options.out}`);
        return;
      }
      const db = await PortedDatabase.open(chosenDataDir(options));
      const { index } = generatePortedIndex(generate);
      const result = await db.replace(index, `synthetic count=${options.count} seed=${options.seed}`);
      console.log(`generated ${options.count} synthetic ported numbers; ${summary(result)}`);
    },
  );

  addDataDirOption(
    data
      .command('process-inbox')
      .description('apply the feeds waiting in <data dir>/inbox, moving them to archive/ or failed/')
      .option('--skip-invalid', 'apply the valid rows of files with invalid ones'),
  ).action(async (options: { dataDir?: string; skipInvalid?: boolean }) => {
    const dataDir = chosenDataDir(options);
    const outcomes = await withPortability(dataDir, ({ service }) => processInbox(service, dataDir, options));
    if (outcomes.length === 0) console.log('the inbox is empty');
    for (const outcome of outcomes)
      console.log(`${outcome.status.padEnd(9)} ${outcome.file}: ${outcome.message}`);
    if (outcomes.some((outcome) => outcome.status === 'failed')) process.exitCode = 1;
  });
}
