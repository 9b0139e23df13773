import { CONTENT_TYPE_FORM, Client } from 'aliyun-api-gateway';
import { describe, expect, it } from 'vitest';
import { cliActor } from '../service/operators/audit.js';
import { availableEngines } from '../test-support/test-databases.js';
import { serverForThisFile } from '../test-support/test-server.js';
import {
  BEIJING,
  YICHANG,
  YICHANG_ANSWER,
  allRecords,
  balanceOf,
  seedAnswer,
  uniqueName,
} from './test-support/fixtures.js';

/**
 * Requests signed by Aliyun's own Node.js client (`aliyun-api-gateway`) against a real server:
 * answered and billed exactly as the same requests with an apikey would be.
 */
for (const engine of availableEngines('signed requests')) {
  describe(`signed requests from the aliyun-api-gateway client (${engine})`, () => {
    const server = serverForThisFile(engine);

    async function signedAccount(balance = 100) {
      const { account, apikey } = await server.account({ name: uniqueName('gw'), balance });
      const issued = await server.server.deps.signingKeys.issue(cliActor(), account.id, 'gateway');
      return { account, apikey, issued, client: new Client(issued.appKey, issued.appSecret) };
    }

    it('answers /carrier, /isp (form) and /carrier/batch (JSON), each code 0 charged once', async () => {
      const { apikey, issued, client } = await signedAccount(100);
      expect(issued.appKey).toMatch(/^[0-9a-f]{16}$/);
      expect(issued.appSecret).toMatch(/^[0-9a-f]{32}$/);

      const carrier = await client.get(`${server.url}/carrier`, {
        query: { mobile: YICHANG },
        headers: { accept: 'application/json' },
      });
      expect(carrier).toEqual(YICHANG_ANSWER);

      const isp = await client.post(`${server.url}/isp`, {
        data: { mobile: BEIJING },
        headers: { accept: 'application/json', 'content-type': CONTENT_TYPE_FORM },
      });
      expect(isp).toEqual(seedAnswer(BEIJING, '北京-北京', '移动'));

      const batch = await client.post(`${server.url}/carrier/batch`, {
        data: { mobiles: [YICHANG, BEIJING, '1397256539'] },
        headers: { accept: 'application/json' },
      });
      expect(batch).toMatchObject({ code: 0, result: [{ code: 0 }, { code: 0 }, { code: -2 }] });

      // 1 + 1 + 2 code-0 answers: 4 queries, the -2 uncharged, as with an apikey.
      expect(await balanceOf(server, apikey)).toBe('96');
      const rows = await allRecords(server, apikey);
      expect(rows.filter((row) => row.code === 0)).toHaveLength(4);
      expect(rows.filter((row) => row.code === -2)).toHaveLength(1);
    });

    it('reads the parameters as the client signed them: UTF-8, spaces, plus signs, ext and requestId', async () => {
      const { apikey, client } = await signedAccount(5);
      const query = { mobile: YICHANG, ext: '1', requestId: `重试 1+2&${uniqueName('r')}` };
      const first = await client.get(`${server.url}/carrier`, {
        query,
        headers: { accept: 'application/json' },
      });
      expect(first).toMatchObject({ code: 0, result: { Mobile: YICHANG, requestId: query.requestId } });
      // The same requestId again (a new nonce): replayed, not charged twice.
      expect(
        await client.get(`${server.url}/carrier`, { query, headers: { accept: 'application/json' } }),
      ).toEqual(first);
      expect(await balanceOf(server, apikey)).toBe('4');
    });

    it('signs /balance and /records too, so an account taking signed requests only still reads them', async () => {
      const { account, client } = await signedAccount(7);
      await server.server.deps.signingKeys.requireSignatures(cliActor(), account.id, true);
      server.server.deps.signatures.invalidate();
      expect(
        await client.get(`${server.url}/carrier`, {
          query: { mobile: YICHANG },
          headers: { accept: 'application/json' },
        }),
      ).toEqual(YICHANG_ANSWER);
      expect(await client.get(`${server.url}/balance`, { headers: { accept: 'application/json' } })).toEqual({
        code: 0,
        reason: 'Succ',
        result: { feeType: '预付费', balance: '6' },
      });
      expect(
        await client.get(`${server.url}/records`, {
          query: { limit: '10' },
          headers: { accept: 'application/json' },
        }),
      ).toMatchObject({ code: 0, result: { rows: [{ mobile: YICHANG, code: 0 }] } });
    });
  });
}
