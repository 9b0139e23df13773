/**
 * `mnpd data update-segments`, `data segments list|rollback`, `data override set|unset|list`: the
 * segment data the servers answer from, changed in the store they share. Running servers load a
 * change within MNPD_SEGMENTS_FOLLOW_MS, without a restart.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import Table from 'cli-table3';
import { SEGMENT_TYPE_LABELS } from '../../core/carrier.js';
import type { SegmentCoverage } from '../../core/segment-coverage.js';
import type { SegmentChange } from '../../core/segment-diff.js';
import { cliActor } from '../../service/operators/audit.js';
import type { SegmentUpdateReport } from '../../service/segments/segment-report.js';
import type { SegmentOverride } from '../../store/store.js';
import { CliError } from '../cli-error.js';
import { addDataDirOption } from '../data-dir-option.js';
import { withSegments } from '../segment-store.js';
import { addSegmentsOption } from '../segments-option.js';
import { wholeNumber } from '../whole-number.js';

/** One line per row: reports run to dozens of rows. */
const plain = {
  style: { head: [], border: [] },
  chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
};

function state(change: SegmentChange['before']): string {
  return change ? `${change.area || '(no area)'} ${change.type}` : '—';
}

export function printReport(report: SegmentUpdateReport): void {
  const { diff } = report;
  const lines = [
    `file          ${report.fileName} (sha256 ${report.sha256.slice(0, 12)}…)`,
    `version       ${report.dataVersion}, ${report.segments} segments (was ${diff.before.version}, ${diff.before.size})`,
    `odd rows      ${report.oddRows.total === 0 ? 'none' : report.oddRows.summary.join('; ')}`,
    `unchanged     ${diff.unchanged}`,
    `added         ${diff.counts.added}`,
    `removed       ${diff.counts.removed}`,
    `moved city    ${diff.counts.moved}`,
    `zip/区号      ${diff.counts.details}`,
    `carrier       ${diff.counts.carrier}${diff.carrierChanges.length ? ` (${diff.carrierChanges.map((c) => `${c.from}→${c.to} ${c.count}`).join(', ')})` : ''}`,
    `type          ${diff.counts.type}`,
  ];
  console.log(lines.join('\n'));
  const byCarrier = new Table({
    head: ['carrier', 'added', 'removed', 'moved', 'carrier', 'type'],
    ...plain,
  });
  for (const [name, c] of Object.entries(diff.byCarrier))
    byCarrier.push([name, c.added, c.removed, c.moved, c.carrier, c.type]);
  console.log(byCarrier.toString());
  const byProvince = new Table({
    head: ['province', 'added', 'removed', 'moved', 'carrier', 'type'],
    ...plain,
  });
  const provinces = Object.entries(diff.byProvince).sort(
    (a, b) => b[1].added + b[1].removed + b[1].moved - (a[1].added + a[1].removed + a[1].moved),
  );
  for (const [name, c] of provinces)
    byProvince.push([name || '(none)', c.added, c.removed, c.moved, c.carrier, c.type]);
  console.log(byProvince.toString());
  const examples = new Table({ head: ['kind', 'prefix', 'before', 'after'], ...plain });
  for (const [kind, changes] of Object.entries(diff.examples))
    for (const change of changes)
      examples.push([kind, change.prefix, state(change.before), state(change.after)]);
  if (examples.length > 0) console.log(examples.toString());
  if (report.overridesNowAgreeing.length > 0) {
    console.log('overrides the new data now agrees with (they can be removed: mnpd data override unset ID):');
    printOverrides(report.overridesNowAgreeing);
  }
  console.log(
    report.applied
      ? `applied: version ${report.applied.id} in use; servers load it within MNPD_SEGMENTS_FOLLOW_MS`
      : 'checked only: nothing applied',
  );
}

function printOverrides(overrides: SegmentOverride[]): void {
  const table = new Table({
    head: ['id', 'prefixes', 'province', 'city', 'zip', '区号', 'type', 'note', 'by', 'at'],
    ...plain,
  });
  for (const o of overrides) {
    table.push([
      o.id,
      o.firstPrefix === o.lastPrefix ? o.firstPrefix : `${o.firstPrefix}-${o.lastPrefix}`,
      o.province ?? '',
      o.city ?? '',
      o.zip ?? '',
      o.areaCode ?? '',
      o.type === null ? '' : SEGMENT_TYPE_LABELS[o.type],
      o.note,
      o.createdBy,
      o.createdAt.toISOString(),
    ]);
  }
  console.log(table.toString());
}

