/**
 * The providers' policies on one number, with a real gateway (a fake qxt provider on 127.0.0.1)
 * and a real answer cache (SQLite): which of feed, cache and provider answers, and when.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LookupAnswer, lookupMobile } from '../../core/lookup.js';
import { PortedIndexBuilder, dayFromIsoDate } from '../../core/ported-index.js';
import { SegmentTableBuilder, makeLocation } from '../../core/segment-table.js';
import { SqliteStore } from '../../store/sqlite.js';
import type { Account } from '../../store/store.js';
import { AnswerCache } from '../upstream/answer-cache.js';
import { type UpstreamConfig, DEFAULT_CACHE_TTL_MS } from '../upstream/config.js';
import { FakeQxt } from '../upstream/test-support/fake-qxt.js';
import { qxtConfig } from '../upstream/test-support/provider-configs.js';
import { UpstreamGateway } from '../upstream/upstream-gateway.js';
import { LiveAnswers } from './live-answers.js';

const yichang = makeLocation('湖北', '宜昌', '443000', '0717');
const segments = new SegmentTableBuilder();
segments.set(1397256, 1, yichang); // 移动
segments.set(1700000, 4, yichang); // 电信虚拟
const ported = new PortedIndexBuilder();
ported.add(1397256, 1000, 1, dayFromIsoDate('2024-05-01')!); // in the feed: 移动 → 联通 on 2024-05-01
const sources = {
  segments: segments.build('t', 'test'),
  ported: { index: ported.build().index, version: 'f1' },
};

const IN_FEED = '13972561000';
const NOT_IN_FEED = '13972562000';
const VIRTUAL = '17000001234';
const ACCOUNT = { id: 1, localOnly: false } as Account;

function local(mobile: string): LookupAnswer {
  const outcome = lookupMobile(mobile, sources);
  if (outcome.code !== 0) throw new Error(`no answer for ${mobile}`);
  return outcome.answer;
}

describe('LiveAnswers', () => {
  let fake: FakeQxt;
  let store: SqliteStore;
  let dir: string;
  let now = Date.parse('2025-01-01T00:00:00Z');

  beforeAll(async () => {
    fake = await FakeQxt.start({ fallback: { result: { res: '1', Now_isp: '电信' } } });
    dir = mkdtempSync(join(tmpdir(), 'mnpd-live-'));
    store = new SqliteStore(join(dir, 'db.sqlite'));
    await store.migrate();
  });
  afterAll(async () => {
    await fake.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  function live(policy: UpstreamConfig['policy'], onFailure: 'local' | 'error' = 'local') {
    const gateway = new UpstreamGateway({
      policy,
      cacheTtlMs: DEFAULT_CACHE_TTL_MS,
      onFailure,
      providers: [qxtConfig(fake.url, { name: 'p', timeoutMs: 300 })],
    });
    // A cache without memory: every read goes to the store, as on another node.
    return {
      answers: new LiveAnswers(
        () => gateway,
        new AnswerCache(store, { ttlMs: 1 }),
        () => now,
      ),
      gateway,
    };
  }

  const cacheRow = (mobile: string, at: string, nowIsp = '联通') => ({
    mobile,
    res: '1',
    initIsp: '移动',
    nowIsp,
    provider: 'p',
    checkedAt: new Date(at),
  });

  it('answers a feed entry without asking under cache-first, and asks for the rest', async () => {
    const { answers, gateway } = live('cache-first');
    const calls = fake.carrierCalls;
    expect(await answers.resolve(local(IN_FEED), ACCOUNT)).toMatchObject({
      kind: 'answer',
      answer: { seed: { Now_isp: '联通' }, ext: { source: 'feed' } },
    });
    expect(fake.carrierCalls).toBe(calls);
    const asked = await answers.resolve(local(NOT_IN_FEED), ACCOUNT);
    expect(asked).toMatchObject({
      kind: 'answer',
      answer: { seed: { res: '1', Now_isp: '电信', Init_isp: '移动' }, ext: { source: 'upstream:p' } },
      cache: { mobile: NOT_IN_FEED, nowIsp: '电信', provider: 'p' },
    });
    expect(fake.carrierCalls).toBe(calls + 1);
    await gateway.close();
  });

  it('lets the most recent observation win between a feed row and a cached answer', async () => {
    const { answers, gateway } = live('cache-first');
    now = Date.parse('2024-06-01T00:00:00Z');
    // Checked before the feed's port date: the feed row is newer.
    await store.cacheAnswers([cacheRow(IN_FEED, '2024-04-01T00:00:00Z', '电信')]);
    expect(await answers.resolve(local(IN_FEED), ACCOUNT)).toMatchObject({
      answer: { seed: { Now_isp: '联通' }, ext: { source: 'feed' } },
    });
    // Checked after it: the cached answer is newer.
    await store.cacheAnswers([cacheRow(IN_FEED, '2024-05-20T00:00:00Z', '电信')]);
    now = Date.parse('2024-05-20T01:00:00Z');
    // Read as a node that has not seen the number yet (nothing in its memory).
    const other = live('cache-first');
    expect(await other.answers.resolve(local(IN_FEED), ACCOUNT)).toMatchObject({
      answer: {
        seed: { Now_isp: '电信' },
        ext: { source: 'cache:p', checkedAt: '2024-05-20T00:00:00.000Z' },
      },
    });
    await Promise.all([gateway.close(), other.gateway.close()]);
  });

  it('asks again once a cached answer is older than cacheTtl', async () => {
    const { answers, gateway } = live('cache-first');
    const mobile = '13972563000';
    await store.cacheAnswers([cacheRow(mobile, '2024-01-01T00:00:00Z')]);
    now = Date.parse('2024-01-01T12:00:00Z');
    expect(await answers.resolve(local(mobile), ACCOUNT)).toMatchObject({
      answer: { ext: { source: 'cache:p' } },
    });
    now = Date.parse('2024-01-03T00:00:00Z');
    expect(await answers.resolve(local(mobile), ACCOUNT)).toMatchObject({
      answer: { ext: { source: 'upstream:p' } },
    });
    await gateway.close();
  });

  it('asks every time under realtime, and falls back to a stale cached answer, then local data or -8', async () => {
    const mobile = '13972564000';
    const { answers, gateway } = live('realtime');
    await store.cacheAnswers([cacheRow(mobile, '2020-01-01T00:00:00Z')]);
    expect(await answers.resolve(local(mobile), ACCOUNT)).toMatchObject({
      answer: { ext: { source: 'upstream:p' } },
    });
    fake.numbers.set(mobile, { status: 503 });
    fake.numbers.set(NOT_IN_FEED, { status: 503 });
    await store.forgetCachedAnswer(NOT_IN_FEED);
    expect(await answers.resolve(local(mobile), ACCOUNT)).toMatchObject({
      answer: { ext: { source: 'cache:p' } },
    });
    expect(await answers.resolve(local(NOT_IN_FEED), ACCOUNT)).toMatchObject({
      answer: { seed: { Now_isp: '移动' }, ext: { source: 'segment' } },
    });
    const strict = live('realtime', 'error');
    expect(await strict.answers.resolve(local(NOT_IN_FEED), ACCOUNT)).toEqual({ kind: 'unavailable' });
    await Promise.all([gateway.close(), strict.gateway.close()]);
  });

  it('never asks about virtual-operator numbers, nor for a local-only account', async () => {
    const { answers, gateway } = live('realtime');
    const calls = fake.carrierCalls;
    expect(await answers.resolve(local(VIRTUAL), ACCOUNT)).toMatchObject({
      answer: { seed: { res: '3' }, ext: { source: 'segment' } },
    });
    expect(answers.goesUpstream({ ...ACCOUNT, localOnly: true })).toBe(false);
    expect(await answers.resolve(local('13972565000'), { ...ACCOUNT, localOnly: true })).toMatchObject({
      answer: { ext: { source: 'segment' } },
    });
    expect(fake.carrierCalls).toBe(calls);
    await gateway.close();
  });
});
