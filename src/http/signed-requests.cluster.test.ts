import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliActor } from '../service/operators/audit.js';
import { DATABASE_URL, POSTGRES_SKIP_REASON } from '../test-support/test-databases.js';
import { type TestServer, startTestServer } from '../test-support/test-server.js';
import { YICHANG, YICHANG_ANSWER, balanceOf, uniqueName } from './test-support/fixtures.js';
import { signedGet } from './test-support/signed-client.js';

/**
 * Two nodes on one PostgreSQL store and one Redis, sharing MNPD_SECRET_KEY: a signed request
 * answered by one node is refused when replayed through the other.
 */
const REDIS_URL = process.env.REDIS_URL || undefined;
const skip = !DATABASE_URL ? POSTGRES_SKIP_REASON : !REDIS_URL ? 'REDIS_URL is not set' : undefined;
if (skip) console.log(`signed requests across nodes: skipped: ${skip}`);

describe.skipIf(skip !== undefined)('a replayed signed request across two nodes with Redis', () => {
  let nodeA: TestServer;
  let nodeB: TestServer;
  const env = { MNPD_REDIS_URL: REDIS_URL!, MNPD_SECRET_KEY: randomBytes(32).toString('hex') };

  beforeAll(async () => {
    nodeA = await startTestServer('postgres', env);
    // The second node on the first one's schema (startTestServer makes a schema only for 'postgres').
    nodeB = await startTestServer('sqlite', { ...env, DATABASE_URL: nodeA.config.databaseUrl! });
  });
  afterAll(async () => {
    await nodeB?.close();
    await nodeA?.close();
  });

  it('is answered once: by the node it reached first', async () => {
    const { account, apikey } = await nodeA.account({ name: uniqueName('gw'), balance: 5 });
    const { appKey, appSecret } = await nodeA.server.deps.signingKeys.issue(
      cliActor(),
      account.id,
      'cluster',
    );
    const signing = {
      appKey,
      appSecret,
      path: '/carrier',
      query: { mobile: YICHANG },
      nonce: `cluster-${Date.now()}`,
      timestamp: Date.now(),
    };
    // The key issued through node A, its secret sealed there, opens on node B.
    expect((await signedGet(nodeB.url, signing)).body).toEqual(YICHANG_ANSWER);
    expect((await signedGet(nodeA.url, signing)).body).toMatchObject({
      code: -10,
      message: expect.stringContaining('X-Ca-Nonce'),
    });
    expect((await signedGet(nodeA.url, { ...signing, nonce: `${signing.nonce}-2` })).body).toEqual(
      YICHANG_ANSWER,
    );
    expect(await balanceOf(nodeA, apikey)).toBe('3');
  });
});
