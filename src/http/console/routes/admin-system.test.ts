import { beforeAll, describe, expect, it } from 'vitest';
import { availableEngines } from '../../../test-support/test-databases.js';
import { serverForThisFile } from '../../../test-support/test-server.js';
import { BEIJING, TOO_SHORT, YICHANG, uniqueName } from '../../test-support/fixtures.js';
import { get, sleep } from '../../test-support/http-client.js';
import type { ConsoleClient } from '../test-support/console-client.js';
import { loginFirstOperator } from '../test-support/console-users.js';

describe.each(availableEngines('console admin system'))('system page and audit log (%s)', (engine) => {
  const server = serverForThisFile(engine);
  let operator: ConsoleClient;

  beforeAll(async () => {
    operator = await loginFirstOperator(server);
  });

  it("shows this node's traffic, today's busiest accounts and totals", async () => {
    const busy = await server.account({ name: uniqueName('busy'), balance: 100, qpsLimit: 10_000 });
    const quiet = await server.account({ name: uniqueName('quiet'), balance: 100, qpsLimit: 10_000 });
    for (const mobile of [YICHANG, BEIJING, YICHANG])
      await get(server.url, '/carrier', { apikey: busy.apikey, mobile });
    await get(server.url, '/carrier', { apikey: quiet.apikey, mobile: YICHANG });
    await get(server.url, '/carrier', { apikey: quiet.apikey, mobile: TOO_SHORT });
    // The summary leaves out the second still filling.
    await sleep(1100);

    const answer = await operator.get('/admin/system');
    expect(answer.status).toBe(200);
    const system = answer.json();
    expect(system.traffic.requests).toBe(5);
    expect(system.traffic.codes).toEqual({ '0': 4, '-2': 1 });
    expect(system.traffic.seconds.length).toBeGreaterThan(60);
    expect(system.traffic.p50Ms).toBeGreaterThan(0);
    expect(system.topAccounts).toEqual([
      { accountId: busy.account.id, name: busy.account.name, queries: 3 },
      { accountId: quiet.account.id, name: quiet.account.name, queries: 1 },
    ]);
    // The demo account of the first start and the two above.
    expect(system.totals).toEqual({ accounts: 3, ported: 0, segments: 7 });
  });

  it('pages through the audit log, newest first, with parsed details', async () => {
    const { account } = await server.account({ name: uniqueName('audited'), balance: 0 });
    for (let i = 1; i <= 5; i++) {
      const answer = await operator.post(`/admin/accounts/${account.id}/balance`, {
        kind: 'topup',
        amount: i,
        reason: `r${i}`,
      });
      expect(answer.status).toBe(200);
    }
    const rows: { id: number; action: string; details: { delta: number }; operator: string; ip: string }[] =
      [];
    let before: number | null = null;
    do {
      const answer = await operator.get(`/admin/audit?limit=2${before === null ? '' : `&before=${before}`}`);
      expect(answer.status).toBe(200);
      const page = answer.json();
      expect(page.rows.length).toBeLessThanOrEqual(2);
      rows.push(...page.rows.filter((row: { action: string }) => row.action === 'account.topup'));
      before = page.next;
    } while (before !== null);
    expect(rows.map((row) => row.details.delta)).toEqual([5, 4, 3, 2, 1]);
    expect(rows.every((row) => row.action === 'account.topup' && row.operator === 'admin')).toBe(true);
    expect(rows[0]).toMatchObject({
      target: `account:${account.id}`,
      ip: '127.0.0.0',
      details: { reason: 'topup: r5' },
    });
    expect((await operator.get('/admin/audit?before=x')).status).toBe(400);
  });
});
