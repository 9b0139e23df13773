import { beforeAll, describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../../test-support/test-server.js';
import { type ConsoleClient, consoleClient } from '../test-support/console-client.js';
import { loggedInCustomer, loggedInOperator } from '../test-support/console-users.js';

const server = serverForThisFile();

describe('customer batch jobs belong to their account', () => {
  let owner: ConsoleClient;
  let other: ConsoleClient;
  let draftId: number;
  let doneId: number;

  beforeAll(async () => {
    const customers = await Promise.all([1, 2].map(() => loggedInCustomer(server, { balance: 100 })));
    [owner, other] = customers.map((customer) => customer.client);
    draftId = (await owner.postFile('/me/batches', 'file', 'secret.txt', '13800138000\n')).json().id;
    doneId = (await owner.postFile('/me/batches', 'file', 'done.txt', '13972565391\n')).json().id;
    expect((await owner.post(`/me/batches/${doneId}/start`)).status).toBe(200);
  });

  it("answers 404 for another account's job, whatever the route, and changes nothing", async () => {
    const routes: [string, string][] = [
      ['GET', `/me/batches/${draftId}`],
      ['GET', `/me/batches/${doneId}/results.csv`],
      ['GET', `/me/batches/${doneId}/results.xlsx`],
      ['POST', `/me/batches/${draftId}/start`],
      ['POST', `/me/batches/${draftId}/cancel`],
      ['POST', `/me/batches/${doneId}/cancel`],
    ];
    for (const [method, path] of routes) {
      const answer = await other.request(method, path);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.json().error.code).toBe('not_found');
    }
    expect((await other.get('/me/batches')).json()).toEqual({ rows: [], next: null });
    expect((await owner.get(`/me/batches/${draftId}`)).json().status).toBe('draft');
  });

  it('refuses anyone without a customer session, and changes without the CSRF token', async () => {
    const anonymous = consoleClient(server.url);
    for (const path of ['/me/batches', `/me/batches/${draftId}`, `/me/batches/${doneId}/results.csv`]) {
      const answer = await anonymous.get(path);
      expect(answer.status, path).toBe(401);
      expect(answer.json().error.code).toBe('not_logged_in');
    }
    const operator = await loggedInOperator(server);
    expect((await operator.get(`/me/batches/${draftId}`)).json().error.code).toBe('forbidden');
    expect((await operator.postFile('/me/batches', 'file', 'n.txt', '13800138000\n')).status).toBe(403);

    const withoutToken = consoleClient(server.url, owner.cookie);
    const start = await withoutToken.post(`/me/batches/${draftId}/start`);
    expect(start.status).toBe(403);
    expect(start.json().error.code).toBe('csrf_failed');
    const uploaded = await withoutToken.postFile('/me/batches', 'file', 'n.txt', '13800138000\n');
    expect(uploaded.status).toBe(403);
    expect((await owner.get(`/me/batches/${draftId}`)).json().status).toBe('draft');
  });
});
