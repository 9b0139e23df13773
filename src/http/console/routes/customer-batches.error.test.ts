import { beforeAll, describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../../test-support/test-server.js';
import { MAX_BATCH_FILE_BYTES, MAX_BATCH_FILE_NUMBERS } from '../../../service/batches/batch-file.js';
import type { ConsoleClient } from '../test-support/console-client.js';
import { loggedInCustomer } from '../test-support/console-users.js';

const server = serverForThisFile();

describe('customer batch jobs: refusals', () => {
  let client: ConsoleClient;
  let accountId: number;

  beforeAll(async () => {
    const customer = await loggedInCustomer(server, { balance: 10 });
    client = customer.client;
    accountId = customer.account.id;
  });

  async function refusal(
    answer: Promise<{ status: number; json(): { error: { code: string; message: string } } }>,
  ) {
    const { status, json } = await answer;
    return { status, ...json().error };
  }

  it('refuses files that are not batch files, saying why', async () => {
    expect(await refusal(client.postFile('/me/batches', 'file', 'n.pdf', '13800138000'))).toMatchObject({
      status: 400,
      code: 'invalid_file',
      message: expect.stringContaining('.txt, .csv or .xlsx'),
    });
    expect(await refusal(client.postFile('/me/batches', 'file', 'n.txt', ''))).toMatchObject({
      status: 400,
      code: 'invalid_file',
      message: expect.stringContaining('empty'),
    });
    expect(await refusal(client.postFile('/me/batches', 'file', 'n.txt', 'hello\nworld\n'))).toMatchObject({
      status: 400,
      code: 'invalid_file',
    });
    expect(await refusal(client.postFile('/me/batches', 'file', 'n.xlsx', '13800138000'))).toMatchObject({
      status: 400,
      code: 'invalid_file',
      message: expect.stringContaining('xlsx'),
    });
    expect(await refusal(client.post('/me/batches', { file: '13800138000' }))).toMatchObject({
      status: 400,
      code: 'invalid_file',
      message: expect.stringContaining('multipart'),
    });
    const { rows } = (await client.get('/me/batches')).json();
    expect(rows).toEqual([]);
  });

  it('refuses more than MAX_BATCH_FILE_NUMBERS numbers and files over MAX_BATCH_FILE_BYTES', async () => {
    const numbers: string[] = [];
    for (let i = 0; i <= MAX_BATCH_FILE_NUMBERS; i++) numbers.push(String(13000000000 + i));
    expect(
      await refusal(client.postFile('/me/batches', 'file', 'many.txt', numbers.join('\n'))),
    ).toMatchObject({
      status: 400,
      code: 'too_many_numbers',
    });
    const huge = Buffer.alloc(MAX_BATCH_FILE_BYTES + 1, '1');
    expect(await refusal(client.postFile('/me/batches', 'file', 'huge.txt', huge))).toMatchObject({
      status: 413,
      code: 'payload_too_large',
    });
    expect((await client.get('/me/batches')).json().rows).toEqual([]);
  });

  it('answers 404 for unknown ids and 400 for bad paging', async () => {
    for (const path of ['/me/batches/999999', '/me/batches/abc', '/me/batches/0', '/me/batches/1e3']) {
      expect(await refusal(client.get(path)), path).toMatchObject({ status: 404, code: 'not_found' });
    }
    expect(await refusal(client.post('/me/batches/999999/start'))).toMatchObject({ status: 404 });
    expect(await refusal(client.get('/me/batches/999999/results.csv'))).toMatchObject({ status: 404 });
    for (const query of ['limit=0', 'limit=1001', 'limit=x', 'before=-1']) {
      expect(await refusal(client.get(`/me/batches?${query}`)), query).toMatchObject({
        status: 400,
        code: 'bad_request',
      });
    }
  });

  it('does not start the job of a suspended account: its console session has ended', async () => {
    const draft = (await client.postFile('/me/batches', 'file', 'n.txt', '13800138000\n')).json();
    await server.server.deps.store.updateAccount(accountId, { status: 'suspended' });
    try {
      expect(await refusal(client.post(`/me/batches/${draft.id}/start`))).toMatchObject({
        status: 401,
        code: 'not_logged_in',
      });
      const job = await server.server.deps.store.getBatchJob(accountId, draft.id);
      expect(job?.status).toBe('draft');
    } finally {
      await server.server.deps.store.updateAccount(accountId, { status: 'active' });
    }
  });
});
