import { describe, expect, it } from 'vitest';
import { availableEngines } from '../../test-support/test-databases.js';
import { serverForThisFile } from '../../test-support/test-server.js';
import {
  YICHANG,
  YICHANG_ANSWER,
  allRecords,
  balanceOf,
  codeOnly,
  uniqueName,
} from '../test-support/fixtures.js';
import { get, inPool } from '../test-support/http-client.js';

const REQUESTS = 500;
const BALANCE = 200;
const CONCURRENCY = 100;

describe.each(availableEngines('carrier exactness'))('billing is exact under concurrency (%s)', (engine) => {
  const server = serverForThisFile(engine);

  it(`answers ${REQUESTS} concurrent queries on a balance of ${BALANCE}: exactly ${BALANCE} charged`, async () => {
    const { account, apikey } = await server.account({
      name: uniqueName('exact'),
      balance: BALANCE,
      qpsLimit: 100_000,
    });
    const answers = await inPool(Array.from({ length: REQUESTS }), CONCURRENCY, () =>
      get(server.url, '/carrier', { apikey, mobile: YICHANG }),
    );
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const bodies = answers.map((answer) => answer.body);
    const answered = bodies.filter((body) => body.code === 0);
    const refused = bodies.filter((body) => body.code === -5);
    expect(answered).toHaveLength(BALANCE);
    expect(refused).toHaveLength(REQUESTS - BALANCE);
    for (const body of answered) expect(body).toEqual(YICHANG_ANSWER);
    for (const body of refused) expect(body).toEqual(codeOnly(-5));

    expect(await balanceOf(server, apikey)).toBe('0');
    const store = server.server.deps.store;
    expect(await store.ledgerSum(account.id)).toBe(0);
    expect((await store.getAccount(account.id))!.balance).toBe(0);

    // The query log holds every answer, read back through /records page by page: exactly the charged
    // queries as code 0, and exactly the refused ones as -5.
    const rows = await allRecords(server, apikey, 64);
    expect(rows).toHaveLength(REQUESTS);
    const charged = rows.filter((row) => row.code === 0);
    const refusedRows = rows.filter((row) => row.code === -5);
    expect(charged).toHaveLength(BALANCE);
    expect(refusedRows).toHaveLength(REQUESTS - BALANCE);
    expect(new Set(rows.map((row) => row.id)).size).toBe(REQUESTS);
    expect(new Set(rows.map((row) => row.requestId)).size).toBe(REQUESTS);
    expect(rows.every((row) => row.mobile === YICHANG)).toBe(true);
    expect(charged.every((row) => row.res === '0' && row.Now_isp === '移动')).toBe(true);
    expect(refusedRows.every((row) => row.res === null && row.Now_isp === null)).toBe(true);
    const ids = rows.map((row) => row.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    // The answer statistics count the same.
    const stats = await store.answerStats(
      account.id,
      new Date(Date.now() - 7_200_000),
      new Date(Date.now() + 3_600_000),
    );
    const counted = (code: number) =>
      stats.filter((s) => s.code === code).reduce((sum, s) => sum + s.answers, 0);
    expect([counted(0), counted(-5)]).toEqual([BALANCE, REQUESTS - BALANCE]);
  });

  it('charges concurrent retries of one idempotency key once', async () => {
    const { account, apikey } = await server.account({
      name: uniqueName('exact-idem'),
      balance: 10,
      qpsLimit: 100_000,
    });
    const answers = await inPool(Array.from({ length: 50 }), 50, (_item, i) =>
      get(server.url, '/carrier', { apikey, mobile: YICHANG, requestId: `k${i % 5}` }),
    );
    expect(answers.every((answer) => answer.text === JSON.stringify(YICHANG_ANSWER))).toBe(true);
    expect(await server.server.deps.store.ledgerSum(account.id)).toBe(5);
    // Replays write nothing.
    expect((await server.server.deps.store.queryLog(account.id)).rows.map((row) => row.code)).toEqual(
      Array(5).fill(0),
    );
  });
});
