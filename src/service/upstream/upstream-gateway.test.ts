import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderConfig, UpstreamConfig } from './config.js';
import type { UpstreamAlert, UpstreamCallEvent } from './guarded-provider.js';
import type { BreakerState } from './provider-breaker.js';
import { FakeAliyunDytns } from './test-support/fake-aliyun-dytns.js';
import { FakeIspAppcode } from './test-support/fake-isp-appcode.js';
import { FakeQxt } from './test-support/fake-qxt.js';
import { dytnsConfig, ispAppcodeConfig, qxtConfig } from './test-support/provider-configs.js';
import { type GatewayOptions, UpstreamGateway } from './upstream-gateway.js';

const PORTED = { result: { res: '1', Init_isp: '移动', Now_isp: '电信' } } as const;

function configOf(...providers: ProviderConfig[]): UpstreamConfig {
  return { policy: 'cache-first', cacheTtlMs: 86_400_000, onFailure: 'local', providers };
}

/** Numbers unique to each test, so behaviours set on shared fakes never meet. */
let serial = 0;
const nextMobile = () => `1590${String(++serial).padStart(7, '0')}`;

const gateways: UpstreamGateway[] = [];
function gateway(config: UpstreamConfig, options?: GatewayOptions): UpstreamGateway {
  const made = new UpstreamGateway(config, options);
  gateways.push(made);
  return made;
}
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((made) => made.close()));
});

