import { existsSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { availableEngines } from '../../../test-support/test-databases.js';
import { serverForThisFile } from '../../../test-support/test-server.js';
import {
  BEIJING,
  DELTA_FEED,
  FULL_FEED,
  SHANGHAI,
  YICHANG,
  uniqueName,
} from '../../test-support/fixtures.js';
import { type LookupBody, get, sleep } from '../../test-support/http-client.js';
import type { ConsoleAnswer, ConsoleClient } from '../test-support/console-client.js';
import { loginFirstOperator } from '../test-support/console-users.js';
import { nodeName } from '../../../service/node-name.js';
import { UPLOADS_DIR } from './admin-data.js';

interface ImportView {
  id: number;
  operator: string;
  origin: string;
  node: string;
  kind: 'full' | 'delta';
  fileName: string;
  status: 'running' | 'applied' | 'rejected' | 'failed';
  rows: number;
  message: string | null;
  report: { invalid: number; problems: { line: number; reason: string }[] } | null;
  finishedAt: string | null;
  progress: number | null;
}

/** Lines 3 and 5 are broken. */
const BROKEN = [
  'mobile,carrier,ported_at',
  `${YICHANG},电信,2024-05-01`,
  '1397256539,电信,2024-05-01',
  `${BEIJING},联通,2023-01-15`,
  `${SHANGHAI},tmobile,2023-01-15`,
].join('\n');

describe.each(availableEngines('console admin data'))('portability uploads (%s)', (engine) => {
  const server = serverForThisFile(engine);
  let operator: ConsoleClient;
  let apikey: string;

  beforeAll(async () => {
    operator = await loginFirstOperator(server);
    ({ apikey } = await server.account({ name: uniqueName('data'), balance: 1000, qpsLimit: 10_000 }));
  });

  function upload(kind: string, fileName: string, content: string | Buffer, skipInvalid = 'false') {
    return operator.postFile('/admin/data/ported', 'file', fileName, content, { kind, skipInvalid });
  }

  async function finished(id: number): Promise<ImportView> {
    for (let i = 0; i < 600; i++) {
      const view = (await operator.get(`/admin/data/imports/${id}`)).json<ImportView>();
      if (view.status !== 'running') return view;
      await sleep(50);
    }
    throw new Error(`import ${id} still running`);
  }

  async function uploaded(kind: string, fileName: string, content: string | Buffer, skipInvalid = 'false') {
    const answer = await upload(kind, fileName, content, skipInvalid);
    expect(answer.status, answer.text()).toBe(202);
    const view = answer.json<ImportView>();
    expect(view).toMatchObject({
      kind,
      fileName,
      status: 'running',
      operator: 'admin',
      origin: 'console',
      node: nodeName(server.dataDir),
      finishedAt: null,
    });
    expect(view.progress).toBeGreaterThanOrEqual(0);
    return finished(view.id);
  }

  const lookup = async (mobile: string) =>
    (await get<LookupBody>(server.url, '/carrier', { apikey, mobile })).body.result!;

  it('describes the loaded data: segments, and no portability database yet', async () => {
    const answer = await operator.get('/admin/data');
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({
      // Host and data directory: each node's portability database is its own.
      node: `${hostname()}:${server.dataDir}`,
      // On PostgreSQL (the store of a cluster) imports are shared with the other nodes.
      shared: engine === 'postgres',
      segments: { version: '2502', count: 7 },
      ported: { version: 'empty', count: 0, lastSeq: 0, byMonth: [] },
    });
  });

  it('applies a full snapshot, then a delta; lookups answer from them at once', async () => {
    const full = await uploaded('full', 'snapshot 2024.csv', FULL_FEED);
    expect(full).toMatchObject({ status: 'applied', rows: 2, progress: null });
    expect(full.message).toContain('imported 2 numbers');
    expect(await lookup(YICHANG)).toMatchObject({ res: '1', Init_isp: '移动', Now_isp: '联通' });
    expect(await lookup(BEIJING)).toMatchObject({ res: '1', Now_isp: '电信' });

    const data = (await operator.get('/admin/data')).json();
    expect(data.ported).toMatchObject({
      count: 2,
      byCarrier: { 移动: 0, 联通: 1, 电信: 1, 广电: 0 },
      byMonth: [
        { month: '2023-01', count: 1 },
        { month: '2024-05', count: 1 },
      ],
      source: 'snapshot_2024.csv',
    });

    const delta = await uploaded('delta', 'delta-1.csv', DELTA_FEED);
    expect(delta).toMatchObject({ status: 'applied', rows: 2 });
    expect(await lookup(SHANGHAI)).toMatchObject({ res: '1', Now_isp: '联通' });
    expect(await lookup(YICHANG)).toMatchObject({ res: '0', Now_isp: '移动' });
    expect((await operator.get('/admin/data')).json().ported).toMatchObject({ count: 2, lastSeq: 2 });

    const again = await uploaded('delta', 'delta-1.csv', DELTA_FEED);
    expect(again).toMatchObject({
      status: 'applied',
      rows: 0,
      message: 'every row was applied before; nothing changed',
    });
  });

  it('rejects a file with invalid rows with their line numbers, and applies nothing', async () => {
    const before = (await operator.get('/admin/data')).json().ported;
    const rejected = await uploaded('full', 'broken.csv', BROKEN);
    expect(rejected.status).toBe('rejected');
    expect(rejected.report!.invalid).toBe(2);
    expect(rejected.report!.problems.map((problem) => problem.line)).toEqual([3, 5]);
    expect(rejected.report!.problems[1].reason).toContain('tmobile');
    expect(rejected.message).toContain('2 invalid rows');
    expect((await operator.get('/admin/data')).json().ported).toEqual(before);

    const skipped = await uploaded('full', 'broken.csv', BROKEN, 'true');
    expect(skipped).toMatchObject({ status: 'applied', rows: 2 });
    expect(skipped.report!.invalid).toBe(2);
    expect(await lookup(YICHANG)).toMatchObject({ res: '1', Now_isp: '电信' });
  });

  it('rejects a delta that skips seqs, naming the uploaded file', async () => {
    const gap = await uploaded('delta', 'delta-9.csv', `9,port,${SHANGHAI},电信,2024-07-01\n`);
    expect(gap.status).toBe('rejected');
    expect(gap.message).toContain('delta-9.csv');
    expect(gap.message).not.toContain(UPLOADS_DIR);
  });

  it('refuses forms it cannot import before recording anything', async () => {
    const count = (await operator.get('/admin/data/imports')).json().rows.length;
    // One after another: each holds the one import slot while it is read.
    const cases: [() => Promise<ConsoleAnswer>, string][] = [
      [() => upload('full', 'delta.csv', DELTA_FEED), 'invalid_file'],
      [() => upload('delta', 'full.csv', FULL_FEED), 'invalid_file'],
      [() => upload('full', 'empty.csv', ''), 'invalid_file'],
      [() => upload('weekly', 'full.csv', FULL_FEED), 'bad_request'],
      [() => upload('full', 'full.csv', FULL_FEED, 'maybe'), 'bad_request'],
      [
        () => operator.postFile('/admin/data/ported', 'upload', 'full.csv', FULL_FEED, { kind: 'full' }),
        'bad_request',
      ],
      [() => operator.post('/admin/data/ported', { kind: 'full' }), 'invalid_file'],
      // A multipart body cut short, and one that is no multipart at all though it says so.
      [
        () =>
          operator.request('POST', '/admin/data/ported', {
            headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
            body: '--xyz\r\nContent-Disposition: form-data; name="kind"\r\n\r\nfull\r\n--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n13972565391,电信\n',
          }),
        'invalid_file',
      ],
      [
        () =>
          operator.request('POST', '/admin/data/ported', {
            headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
            body: 'mobile,carrier\n13972565391,电信\n',
          }),
        'invalid_file',
      ],
    ];
    for (const [send, code] of cases) {
      const answer = await send();
      expect(answer.status, answer.text()).toBe(400);
      expect(answer.json().error.code).toBe(code);
    }
    const uploads = join(server.dataDir, UPLOADS_DIR);
    expect(existsSync(uploads) ? readdirSync(uploads) : []).toEqual([]);
    expect((await operator.get('/admin/data/imports')).json().rows.length).toBe(count);
  });

  it('runs one import at a time, with its progress while it runs', async () => {
    // Big enough to take a moment to parse.
    const rows = ['mobile,carrier,ported_at'];
    for (let i = 0; i < 300_000; i++) rows.push(`138${String(i).padStart(8, '0')},联通,2022-03-04`);
    const big = rows.join('\n');
    const [first, second] = await Promise.all([
      upload('full', 'big.csv', big),
      upload('full', 'big.csv', big),
    ]);
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual([202, 409]);
    const started = (first.status === 202 ? first : second).json<ImportView>();
    expect((first.status === 409 ? first : second).json().error.code).toBe('conflict');

    const running = (await operator.get(`/admin/data/imports/${started.id}`)).json<ImportView>();
    if (running.status === 'running') {
      expect(running.progress).toBeGreaterThanOrEqual(0);
      expect(running.progress).toBeLessThanOrEqual(1);
    }
    expect(await finished(started.id)).toMatchObject({ status: 'applied', rows: 300_000 });
    expect((await operator.get('/admin/data')).json().ported).toMatchObject({
      count: 300_000,
      byMonth: [{ month: '2022-03', count: 300_000 }],
    });
    // The next one may start now.
    expect((await uploaded('full', 'snapshot.csv', FULL_FEED)).status).toBe('applied');
  });

  it('lists imports newest first, removes uploads, and audits each import', async () => {
    const list = (await operator.get('/admin/data/imports?limit=3')).json<{
      rows: ImportView[];
      next: number | null;
    }>();
    expect(list.rows).toHaveLength(3);
    expect(list.rows[0].fileName).toBe('snapshot.csv');
    expect(list.rows.map((row) => row.id)).toEqual([...list.rows.map((row) => row.id)].sort((a, b) => b - a));
    expect(list.next).toBe(list.rows[2].id);
    const rest = (await operator.get(`/admin/data/imports?before=${list.next}`)).json<{
      rows: ImportView[];
    }>();
    expect(rest.rows.every((row) => row.id < list.next!)).toBe(true);
    expect((await operator.get('/admin/data/imports/999999')).status).toBe(404);

    const uploads = join(server.dataDir, UPLOADS_DIR);
    expect(existsSync(uploads) ? readdirSync(uploads) : []).toEqual([]);

    const audit = (await operator.get('/admin/audit?limit=1000')).json().rows;
    const imports = audit.filter((row: { action: string }) => row.action === 'data.import');
    expect(imports).toHaveLength(list.rows.length + rest.rows.length);
    expect(imports[0]).toMatchObject({
      target: `import:${list.rows[0].id}`,
      details: { kind: 'full', fileName: 'snapshot.csv' },
    });
  });
});