export function printCoverage(coverage: SegmentCoverage): void {
  const table = new Table({
    head: ['block', 'carriers', 'allocated', 'present', 'missing', 'outside plan'],
    ...plain,
  });
  for (const b of coverage.blocks)
    if (b.allocated > 0 || b.present > 0)
      table.push([b.block, b.carriers, b.allocated, b.present, b.missing, b.outsidePlan]);
  const t = coverage.totals;
  table.push(['all', '', t.allocated, t.present, t.missing, t.outsidePlan]);
  console.log(table.toString());
}

const options = (command: Command) => addSegmentsOption(addDataDirOption(command));

export function registerSegments(data: Command): void {
  options(
    data
      .command('update-segments')
      .description('apply a segment file (phone.dat or CSV) to the servers, with a report of what changes')
      .argument('<file>', 'phone.dat or CSV file')
      .option('--check', 'report only: apply nothing')
      .option('--json', 'the report as JSON'),
  ).action(
    async (file: string, opts: { check?: boolean; json?: boolean; dataDir?: string; segments?: string }) => {
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (error) {
        throw new CliError(
          `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
        );
      }
      await withSegments(opts, async (segments) => {
        const name = basename(file);
        const report = opts.check
          ? await segments.check(name, bytes)
          : await segments.update(cliActor(), name, bytes);
        if (opts.json) console.log(JSON.stringify(report, null, 2));
        else printReport(report);
      });
    },
  );

  const versions = data.command('segments').description('segment versions: list, rollback');
  options(
    versions.command('list').description('segment versions, newest first').option('--json', 'as JSON'),
  ).action(async (opts: { json?: boolean; dataDir?: string; segments?: string }) =>
    withSegments(opts, async (segments) => {
      const list = await segments.versions();
      const inUse = segments.inUse;
      if (opts.json) {
        console.log(JSON.stringify({ inUse, versions: list }, null, 2));
        return;
      }
      const table = new Table({
        head: ['', 'id', 'file', 'version', 'segments', 'by', 'at', 'sha256'],
        ...plain,
      });
      table.push([
        inUse.versionId === null ? '*' : '',
        'default',
        '(MNPD_SEGMENTS or embedded)',
        '',
        '',
        '',
        '',
        '',
      ]);
      for (const v of list) {
        table.push([
          inUse.versionId === v.id ? '*' : '',
          v.id,
          v.fileName,
          v.dataVersion,
          v.segments,
          v.createdBy,
          v.createdAt.toISOString(),
          v.sha256.slice(0, 12),
        ]);
      }
      console.log(table.toString());
    }),
  );
  options(
    versions
      .command('rollback')
      .description('go back to VERSION (an id, or default), else to the version in use before this one')
      .argument('[version]', 'version id, or default'),
  ).action(async (version: string | undefined, opts: { dataDir?: string; segments?: string }) => {
    const target =
      version === undefined || version === 'default' ? version : wholeNumber('version', 1)(version);
    await withSegments(opts, async (segments) => {
      const inUse = await segments.rollback(cliActor(), target as number | 'default' | undefined);
      console.log(
        `in use: ${inUse.versionId === null ? 'default' : `version ${inUse.versionId}`} (${inUse.dataVersion}, ${inUse.segments} segments, ${inUse.overrides} override${inUse.overrides === 1 ? '' : 's'})`,
      );
    });
  });

  const override = data.command('override').description("operators' corrections of segments");
  options(
    override
      .command('set')
      .description('correct a prefix or a range FIRST-LAST; fields not given keep the data’s value')
      .argument('<prefixes>', '1700000 or 1700000-1700999')
      .option('--province <name>')
      .option('--city <name>')
      .option('--zip <zip>')
      .option('--area-code <code>', '区号, e.g. 0717')
      .option('--type <type>', `a carrier, or one of ${SEGMENT_TYPE_LABELS.join(', ')}`)
      .option('--note <text>', 'why (kept with it)'),
  ).action(
    async (
      prefixes: string,
      opts: {
        province?: string;
        city?: string;
        zip?: string;
        areaCode?: string;
        type?: string;
        note?: string;
        dataDir?: string;
        segments?: string;
      },
    ) =>
      withSegments(opts, async (segments) => {
        const set = await segments.setOverride(cliActor(), { prefixes, ...opts });
        printOverrides([set]);
      }),
  );
  options(override.command('unset').description('remove an override').argument('<id>')).action(
    async (id: string, opts: { dataDir?: string; segments?: string }) =>
      withSegments(opts, async (segments) => {
        await segments.unsetOverride(cliActor(), wholeNumber('id', 1)(id));
        console.log(`override ${id} removed`);
      }),
  );
  options(override.command('list').description('the overrides in force').option('--json', 'as JSON')).action(
    async (opts: { json?: boolean; dataDir?: string; segments?: string }) =>
      withSegments(opts, async (segments) => {
        const list = await segments.overrides();
        if (opts.json) console.log(JSON.stringify(list, null, 2));
        else printOverrides(list);
      }),
  );
}
