import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SEGMENTS_CSV } from '../test-support/test-server.js';
import { configFromEnv } from '../service/config.js';
import { hashSecret, newSecret, secretHint } from '../service/accounts/secrets.js';
import { type RunningServer, startServer } from '../server/start-server.js';
import { NO_DATA, YICHANG, YICHANG_ANSWER } from './test-support/fixtures.js';
import { get, postForm, postJson, request, sleep } from './test-support/http-client.js';

/** Every line the server's logger writes. */
const lines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});

let dataDir: string;
let server: RunningServer;
let apikey: string;
let appcode: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mnpd-logs-'));
  writeFileSync(join(dataDir, 'segments.csv'), TEST_SEGMENTS_CSV);
  const config = configFromEnv({
    MNPD_PORT: '0',
    MNPD_HOST: '127.0.0.1',
    MNPD_DATA_DIR: dataDir,
    MNPD_SEGMENTS: join(dataDir, 'segments.csv'),
  });
  server = await startServer(config, { logger: { level: 'info', stream: capture } });
  const store = server.deps.store;
  const account = await store.createAccount({
    name: 'logged',
    feeType: 'prepaid',
    balance: 100,
    qpsLimit: 10_000,
  });
  apikey = newSecret();
  appcode = newSecret();
  await store.createKey(account.id, 'apikey', hashSecret(apikey), secretHint(apikey), 'test');
  await store.createKey(account.id, 'appcode', hashSecret(appcode), secretHint(appcode), 'test');
});
afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('logs', () => {
  it('never carry a whole mobile number or key, only their masked forms', async () => {
    const url = server.url;
    expect((await get(url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(YICHANG_ANSWER);
    await get(url, '/carrier', { apikey, mobile: '+86 139 7256 5391', ext: '1' });
    await get(url, '/carrier', { apikey, mobile: NO_DATA });
    await get(url, '/carrier', { apikey: apikey.toUpperCase(), mobile: YICHANG });
    await get(url, '/balance', { apikey });
    await get(url, '/records', { apikey });
    await get(url, '/isp', { mobile: YICHANG }, { authorization: `APPCODE ${appcode}` });
    await get(url, '/isp', { mobile: YICHANG, appcode });
    await postForm(url, '/carrier', { apikey, mobile: YICHANG });
    await postJson(url, '/carrier/batch', { apikey, mobiles: [YICHANG, NO_DATA] });
    await request(url, `/carrier/batch?apikey=${apikey}&mobile=${YICHANG},${NO_DATA}`, { method: 'POST' });
    await get(url, '/qxt_test', { mobile: YICHANG });
    await request(url, `/carrier?apikey=${apikey}&mobile=${YICHANG}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{broken',
    });
    await request(url, `/nope?apikey=${apikey}&mobile=${YICHANG}`);
    // Spellings the server reads as a key or a number, and names it refuses: none in the log.
    for (const query of [
      `api%6Bey=${apikey}&mob%69le=%31${YICHANG.slice(1)}`,
      `%61pikey=${apikey}&mobile=${YICHANG}`,
      `apikey[]=${apikey}&mobile=${YICHANG}`,
      `apikey[a]=${apikey}&mobile=${YICHANG}`,
      `__proto__=${apikey}&mobile=${YICHANG}`,
    ]) {
      await request(url, `/carrier?${query}`);
    }
    // The answered line is written once the response has left: wait for all 19.
    const answeredLines = () =>
      lines.filter((line) => (JSON.parse(line) as { msg?: string }).msg === 'answered');
    for (let i = 0; i < 100 && answeredLines().length < 19; i++) await sleep(10);
    const answered = answeredLines();
    expect(answered).toHaveLength(19);
    const all = lines.join('\n');
    for (const secret of [
      apikey,
      apikey.toUpperCase(),
      appcode,
      YICHANG,
      NO_DATA,
      '13972565391'.split('').join(' '),
    ]) {
      expect(all).not.toContain(secret);
    }
    // The number without its country code, as URL-encoded digits: still nowhere.
    expect(all).not.toContain('7256539');
    expect(all).toContain('mobile=139****5391');
    expect(all).toContain('mobile=154****0000');
    expect(all).toContain('apikey=***');
    expect(all).toContain('appcode=***');
    const carrierLine = JSON.parse(answered[0]) as Record<string, unknown>;
    expect(carrierLine).toMatchObject({
      level: 30,
      msg: 'answered',
      method: 'GET',
      url: '/carrier?apikey=***&mobile=139****5391',
      status: 200,
    });
    expect(typeof carrierLine.reqId).toBe('string');
  });
});
