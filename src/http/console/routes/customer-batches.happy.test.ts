import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../../test-support/test-server.js';
import type { ConsoleClient } from '../test-support/console-client.js';
import { type TestCustomer, loggedInCustomer } from '../test-support/console-users.js';
import { RESULT_COLUMNS } from '../../../service/batches/batch-export.js';
import type { BatchView } from '../../../wire/console-api.js';

const server = serverForThisFile();

async function upload(client: ConsoleClient, fileName: string, content: Buffer | string): Promise<BatchView> {
  const answer = await client.postFile('/me/batches', 'file', fileName, content);
  expect(answer.status, answer.text()).toBe(201);
  return answer.json<BatchView>();
}

async function startAndFinish(client: ConsoleClient, id: number): Promise<BatchView> {
  const started = await client.post(`/me/batches/${id}/start`);
  expect(started.status, started.text()).toBe(200);
  expect(started.json<BatchView>().status).toBe('queued');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const view = (await client.get(`/me/batches/${id}`)).json<BatchView>();
    if (['done', 'stopped', 'cancelled'].includes(view.status)) return view;
    if (Date.now() > deadline) throw new Error(`batch ${id} still ${view.status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function xlsxRows(content: Buffer): Promise<unknown[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(content as unknown as ArrayBuffer);
  const rows: unknown[][] = [];
  // Empty cells are absent: every row is read out to the width of the header.
  workbook.worksheets[0].eachRow((row) =>
    rows.push(Array.from(RESULT_COLUMNS, (_, i) => (row.values as unknown[])[i + 1] ?? '')),
  );
  return rows;
}

describe('customer batch jobs', () => {
  let alice: TestCustomer & { client: ConsoleClient };

  beforeAll(async () => {
    alice = await loggedInCustomer(server, { balance: 1000 });
  });

  it('previews an uploaded file as a draft, runs it and serves its results as CSV and XLSX', async () => {
    const file = [
      '手机号',
      '13972565391',
      '13800138000',
      '',
      '+86 138 0013 8000',
      '1380013800',
      '12345678901',
      '15400000000',
      '18600000000',
    ].join('\r\n');
    const draft = await upload(alice.client, '名单.txt', file);
    expect(draft).toMatchObject({
      fileName: '名单.txt',
      status: 'draft',
      total: 6,
      invalid: 2,
      duplicates: 1,
      processed: 0,
      charged: 0,
      progress: 0,
      stopReason: null,
      startedAt: null,
      finishedAt: null,
      preview: {
        lines: 7,
        valid: 4,
        invalid: 2,
        duplicates: 1,
        invalidSamples: [
          { line: 6, text: '1380013800', reason: '查询的手机号码长度不对' },
          { line: 7, text: '12345678901', reason: '请填写正确的手机号码' },
        ],
        cost: 4,
        balance: 1000,
        affordable: true,
      },
    });
    expect(new Date(draft.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const again = (await alice.client.get(`/me/batches/${draft.id}`)).json<BatchView>();
    expect(again).toEqual(draft);

    const done = await startAndFinish(alice.client, draft.id);
    expect(done).toMatchObject({ status: 'done', processed: 6, charged: 3, progress: 1 });
    expect(done.preview).toBeUndefined();
    expect(done.startedAt).not.toBeNull();

    const csv = await alice.client.get(`/me/batches/${draft.id}/results.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent('名单-results.csv')}`,
    );
    expect([...csv.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(csv.text().slice(1)) as string[][];
    expect(rows).toEqual([
      RESULT_COLUMNS,
      [
        '13972565391',
        '0',
        'Succ',
        '0',
        '湖北-宜昌',
        '移动',
        '移动',
        '湖北',
        '宜昌',
        '443000',
        '0717',
        rows[1][11],
        '',
      ],
      [
        '13800138000',
        '0',
        'Succ',
        '0',
        '北京-北京',
        '移动',
        '移动',
        '北京',
        '北京',
        '100000',
        '010',
        rows[2][11],
        '',
      ],
      ['1380013800', '-2', '查询的手机号码长度不对', ...Array<string>(10).fill('')],
      ['12345678901', '-3', '请填写正确的手机号码', ...Array<string>(10).fill('')],
      ['15400000000', '-4', '未查询到相关信息', ...Array<string>(10).fill('')],
      [
        '18600000000',
        '0',
        'Succ',
        '0',
        '广东-广州',
        '联通',
        '联通',
        '广东',
        '广州',
        '510000',
        '020',
        rows[6][11],
        '',
      ],
    ]);
    expect(rows[1][11]).not.toBe('');

    const xlsx = await alice.client.get(`/me/batches/${draft.id}/results.xlsx`);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const sheet = await xlsxRows(xlsx.body);
    expect(sheet.map((row) => row.map(String))).toEqual(rows);

    const balance = (await server.server.deps.store.getAccount(alice.account.id))!.balance;
    expect(balance).toBe(1000 - 3);
  });

  it('reads the number column of an .xlsx upload', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('客户');
    sheet.addRow(['姓名', '电话号码']);
    sheet.addRow(['张三', 15000000000]);
    sheet.addRow(['李四', '189-0000-0000']);
    const content = Buffer.from(await workbook.xlsx.writeBuffer());
    const draft = await upload(alice.client, 'clients.xlsx', content);
    expect(draft.preview).toMatchObject({ lines: 2, valid: 2, invalid: 0, cost: 2 });
    const done = await startAndFinish(alice.client, draft.id);
    expect(done).toMatchObject({ status: 'done', charged: 2 });
    const results = await xlsxRows((await alice.client.get(`/me/batches/${draft.id}/results.xlsx`)).body);
    expect(results.slice(1).map((row) => row.slice(0, 2))).toEqual([
      ['15000000000', 0],
      ['18900000000', 0],
    ]);
  });

  it('stops when the balance runs out; the results show -5 for what was refused', async () => {
    const poor = await loggedInCustomer(server, { balance: 3 });
    const numbers = Array.from({ length: 5 }, (_, i) => String(13972565391 + i));
    const draft = await upload(poor.client, 'five.csv', `mobile\n${numbers.join('\n')}\n`);
    expect(draft.preview).toMatchObject({ cost: 5, balance: 3, affordable: false });
    const stopped = await startAndFinish(poor.client, draft.id);
    expect(stopped).toMatchObject({
      status: 'stopped',
      processed: 5,
      charged: 3,
      stopReason: 'insufficient balance',
    });
    const rows = parse(
      (await poor.client.get(`/me/batches/${draft.id}/results.csv`)).text().slice(1),
    ) as string[][];
    expect(rows.slice(1).map((row) => [row[0], row[1], row[4]])).toEqual([
      [numbers[0], '0', '湖北-宜昌'],
      [numbers[1], '0', '湖北-宜昌'],
      [numbers[2], '0', '湖北-宜昌'],
      [numbers[3], '-5', ''],
      [numbers[4], '-5', ''],
    ]);
    expect(rows[4][2]).toBe('当前余额不足');
  });

  it('cancels a draft, lists jobs newest first with paging, and refuses to start or cancel twice', async () => {
    const bob = await loggedInCustomer(server, { balance: 100 });
    const first = await upload(bob.client, 'a.txt', '13800138000\n');
    const second = await upload(bob.client, 'b.txt', '13972565391\n');
    const third = await upload(bob.client, 'c.txt', '15000000000\n');

    const cancel = await bob.client.post(`/me/batches/${first.id}/cancel`);
    expect(cancel.status).toBe(200);
    expect(cancel.json<BatchView>()).toMatchObject({
      status: 'cancelled',
      stopReason: 'cancelled by the customer',
    });
    expect((await bob.client.post(`/me/batches/${first.id}/cancel`)).json().error.code).toBe('conflict');
    const startCancelled = await bob.client.post(`/me/batches/${first.id}/start`);
    expect(startCancelled.status).toBe(409);
    expect(startCancelled.json().error.code).toBe('conflict');

    await startAndFinish(bob.client, second.id);
    expect((await bob.client.post(`/me/batches/${second.id}/start`)).status).toBe(409);
    expect((await bob.client.post(`/me/batches/${second.id}/cancel`)).status).toBe(409);

    const page = (await bob.client.get('/me/batches?limit=2')).json<{ rows: BatchView[]; next: number }>();
    expect(page.rows.map((row) => row.id)).toEqual([third.id, second.id]);
    expect(page.rows[0].preview).toMatchObject({ valid: 1, balance: 99 });
    expect(page.rows[1].preview).toBeUndefined();
    const rest = (await bob.client.get(`/me/batches?limit=2&before=${page.next}`)).json();
    expect(rest).toEqual({
      rows: [expect.objectContaining({ id: first.id, status: 'cancelled' })],
      next: null,
    });
    expect((await server.server.deps.store.getAccount(bob.account.id))!.balance).toBe(99);
  });
});
