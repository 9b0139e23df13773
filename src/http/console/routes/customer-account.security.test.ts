import { beforeAll, describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../../test-support/test-server.js';
import { YICHANG } from '../../test-support/fixtures.js';
import { type LookupBody, get } from '../../test-support/http-client.js';
import type { ConsoleClient } from '../test-support/console-client.js';
import { loggedInCustomer } from '../test-support/console-users.js';

const server = serverForThisFile();
const customer = () => loggedInCustomer(server, { balance: 10, qpsLimit: 10_000 });

describe("another account's things are not found", () => {
  let victim: Awaited<ReturnType<typeof customer>>;
  let intruder: ConsoleClient;
  let victimKeyId: number;
  let victimRuleId: number;

  beforeAll(async () => {
    victim = await customer();
    intruder = (await customer()).client;
    victimKeyId = (await victim.client.get('/me/keys')).json()[0].id;
    victimRuleId = (await victim.client.post('/me/ip-rules', { cidr: '127.0.0.1' })).json().id;
    await victim.client.post('/me/query', { mobile: YICHANG });
  });

  it("answers 404 for revoking another account's key, which keeps working", async () => {
    const answer = await intruder.post(`/me/keys/${victimKeyId}/revoke`);
    expect(answer.status).toBe(404);
    expect(answer.json().error.code).toBe('not_found');
    expect(
      (await get<LookupBody>(server.url, '/carrier', { apikey: victim.apikey, mobile: YICHANG })).body.code,
    ).toBe(0);
  });

  it("answers 404 for deleting another account's IP rule, which stays", async () => {
    const answer = await intruder.delete(`/me/ip-rules/${victimRuleId}`);
    expect(answer.status).toBe(404);
    expect(answer.json().error.code).toBe('not_found');
    expect((await victim.client.get('/me/ip-rules')).json()).toEqual([
      { id: victimRuleId, cidr: '127.0.0.1/32' },
    ]);
  });

  it('answers 404 for ids that are not ids', async () => {
    for (const id of ['abc', '-1', '1.5', '99999999999999999999']) {
      expect((await intruder.post(`/me/keys/${id}/revoke`)).status).toBe(404);
      expect((await intruder.delete(`/me/ip-rules/${id}`)).status).toBe(404);
    }
  });

  it("shows nobody else's keys, rules or records", async () => {
    const keys = (await intruder.get('/me/keys')).json();
    expect(keys.map((key: { id: number }) => key.id)).not.toContain(victimKeyId);
    expect((await intruder.get('/me/ip-rules')).json()).toEqual([]);
    expect((await intruder.get(`/me/records?mobile=${YICHANG}`)).json().rows).toEqual([]);
    expect((await intruder.get('/me/records.csv')).text().trimEnd().split('\n')).toHaveLength(1);
    expect((await intruder.get('/me/overview')).json().today.answers).toBe(0);
  });
});

describe('limits', () => {
  it('refuses a key beyond 20 in use with 409 conflict', async () => {
    const { client } = await customer();
    // The account starts with one.
    for (let i = 1; i < 20; i++) expect((await client.post('/me/keys', { kind: 'apikey' })).status).toBe(201);
    const refused = await client.post('/me/keys', { kind: 'apikey' });
    expect(refused.status).toBe(409);
    expect(refused.json().error.code).toBe('conflict');
    const id = (await client.get('/me/keys')).json()[0].id;
    expect((await client.post(`/me/keys/${id}/revoke`)).status).toBe(204);
    expect((await client.post('/me/keys', { kind: 'apikey' })).status).toBe(201);
  });
});