describe('the gateway over several providers', () => {
  let first: FakeQxt;
  let second: FakeQxt;
  let market: FakeIspAppcode;
  let aliyun: FakeAliyunDytns;

  beforeAll(async () => {
    [first, second, market, aliyun] = await Promise.all([
      FakeQxt.start(),
      FakeQxt.start(),
      FakeIspAppcode.start(),
      FakeAliyunDytns.start(),
    ]);
  });
  afterAll(() => Promise.all([first.close(), second.close(), market.close(), aliyun.close()]));

  const twoProviders = (overrides: Partial<ProviderConfig> = {}) =>
    configOf(
      qxtConfig(first.url, { name: 'first', ...overrides } as object),
      qxtConfig(second.url, { name: 'second' }),
    );

  it('answers from the first provider, and says which and when', async () => {
    const mobile = nextMobile();
    first.numbers.set(mobile, PORTED);
    const before = Date.now();
    const verdict = await gateway(twoProviders()).ask(mobile);
    expect(verdict).toMatchObject({
      kind: 'answer',
      provider: 'first',
      code: '0',
      answer: { carrier: 2, originalCarrier: 0, ported: true },
      attempts: [{ provider: 'first', result: 'answer', code: '0' }],
    });
    expect(verdict.kind === 'answer' && verdict.checkedAt.getTime()).toBeGreaterThanOrEqual(before);
  });

  it.each([
    ['-8', { code: -8 }, 'transient'],
    ['a 5xx', { status: 502, body: '' }, 'transient'],
    ['broken JSON', { brokenJson: true as const }, 'transient'],
    ['a refused number', { code: -3 }, 'refused'],
  ])('fails over to the next provider on %s', async (_, behaviour, result) => {
    const mobile = nextMobile();
    first.numbers.set(mobile, behaviour);
    second.numbers.set(mobile, PORTED);
    const verdict = await gateway(twoProviders()).ask(mobile);
    expect(verdict).toMatchObject({
      kind: 'answer',
      provider: 'second',
      attempts: [
        { provider: 'first', result },
        { provider: 'second', result: 'answer' },
      ],
    });
  });

  it('fails over from a provider that hangs within its timeout plus the next one’s latency', async () => {
    const mobile = nextMobile();
    first.numbers.set(mobile, { hang: true });
    second.numbers.set(mobile, { ...PORTED, delayMs: 50 });
    const started = performance.now();
    const verdict = await gateway(twoProviders({ timeoutMs: 200 })).ask(mobile);
    const took = performance.now() - started;
    expect(verdict).toMatchObject({
      kind: 'answer',
      provider: 'second',
      attempts: [{ reason: 'timeout' }, {}],
    });
    expect(took).toBeGreaterThanOrEqual(240);
    expect(took).toBeLessThan(200 + 50 + 150);
  });

  it('stops at a definitive not-found: the next provider is not asked', async () => {
    const mobile = nextMobile();
    first.numbers.set(mobile, { code: -4 });
    const callsBefore = second.carrierCalls;
    expect(await gateway(twoProviders()).ask(mobile)).toMatchObject({
      kind: 'not-found',
      provider: 'first',
      code: '-4',
    });
    expect(second.carrierCalls).toBe(callsBefore);
  });

  it('is unavailable when no provider answers, with every attempt listed', async () => {
    const mobile = nextMobile();
    first.numbers.set(mobile, { code: -8 });
    second.numbers.set(mobile, { status: 500, body: '' });
    expect(await gateway(twoProviders()).ask(mobile)).toEqual({
      kind: 'unavailable',
      attempts: [
        expect.objectContaining({
          provider: 'first',
          result: 'transient',
          reason: 'upstream-error',
          code: '-8',
        }),
        expect.objectContaining({
          provider: 'second',
          result: 'transient',
          reason: 'http-status',
          code: 'HTTP 500',
        }),
      ],
    });
  });

  it('fails over across the three contracts', async () => {
    const mobile = nextMobile();
    first.numbers.set(mobile, { code: -8 });
    market.numbers.set(mobile, { status: 503, body: '' });
    aliyun.set(mobile, { data: { BasicCarrier: '中国联通', IsNumberPortability: true } });
    const verdict = await gateway(
      configOf(
        qxtConfig(first.url, { name: 'first' }),
        ispAppcodeConfig(market.url),
        dytnsConfig(aliyun.url),
      ),
    ).ask(mobile);
    expect(verdict).toMatchObject({
      kind: 'answer',
      provider: 'aliyun',
      answer: { carrier: 1, ported: true },
    });
    expect(verdict.attempts.map((a) => a.result)).toEqual(['transient', 'transient', 'answer']);
  });

  it('opens the breaker at once on the operator’s trouble, alerts, and never passes it on', async () => {
    const wrongKey = 'f'.repeat(32);
    const alerts: UpstreamAlert[] = [];
    const states: [string, BreakerState][] = [];
    const made = gateway(
      configOf(
        qxtConfig(first.url, {
          name: 'first',
          apikey: wrongKey,
          breaker: { failures: 5, halfOpenAfterMs: 60_000 },
        }),
        qxtConfig(second.url, { name: 'second' }),
      ),
      {
        hooks: {
          onAlert: (alert) => alerts.push(alert),
          onBreakerChange: (name, state) => states.push([name, state]),
        },
      },
    );
    const [a, b] = [nextMobile(), nextMobile()];
    const firstCalls = first.carrierCalls;
    expect(await made.ask(a)).toMatchObject({
      kind: 'answer',
      provider: 'second',
      attempts: [{ provider: 'first', result: 'operator', reason: 'bad-key', code: '-1' }, {}],
    });
    expect(await made.ask(b)).toMatchObject({
      kind: 'answer',
      provider: 'second',
      attempts: [{ provider: 'first', result: 'breaker-open' }, {}],
    });
    expect(first.carrierCalls - firstCalls).toBe(1);
    expect(states).toEqual([['first', 'open']]);
    expect(alerts).toEqual([expect.objectContaining({ provider: 'first', reason: 'bad-key' })]);
    const stats = made.stats().providers[0];
    expect(stats).toMatchObject({ breaker: 'open', lastAlert: { reason: 'bad-key' } });
    expect(JSON.stringify([made.stats(), made.describe(), alerts])).not.toContain(wrongKey);
  });

  it('opens after repeated failures, then lets one probe through and closes on its answer', async () => {
    const states: BreakerState[] = [];
    const made = gateway(twoProviders({ breaker: { failures: 3, halfOpenAfterMs: 300 } }), {
      hooks: { onBreakerChange: (name, state) => name === 'first' && states.push(state) },
    });
    const failing = [nextMobile(), nextMobile(), nextMobile(), nextMobile()];
    for (const mobile of failing) first.numbers.set(mobile, { status: 503, body: '' });
    const callsBefore = first.carrierCalls;
    for (const mobile of failing)
      expect(await made.ask(mobile)).toMatchObject({ kind: 'answer', provider: 'second' });
    expect(first.carrierCalls - callsBefore).toBe(3);
    expect(made.stats().providers[0].breaker).toBe('open');

    await new Promise((resolve) => setTimeout(resolve, 350));
    // While the probe is under way, other asks pass the provider over rather than queue behind it.
    const probe = nextMobile();
    first.numbers.set(probe, { ...PORTED, delayMs: 150 });
    const others = [nextMobile(), nextMobile(), nextMobile()];
    const probing = made.ask(probe);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const meanwhile = await Promise.all(others.map((mobile) => made.ask(mobile)));
    expect(meanwhile.map((v) => v.attempts[0].result)).toEqual([
      'breaker-open',
      'breaker-open',
      'breaker-open',
    ]);
    expect(await probing).toMatchObject({ kind: 'answer', provider: 'first' });
    expect(states).toEqual(['open', 'half-open', 'closed']);
    expect(first.carrierCalls - callsBefore).toBe(4);
  });

  it('reopens when the probe fails', async () => {
    const made = gateway(twoProviders({ breaker: { failures: 1, halfOpenAfterMs: 200 } }));
    const [a, b, c] = [nextMobile(), nextMobile(), nextMobile()];
    first.numbers.set(a, { code: -8 });
    first.numbers.set(b, { code: -8 });
    await made.ask(a);
    expect(made.stats().providers[0].breaker).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await made.ask(b)).toMatchObject({ attempts: [{ provider: 'first', result: 'transient' }, {}] });
    expect(made.stats().providers[0].breaker).toBe('open');
    expect(await made.ask(c)).toMatchObject({
      attempts: [{ provider: 'first', result: 'breaker-open' }, {}],
    });
  });

  it('makes one upstream call for 100 concurrent asks of one number', async () => {
    const mobile = nextMobile();
    first.numbers.set(mobile, { ...PORTED, delayMs: 100 });
    const made = gateway(twoProviders());
    const before = first.carrierCalls;
    const verdicts = await Promise.all(Array.from({ length: 100 }, () => made.ask(mobile)));
    expect(first.carrierCalls - before).toBe(1);
    expect(new Set(verdicts)).toHaveLength(1);
    expect(verdicts[0]).toMatchObject({ kind: 'answer', provider: 'first' });
    expect(made.stats()).toMatchObject({ asks: 100, coalesced: 99 });
    // Once answered, the next ask is a new call (the answer cache is the query path's business).
    await made.ask(mobile);
    expect(first.carrierCalls - before).toBe(2);
  });

  it('lets one caller leave without cancelling the call the others wait for', async () => {
    const mobile = nextMobile();
    first.numbers.set(mobile, { ...PORTED, delayMs: 150 });
    const made = gateway(twoProviders());
    const impatient = new AbortController();
    const asks = [made.ask(mobile, { signal: impatient.signal }), made.ask(mobile), made.ask(mobile)];
    setTimeout(() => impatient.abort(), 30);
    const [left, ...stayed] = await Promise.all(asks);
    expect(left).toEqual({ kind: 'unavailable', attempts: [], cancelled: true });
    for (const verdict of stayed) expect(verdict).toMatchObject({ kind: 'answer', provider: 'first' });
  });

  it('cancels the upstream call once every caller has left, without holding it against the provider', async () => {
    const mobile = nextMobile();
    first.numbers.set(mobile, { hang: true });
    const made = gateway(
      twoProviders({ timeoutMs: 5000, breaker: { failures: 1, halfOpenAfterMs: 60_000 } }),
    );
    const callers = [new AbortController(), new AbortController()];
    const asks = callers.map((caller) => made.ask(mobile, { signal: caller.signal }));
    setTimeout(() => callers.forEach((caller) => caller.abort()), 50);
    const started = performance.now();
    expect(await Promise.all(asks)).toEqual([
      { kind: 'unavailable', attempts: [], cancelled: true },
      { kind: 'unavailable', attempts: [], cancelled: true },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(made.stats().providers[0]).toMatchObject({
      breaker: 'closed',
      inFlight: 0,
      failures: { cancelled: 1 },
    });
  });

  it('answers even when a hook throws', async () => {
    const made = gateway(twoProviders(), {
      hooks: {
        onCall: () => {
          throw new Error('metrics broke');
        },
      },
    });
    expect(await made.ask(nextMobile())).toMatchObject({ kind: 'answer', provider: 'first' });
  });

  it('tells the hooks of every call, with what it cost', async () => {
    const events: UpstreamCallEvent[] = [];
    const made = gateway(twoProviders(), { hooks: { onCall: (event) => events.push(event) } });
    const [a, b] = [nextMobile(), nextMobile()];
    first.numbers.set(b, { code: -8 });
    await made.ask(a);
    await made.ask(b);
    expect(
      events.map(({ provider, outcome, code, costFen }) => ({ provider, outcome, code, costFen })),
    ).toEqual([
      { provider: 'first', outcome: 'answer', code: '0', costFen: 3 },
      { provider: 'first', outcome: 'transient', code: '-8', costFen: 0 },
      { provider: 'second', outcome: 'answer', code: '0', costFen: 3 },
    ]);
    expect(events.every((event) => event.latencyMs > 0)).toBe(true);
  });

  it('counts calls, outcomes, latency and today’s spending per provider', async () => {
    const made = gateway(twoProviders());
    const mobiles = [nextMobile(), nextMobile(), nextMobile(), nextMobile()];
    first.numbers.set(mobiles[3], { code: -4 });
    for (const mobile of mobiles) await made.ask(mobile);
    const [stats] = made.stats().providers;
    expect(stats).toMatchObject({
      name: 'first',
      kind: 'qxt',
      costFen: 3,
      breaker: 'closed',
      calls: 4,
      callsToday: 4,
      answersToday: 3,
      costTodayFen: 9,
      outcomes: { answer: 3, 'not-found': 1, refused: 0, transient: 0, operator: 0 },
      inFlight: 0,
      lastAlert: null,
    });
    expect(stats.latencyMs!.samples).toBe(4);
    expect(stats.latencyMs!.p99).toBeGreaterThanOrEqual(stats.latencyMs!.p50);
  });

  it('asks one provider directly for `mnpd upstream test`', async () => {
    const made = gateway(twoProviders());
    expect(await made.testProvider('second', nextMobile())).toMatchObject({
      provider: 'second',
      result: 'answer',
    });
    expect(await made.testProvider('nobody', nextMobile())).toBeUndefined();
    expect(() => made.ask('12345')).toThrow(RangeError);
  });
});

describe('budgets: QPS and concurrency caps', () => {
  let fake: FakeQxt;
  let spare: FakeQxt;
  beforeAll(async () => {
    [fake, spare] = await Promise.all([FakeQxt.start(), FakeQxt.start()]);
  });
  afterAll(() => Promise.all([fake.close(), spare.close()]));

  it('never sends more than maxQps in any second, and batch callers wait for budget', async () => {
    fake.server.reset();
    const made = gateway(configOf(qxtConfig(fake.url, { maxQps: 10 })));
    const started = performance.now();
    const verdicts = await Promise.all(
      Array.from({ length: 25 }, () => made.ask(nextMobile(), { waitForBudget: true })),
    );
    expect(verdicts.every((v) => v.kind === 'answer')).toBe(true);
    expect(fake.server.calls).toBe(25);
    // Counted as the provider counts: arrivals per second of its clock.
    expect(Math.max(...fake.server.perSecond())).toBeLessThanOrEqual(10);
    expect(fake.server.busiestSecond()).toBeLessThanOrEqual(10);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('passes a provider out of budget over at once for callers that do not wait', async () => {
    fake.server.reset();
    spare.server.reset();
    const made = gateway(
      configOf(qxtConfig(fake.url, { maxQps: 10 }), qxtConfig(spare.url, { name: 'spare' })),
    );
    const started = performance.now();
    const verdicts = await Promise.all(Array.from({ length: 25 }, () => made.ask(nextMobile())));
    expect(performance.now() - started).toBeLessThan(900);
    expect(fake.server.calls).toBe(10);
    expect(spare.server.calls).toBe(15);
    expect(verdicts.filter((v) => v.kind === 'answer' && v.provider === 'spare')).toHaveLength(15);
    expect(verdicts.find((v) => v.kind === 'answer' && v.provider === 'spare')!.attempts[0]).toEqual({
      provider: 'qxt',
      result: 'no-budget',
    });
  });

  it('never has more than maxConcurrency calls under way', async () => {
    fake.server.reset();
    fake.numbers.fallback = { result: {}, delayMs: 60 };
    const made = gateway(configOf(qxtConfig(fake.url, { maxConcurrency: 3 })));
    const verdicts = await Promise.all(
      Array.from({ length: 12 }, () => made.ask(nextMobile(), { waitForBudget: true })),
    );
    fake.numbers.fallback = { result: {} };
    expect(verdicts.every((v) => v.kind === 'answer')).toBe(true);
    expect(fake.server.maxInFlight).toBe(3);
  });
});

describe('upstream balance', () => {
  it('polls a qxt provider’s balance and warns once it falls below the threshold', async () => {
    const fake = await FakeQxt.start({ balance: { feeType: '预付费', balance: '12048' } });
    const alerts: UpstreamAlert[] = [];
    const made = gateway(
      configOf(qxtConfig(fake.url, { balance: { intervalMs: 60_000, warnBelow: 10_000 } })),
      { hooks: { onAlert: (alert) => alerts.push(alert) } },
    );
    await made.checkBalances();
    expect(made.stats().providers[0].balance).toMatchObject({
      feeType: '预付费',
      balance: 12048,
      low: false,
    });
    fake.balance = { feeType: '预付费', balance: '9000' };
    await made.checkBalances();
    await made.checkBalances();
    expect(made.stats().providers[0].balance).toMatchObject({ balance: 9000, low: true, warnBelow: 10_000 });
    expect(alerts).toEqual([
      expect.objectContaining({ reason: 'low-balance', message: '9000 queries left, below 10000' }),
    ]);
    await made.close();
    await fake.close();
  });

  it('starts polling at once and every interval while started', async () => {
    const fake = await FakeQxt.start();
    const made = gateway(configOf(qxtConfig(fake.url, { balance: { intervalMs: 1000, warnBelow: 0 } })));
    made.startBalancePolling();
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(fake.balanceCalls).toBe(2);
    await made.close();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(fake.balanceCalls).toBe(2);
    await fake.close();
  });
});

describe('reloading the providers file', () => {
  let old: FakeQxt;
  let replacement: FakeQxt;
  beforeAll(async () => {
    [old, replacement] = await Promise.all([FakeQxt.start(), FakeQxt.start()]);
  });
  afterAll(() => Promise.all([old.close(), replacement.close()]));

  it('swaps providers without dropping an ask under way', async () => {
    const slow = nextMobile();
    old.numbers.set(slow, { ...PORTED, delayMs: 200 });
    const made = gateway(configOf(qxtConfig(old.url, { name: 'old' })));
    const underWay = made.ask(slow);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reloaded = made.reload(configOf(qxtConfig(replacement.url, { name: 'new' })));
    expect(await made.ask(nextMobile())).toMatchObject({ kind: 'answer', provider: 'new' });
    expect(await underWay).toMatchObject({ kind: 'answer', provider: 'old', answer: { ported: true } });
    await reloaded;
    expect(made.describe().map((d) => d.name)).toEqual(['new']);
    expect(made.config.providers).toHaveLength(1);
  });

  it('keeps the breaker and statistics of a provider whose settings did not change', async () => {
    const failing = nextMobile();
    old.numbers.set(failing, { code: -5 });
    const same = qxtConfig(old.url, { name: 'old' });
    const made = gateway(configOf(same));
    await made.ask(failing);
    expect(made.stats().providers[0]).toMatchObject({ calls: 1, breaker: 'open' });
    await made.reload(
      configOf(qxtConfig(old.url, { name: 'old' }), qxtConfig(replacement.url, { name: 'new' })),
    );
    expect(made.stats().providers.map((p) => [p.name, p.calls, p.breaker])).toEqual([
      ['old', 1, 'open'],
      ['new', 0, 'closed'],
    ]);
    // A changed setting (here the key) is a new provider: fresh breaker, fresh counters.
    await made.reload(configOf(qxtConfig(old.url, { name: 'old', apikey: 'e'.repeat(32) })));
    expect(made.stats().providers[0]).toMatchObject({ calls: 0, breaker: 'closed' });
  });
});
