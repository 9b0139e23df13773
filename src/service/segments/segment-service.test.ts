/**
 * The segment service on a real store of each engine: updates, reports, rollback, overrides that
 * survive updates, a broken file that changes nothing, and a second service (another node, or the
 * CLI beside a server) that follows what the first one changed.
 */
import { describe, expect, it } from 'vitest';
import { parseSegmentCsv } from '../../data/segment-csv.js';
import type { SegmentTable } from '../../core/segment-table.js';
import { logSkippedEngines, storeEngines } from '../../store/test-support/store-engines.js';
import type { Store } from '../../store/store.js';
import { cliActor } from '../operators/audit.js';
import { ServiceError } from '../service-error.js';
import { SegmentService } from './segment-service.js';

logSkippedEngines('segment service tests');

const csv = (version: string, rows: string[]) =>
  Buffer.from([`# mnpd segments version ${version}`, ...rows].join('\n'));

const BASE = csv('base', ['1397256,湖北,宜昌,443000,0717,移动', '1380013,北京,北京,100000,010,移动']);
const NEWER = csv('2502', [
  '1397256,湖北,武汉,430000,027,移动',
  '1380013,北京,北京,100000,010,联通',
  '1983170,河北,沧州,061000,0317,移动',
]);

const base = () => parseSegmentCsv(BASE, 'base.csv').table;
const actor = cliActor();

function areaOf(table: SegmentTable, prefix: number): string {
  const cell = table.cellAt(prefix);
  return cell === 0 ? '(none)' : table.locationOf(cell).area;
}

/** A sink that records every table it was given. */
function recordingSink() {
  const tables: SegmentTable[] = [];
  return { tables, replaceSegments: (table: SegmentTable) => void tables.push(table) };
}

async function open(store: Store, node: string, sink = recordingSink()) {
  return { sink, service: await SegmentService.open(store, { node, base: base(), sink }) };
}

for (const engine of storeEngines) {
  describe.skipIf(engine.skipReason !== undefined)(`segment service on ${engine.name}`, () => {
    it('applies a file with a report, keeps versions, rolls back, and refuses a broken file', async () => {
      const database = await engine.create();
      const store = database.open();
      await store.migrate();
      try {
        const { service, sink } = await open(store, 'a');
        expect(service.inUse).toMatchObject({ versionId: null, dataVersion: 'base', overrides: 0 });

        const checked = await service.check('newer.csv', NEWER);
        expect(checked.applied).toBeUndefined();
        expect(areaOf(service.table, 1397256)).toBe('湖北-宜昌');

        const report = await service.update(actor, 'newer.csv', NEWER);
        expect(report.diff.counts).toMatchObject({ added: 1, removed: 0, moved: 1, carrier: 1 });
        expect(report.diff.byCarrier['联通'].carrier).toBe(1);
        expect(report.diff.examples.added[0]).toMatchObject({
          prefix: 1983170,
          after: { area: '河北-沧州' },
        });
        expect(report.applied).toMatchObject({ dataVersion: '2502', segments: 3, fileName: 'newer.csv' });
        expect(areaOf(service.table, 1397256)).toBe('湖北-武汉');
        expect(sink.tables.at(-1)).toBe(service.table);
        expect(service.inUse.versionId).toBe(report.applied!.id);

        // A broken file: refused, nothing recorded, nothing swapped.
        const swaps = sink.tables.length;
        for (const broken of [
          Buffer.from('2502\x08\x00\x00\x00garbage'),
          Buffer.alloc(0),
          Buffer.from('\0\0\0'),
        ]) {
          await expect(service.update(actor, 'broken.dat', broken)).rejects.toBeInstanceOf(ServiceError);
        }
        await expect(service.update(actor, 'x.csv', csv('x', ['2000000,a,b,c,d,移动']))).rejects.toThrow(
          /no segment rows|no segment/,
        );
        expect(sink.tables.length).toBe(swaps);
        expect((await service.versions()).length).toBe(1);

        // Without a version: back to the one before (the server's own data), then forth again.
        expect(await service.rollback(actor)).toMatchObject({ versionId: null, dataVersion: 'base' });
        expect(areaOf(service.table, 1397256)).toBe('湖北-宜昌');
        expect(await service.rollback(actor, report.applied!.id)).toMatchObject({
          versionId: report.applied!.id,
        });
        expect(areaOf(service.table, 1397256)).toBe('湖北-武汉');
        await expect(service.rollback(actor, 424242)).rejects.toMatchObject({ code: 'not_found' });

        const audit = (await store.auditLog()).rows.map((row) => row.action);
        expect(audit).toEqual(['segments.rollback', 'segments.rollback', 'segments.update']);
        await service.close();
      } finally {
        await store.close();
        await database.dispose();
      }
    });

    it('keeps overrides above every version and says which ones a new file agrees with', async () => {
      const database = await engine.create();
      const store = database.open();
      await store.migrate();
      const other = database.open();
      try {
        const { service } = await open(store, 'a');
        const { service: follower, sink } = await open(other, 'b');
        const set = await service.setOverride(actor, { prefixes: '1397256', city: '武汉', note: 'ticket 7' });
        await service.setOverride(actor, { prefixes: '1380013-1380014', type: '电信' });
        expect(areaOf(service.table, 1397256)).toBe('湖北-武汉');
        expect(service.inUse.overrides).toBe(2);
        await expect(service.setOverride(actor, { prefixes: '12345', city: 'x' })).rejects.toMatchObject({
          code: 'invalid',
        });

        // The other node follows the overrides...
        await follower.sync();
        expect(areaOf(follower.table, 1397256)).toBe('湖北-武汉');
        expect(follower.table.cellAt(1380014) & 0xf).toBe(3);

        // ... and an update made there: the overrides stay, the agreeing one is named.
        const report = await follower.update(actor, 'newer.csv', NEWER);
        expect(report.overridesNowAgreeing.map((o) => o.id)).toEqual([set.id]);
        await service.sync();
        expect(service.inUse.versionId).toBe(report.applied!.id);
        expect(service.table.cellAt(1380013) & 0xf).toBe(3);
        expect(areaOf(service.table, 1983170)).toBe('河北-沧州');

        await service.unsetOverride(actor, set.id);
        await expect(service.unsetOverride(actor, set.id)).rejects.toMatchObject({ code: 'not_found' });
        await follower.sync();
        expect(follower.inUse.overrides).toBe(1);
        expect(sink.tables.at(-1)).toBe(follower.table);
        const audit = (await store.auditLog()).rows.map((row) => row.action);
        expect(audit).toEqual([
          'segments.override.unset',
          'segments.update',
          'segments.override.set',
          'segments.override.set',
        ]);
        await service.close();
        await follower.close();
      } finally {
        await store.close();
        await other.close();
        await database.dispose();
      }
    });
  });
}
