import { beforeAll, describe, expect, it } from 'vitest';
import { availableEngines } from '../../../test-support/test-databases.js';
import { serverForThisFile } from '../../../test-support/test-server.js';
import { uniqueName } from '../../test-support/fixtures.js';
import { type LookupBody, get } from '../../test-support/http-client.js';
import type { SegmentReportView, SegmentsView } from '../../../wire/console-api.js';
import type { ConsoleClient } from '../test-support/console-client.js';
import { loggedInCustomer, loginFirstOperator } from '../test-support/console-users.js';

/** The test server's file with 1397256 moved to 武汉 and 1983170 added. */
const NEWER = [
  '# mnpd segments version 2503',
  '1397256,湖北,武汉,430000,027,移动',
  '1380013,北京,北京,100000,010,移动',
  '1983170,河北,沧州,061000,0317,移动',
].join('\n');

describe.each(availableEngines('console segment data'))('segment data on the data page (%s)', (engine) => {
  const server = serverForThisFile(engine);
  let operator: ConsoleClient;
  let apikey: string;
  const area = async (mobile: string) =>
    (await get<LookupBody>(server.url, '/carrier', { apikey, mobile })).body.result?.Area;

  beforeAll(async () => {
    operator = await loginFirstOperator(server);
    ({ apikey } = await server.account({ name: uniqueName('segments'), balance: 1000 }));
  });

  it('checks an upload, then applies it, lists it, and rolls it back', async () => {
    const checked = await operator.postFile('/admin/data/segments', 'file', 'newer.csv', NEWER, {
      apply: 'false',
    });
    expect(checked.status, checked.text()).toBe(200);
    const report = checked.json<SegmentReportView>();
    expect(report).toMatchObject({ dataVersion: '2503', segments: 3, applied: null });
    expect(report.diff.counts).toMatchObject({ added: 1, moved: 1, removed: 5 });
    expect(await area('13972565391')).toBe('湖北-宜昌');

    const applied = await operator.postFile('/admin/data/segments', 'file', 'newer.csv', NEWER, {
      apply: 'true',
    });
    expect(applied.json<SegmentReportView>().applied).toMatchObject({
      fileName: 'newer.csv',
      createdBy: 'admin',
    });
    expect(await area('13972565391')).toBe('湖北-武汉');

    const view = (await operator.get('/admin/data/segments')).json<SegmentsView>();
    expect(view.inUse).toMatchObject({ dataVersion: '2503', segments: 3, overrides: 0 });
    expect(view.versions).toHaveLength(1);
    expect(view.coverage.blocks.find((b) => b.block === '198')).toMatchObject({ present: 1, missing: 9_999 });

    const broken = await operator.postFile('/admin/data/segments', 'file', 'broken.dat', '2502\u0008\u0000', {
      apply: 'true',
    });
    expect(broken.status).toBe(400);
    expect(broken.json<{ error: { code: string } }>()).toMatchObject({ error: { code: 'invalid_file' } });

    const back = await operator.post('/admin/data/segments/rollback', {});
    expect(back.json()).toMatchObject({ versionId: null, dataVersion: '2502' });
    expect(await area('13972565391')).toBe('湖北-宜昌');
    expect((await operator.post('/admin/data/segments/rollback', { version: 99 })).status).toBe(404);
  });

  it('sets and unsets an override, audited', async () => {
    const set = await operator.post('/admin/data/segments/overrides', {
      prefixes: '1397256',
      city: '黄石',
      note: 'customer report',
    });
    expect(set.status, set.text()).toBe(200);
    const { id } = set.json<{ id: number }>();
    expect(await area('13972565391')).toBe('湖北-黄石');
    const bad = await operator.post('/admin/data/segments/overrides', { prefixes: '1397256', zip: 'abc' });
    expect(bad.status).toBe(400);
    expect((await operator.get('/admin/data/segments')).json<SegmentsView>().overrides).toMatchObject([
      { id, city: '黄石', note: 'customer report', createdBy: 'admin' },
    ]);
    expect((await operator.delete(`/admin/data/segments/overrides/${id}`)).status).toBe(200);
    expect(await area('13972565391')).toBe('湖北-宜昌');
    const audit = (await operator.get('/admin/audit')).json<{ rows: { action: string }[] }>();
    expect(audit.rows.map((row) => row.action)).toEqual(
      expect.arrayContaining(['segments.override.set', 'segments.override.unset', 'segments.update']),
    );
  });

  it('is for operators only', async () => {
    const { client: customer } = await loggedInCustomer(server);
    expect((await customer.get('/admin/data/segments')).status).toBe(403);
    expect((await customer.post('/admin/data/segments/rollback', {})).status).toBe(403);
  });
});
