import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { SEGMENT_TYPE_LABELS, carrierLabel, hostCarrier } from '../../core/carrier.js';
import { PREFIX_COUNT } from '../../core/prefix.js';
import type { SegmentTable } from '../../core/segment-table.js';
import { encodePhoneDat } from '../../data/phone-dat.js';
import { ReadReport } from '../../data/read-report.js';
import { encodeSegmentCsv } from '../../data/segment-csv.js';
import { loadSegments } from '../../data/segment-source.js';
import { CliError } from '../cli-error.js';
import { registerPorted } from './ported.js';
import { printCoverage, registerSegments } from './segments.js';
import { addSegmentsOption, loadChosenSegments } from '../segments-option.js';
import { addDataDirOption } from '../data-dir-option.js';
import { hasStore, withSegments } from '../segment-store.js';
import { type SegmentCoverage, segmentCoverage } from '../../core/segment-coverage.js';
import type { SegmentsInUse } from '../../service/segments/segment-service.js';

export interface SegmentInfo {
  version: string;
  source: string;
  segments: number;
  coverage: number;
  byCarrier: Record<string, number>;
  byType: Record<string, number>;
  withCity: number;
  withZip: number;
  withAreaCode: number;
  locations: number;
  oddRows: string[];
}

export function segmentInfo(table: SegmentTable, report: ReadReport): SegmentInfo {
  const byCarrier: Record<string, number> = {};
  const byType: Record<string, number> = {};
  let withCity = 0;
  let withZip = 0;
  let withAreaCode = 0;
  for (const { type, location } of table.rows()) {
    const carrier = carrierLabel(hostCarrier(type));
    byCarrier[carrier] = (byCarrier[carrier] ?? 0) + 1;
    byType[SEGMENT_TYPE_LABELS[type]] = (byType[SEGMENT_TYPE_LABELS[type]] ?? 0) + 1;
    if (location.city) withCity++;
    if (location.zip) withZip++;
    if (location.areaCode) withAreaCode++;
  }
  return {
    version: table.version,
    source: table.source,
    segments: table.size,
    coverage: table.size / PREFIX_COUNT,
    byCarrier,
    byType,
    withCity,
    withZip,
    withAreaCode,
    locations: table.locations.length,
    oddRows: report.summary(),
  };
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${((part / whole) * 100).toFixed(1)}%`;
}

function printInfo(info: SegmentInfo & { inUse?: SegmentsInUse }, coverage: SegmentCoverage): void {
  const counts = (record: Record<string, number>) =>
    Object.entries(record)
      .sort((a, b) => b[1] - a[1])
      .map(([name, count]) => `${name} ${count}`)
      .join(', ');
  const lines = [
    `source        ${info.source}`,
    `version       ${info.version}`,
    `segments      ${info.segments} of ${PREFIX_COUNT} prefixes 1300000–1999999 (${percent(info.segments, PREFIX_COUNT)})`,
    `by carrier    ${counts(info.byCarrier)}`,
    `by type       ${counts(info.byType)}`,
    `with city     ${info.withCity} (${percent(info.withCity, info.segments)})`,
    `with zip      ${info.withZip} (${percent(info.withZip, info.segments)})`,
    `with 区号     ${info.withAreaCode} (${percent(info.withAreaCode, info.segments)})`,
    `places        ${info.locations} distinct locations`,
    `odd rows      ${info.oddRows.length === 0 ? 'none' : info.oddRows.join('; ')}`,
  ];
  if (info.inUse) {
    const { versionId, overrides } = info.inUse;
    lines.unshift(
      `in use        ${versionId === null ? 'default (no segment version applied)' : `version ${versionId}`}, ${overrides} override${overrides === 1 ? '' : 's'}`,
    );
  }
  console.log(lines.join('\n'));
  console.log(
    'coverage by 3-digit block (segments the data has against those the numbering plan allocates):',
  );
  printCoverage(coverage);
}

function outputFormat(path: string): 'dat' | 'csv' {
  const extension = extname(path).toLowerCase();
  if (extension === '.dat') return 'dat';
  if (extension === '.csv') return 'csv';
  throw new CliError(`${path}: output must end in .dat or .csv`);
}

export function registerData(program: Command): Command {
  const data = program.command('data').description('segment and portability data');

  addDataDirOption(
    addSegmentsOption(
      data
        .command('info')
        .description(
          'the segment data in use (the store’s version and overrides), counts by carrier and type, coverage by block',
        )
        .option('--json', 'as JSON'),
    ),
  ).action(async (options: { segments?: string; dataDir?: string; json?: boolean }) => {
    // A file named here is described as it is; otherwise what the servers answer from.
    const fromStore = options.segments === undefined && hasStore(options);
    const { info, coverage } = fromStore
      ? await withSegments(options, async (segments, _store, base) => ({
          info: {
            // The base file's odd rows say nothing about a version applied since.
            ...segmentInfo(
              segments.table,
              segments.inUse.versionId === null ? base.report : new ReadReport(),
            ),
            inUse: segments.inUse,
          },
          coverage: segments.coverage(),
        }))
      : await loadChosenSegments(options).then(({ table, report }) => ({
          info: segmentInfo(table, report) as SegmentInfo & { inUse?: SegmentsInUse },
          coverage: segmentCoverage(table),
        }));
    if (options.json) console.log(JSON.stringify({ ...info, coverage }, null, 2));
    else printInfo(info, coverage);
  });

  data
    .command('convert')
    .description('convert a segment database between phone.dat and CSV (by extension)')
    .argument('<in>', 'phone.dat or CSV file')
    .argument('<out>', 'file to write: .dat or .csv')
    .option('--version <YYMM>', 'version header for a .dat output (default: the input version)')
    .action(async (input: string, output: string, options: { version?: string }) => {
      const format = outputFormat(output);
      const { table, report } = await loadSegments(input);
      const version = options.version ?? table.version;
      if (format === 'dat' && !/^\d{4}$/.test(version)) {
        throw new CliError(
          `the input has version ${JSON.stringify(version)}; give --version YYMM for a .dat file`,
        );
      }
      await writeFile(output, format === 'dat' ? encodePhoneDat(table, version) : encodeSegmentCsv(table));
      const odd = report.summary();
      console.error(
        `mnpd: wrote ${table.size} segments to ${output}${odd.length ? ` (odd rows: ${odd.join('; ')})` : ''}`,
      );
    });

  registerPorted(data);
  registerSegments(data);
  return data;
}
