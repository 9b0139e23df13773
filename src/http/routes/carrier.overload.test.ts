import { describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../test-support/test-server.js';
import { YICHANG, allRecords, balanceOf, uniqueName } from '../test-support/fixtures.js';
import { get, inPool } from '../test-support/http-client.js';

const REQUESTS = 300;
const CONCURRENCY = 100;

describe('an overloaded server (more charges waiting than MNPD_MAX_PENDING_CHARGES)', () => {
  // Two charges may wait while a commit runs: a hundred requests at once overflow it.
  const server = serverForThisFile('sqlite', { MNPD_MAX_PENDING_CHARGES: '2' });

  it('answers -8 with HTTP 503 and Retry-After, uncharged, and charges every code 0 exactly once', async () => {
    const { apikey } = await server.account({
      name: uniqueName('flood'),
      balance: 10_000,
      qpsLimit: 100_000,
    });
    const answers = await inPool(Array.from({ length: REQUESTS }), CONCURRENCY, () =>
      get(server.url, '/carrier', { apikey, mobile: YICHANG }),
    );
    const answered = answers.filter((answer) => answer.body.code === 0);
    const overloaded = answers.filter((answer) => answer.status === 503);
    expect(overloaded.length).toBeGreaterThan(0);
    expect(answered.length + overloaded.length).toBe(REQUESTS);
    for (const answer of overloaded) {
      expect(answer.body).toMatchObject({ code: -8, reason: '系统错误,请稍候再试' });
      expect(answer.headers.get('retry-after')).toBe('1');
    }
    expect(await balanceOf(server, apikey)).toBe(String(10_000 - answered.length));
    const records = await allRecords(server, apikey);
    expect(records.filter((row) => row.code === 0)).toHaveLength(answered.length);
    expect(records.filter((row) => row.code !== 0)).toHaveLength(0);
    const metrics = (await get(server.url, '/metrics')).text;
    expect(metrics).toMatch(new RegExp(`^mnpd_overloaded_total ${overloaded.length}$`, 'm'));
  });
});
