import type { Command } from 'commander';
import Table from 'cli-table3';
import { type LookupOutcome, lookupMobiles } from '../../core/lookup.js';
import { REASONS } from '../../core/result-codes.js';
import { seedBody } from '../../core/seed-body.js';
import { CliError } from '../cli-error.js';
import { lookupFile } from '../lookup-file.js';
import { addSegmentsOption, loadChosenSegments } from '../segments-option.js';
import { readPortedState } from '../../data/ported-database.js';
import { addDataDirOption, chosenDataDir } from '../data-dir-option.js';
import { hasStore, withSegments } from '../segment-store.js';
import { planFallbackFromEnv } from '../../service/config.js';
import type { SegmentTable } from '../../core/segment-table.js';

/**
 * The table the servers answer from: the store's segment version and corrections when there is a
 * store; a file named with --segments is taken as it is.
 */
function segmentsInUse(options: LookupOptions): Promise<SegmentTable> {
  if (options.segments === undefined && hasStore(options))
    return withSegments(options, async (segments) => segments.table);
  return loadChosenSegments(options).then(({ table }) => table);
}

interface LookupOptions {
  json?: boolean;
  ext?: boolean;
  file?: string;
  out?: string;
  segments?: string;
  dataDir?: string;
}

function printTable(numbers: string[], outcomes: LookupOutcome[]): void {
  const table = new Table({
    head: ['mobile', 'code', 'res', 'Area', 'Init_isp', 'Now_isp', 'type', 'zip', 'area code'],
    style: { head: [], border: [] },
  });
  outcomes.forEach((outcome, i) => {
    if (outcome.code !== 0) {
      table.push([numbers[i], `${outcome.code} ${REASONS[outcome.code]}`, '', '', '', '', '', '', '']);
      return;
    }
    const { seed, ext } = outcome.answer;
    table.push([
      seed.Mobile,
      '0',
      seed.res,
      seed.Area,
      seed.Init_isp,
      seed.Now_isp,
      ext.type,
      ext.zip,
      ext.areaCode,
    ]);
  });
  console.log(table.toString());
}

export function registerLookup(program: Command): void {
  addDataDirOption(
    addSegmentsOption(
      program
        .command('lookup')
        .description('look numbers up offline: carrier, area, portability')
        .argument('[numbers...]', 'mobile numbers, in any usual spelling (+86, spaces, dashes, full-width)')
        .option('--json', 'one JSON object per number, in the API answer shape')
        .option('--ext', 'add the extended fields (province, city, zip, area code, type, …)')
        .option('--file <path>', 'read numbers from a file, one per line or in the first CSV column')
        .option('--out <path>', 'with --file: write the results CSV here (default: standard output)'),
    ),
  ).action(async (numbers: string[], options: LookupOptions) => {
    if (options.file === undefined && numbers.length === 0) {
      throw new CliError('give numbers to look up, or --file FILE');
    }
    if (options.out !== undefined && options.file === undefined) throw new CliError('--out needs --file');
    const [table, ported] = await Promise.all([
      segmentsInUse(options),
      readPortedState(chosenDataDir(options)),
    ]);
    const sources = {
      segments: table,
      planFallback: planFallbackFromEnv(),
      ported: ported && { index: ported.index, version: ported.meta.dataVersion },
    };
    if (options.file !== undefined) {
      await lookupFile(options.file, options.out, sources);
      return;
    }
    const outcomes = lookupMobiles(numbers, sources);
    if (options.json) {
      for (const outcome of outcomes) console.log(JSON.stringify(seedBody(outcome, options.ext)));
    } else {
      printTable(numbers, outcomes);
    }
  });
}
