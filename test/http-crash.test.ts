/**
 * Crash safety of billing, as a user runs it: `mnpd serve` in a child process under a load of
 * concurrent /carrier requests, killed with SIGKILL mid-load, then started again on the same data.
 * Every code-0 answer a client received must be charged and logged, the ledger must still add up,
 * and only requests that were in flight at the kill may have been charged without their answer
 * reaching the client.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashSecret, newSecret, secretHint } from '../src/service/accounts/secrets.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';
import { type Engine, availableEngines, freshPostgresSchema } from '../src/test-support/test-databases.js';
import { TEST_SEGMENTS_CSV } from '../src/test-support/test-server.js';
import { allLogRows } from './chaos/ledger.js';
import { getCarrier } from './chaos/load.js';
import { type LoggedServer as Serve, startServer as serve } from './serve.js';

const ACCOUNT = 'crash-test';
const INITIAL_BALANCE = 5000;
/** Requests in flight at any time. */
const IN_FLIGHT = 50;
/** The load stops here at the latest; the kill comes well before. */
const MAX_REQUESTS = 4000;
/** SIGKILL once the client has received this many code-0 answers… */
const KILL_AFTER_ANSWERS = 1500;
/** …or after this long under load, whichever comes first. */
const KILL_AFTER_MS = 2000;

/** Every tenth request is a number of no segment (-4) and every tenth a too short one (-2): never charged. */
function mobileFor(i: number): string {
  if (i % 10 === 8) return '15400000000';
  if (i % 10 === 9) return '1397256';
  return `1397256${String(i % 10_000).padStart(4, '0')}`;
}

interface LoadOutcome {
  sent: Map<string, string>;
  /** requestId → Mobile of every code-0 answer the client read whole. */
  answered: Map<string, string>;
  /** requestIds answered with another code. */
  refused: Map<string, number>;
  /** requestIds sent and not yet answered when SIGKILL was sent. */
  inFlightAtKill: Set<string>;
  failed: number;
}

/** IN_FLIGHT concurrent clients until the kill; the server is SIGKILLed from inside the load. */
async function loadAndKill(server: Serve, apikey: string, runId: string): Promise<LoadOutcome> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const outcome: LoadOutcome = {
    sent: new Map(),
    answered: new Map(),
    refused: new Map(),
    inFlightAtKill: new Set(),
    failed: 0,
  };
  const pending = new Set<string>();
  let next = 0;
  let killed = false;
  const kill = () => {
    if (killed) return;
    killed = true;
    for (const id of pending) outcome.inFlightAtKill.add(id);
    server.child.kill('SIGKILL');
  };
  const timer = setTimeout(kill, KILL_AFTER_MS);

  const client = async () => {
    while (!killed && next < MAX_REQUESTS) {
      const i = next++;
      const requestId = `${runId}-${i}`;
      const mobile = mobileFor(i);
      outcome.sent.set(requestId, mobile);
      pending.add(requestId);
      try {
        const body = await getCarrier(
          agent,
          server.port,
          new URLSearchParams({ apikey, mobile, requestId }).toString(),
        );
        if (body.code === 0) {
          outcome.answered.set(requestId, body.mobile!);
          if (outcome.answered.size >= KILL_AFTER_ANSWERS) kill();
        } else {
          outcome.refused.set(requestId, body.code);
        }
      } catch {
        outcome.failed++;
      } finally {
        pending.delete(requestId);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, client));
  clearTimeout(timer);
  agent.destroy();
  // The load ends only through the kill; if it ran out of requests first, kill now (and fail below).
  kill();
  await server.exited;
  return outcome;
}

describe('mnpd serve killed with SIGKILL under load', () => {
  for (const engine of availableEngines('http crash test')) {
    it(
      `${engine}: charges every answer received, keeps the ledger exact, and starts again`,
      {
        timeout: 30_000,
      },
      async () => {
        await crashAndRestart(engine);
      },
    );
  }
});

async function crashAndRestart(engine: Engine): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mnpd-crash-'));
  const segments = join(dataDir, 'segments.csv');
  writeFileSync(segments, TEST_SEGMENTS_CSV);
  const postgres = engine === 'postgres' ? await freshPostgresSchema() : undefined;
  const databaseUrl = postgres?.url;
  const env = {
    MNPD_DATA_DIR: dataDir,
    MNPD_SEGMENTS: segments,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  const servers: Serve[] = [];
  let store: Store | undefined;
  try {
    // The account exists before the server starts, as an operator would create it.
    const setup = await openStore(databaseUrl, dataDir);
    const account = await setup.createAccount({
      name: ACCOUNT,
      feeType: 'prepaid',
      balance: INITIAL_BALANCE,
    });
    const apikey = newSecret();
    await setup.createKey(account.id, 'apikey', hashSecret(apikey), secretHint(apikey), 'crash test');
    await setup.close();

    const first = await serve(env, join(dataDir, 'serve-1.log'));
    servers.push(first);
    const load = await loadAndKill(first, apikey, `crash-${engine}`);
    const exit = await first.exited;
    expect(exit.signal, 'the server died of the SIGKILL, not on its own').toBe('SIGKILL');
    // The kill came in the middle of the load: answers before it, requests cut by it.
    expect(load.answered.size).toBeGreaterThan(0);
    expect(load.inFlightAtKill.size).toBeGreaterThan(0);
    expect(load.inFlightAtKill.size).toBeLessThanOrEqual(IN_FLIGHT);
    // Every answer the client read is the number it asked for.
    for (const [requestId, mobile] of load.answered) expect(mobile).toBe(load.sent.get(requestId));
    for (const [requestId, code] of load.refused) {
      expect(code, `${requestId} (${load.sent.get(requestId)})`).toBe(
        load.sent.get(requestId) === '1397256' ? -2 : -4,
      );
    }

    const second = await serve(env, join(dataDir, 'serve-2.log'));
    servers.push(second);
    store = await openStore(databaseUrl, dataDir);
    const after = (await store.getAccountByName(ACCOUNT))!;
    const logged = await allLogRows(store, after.id);
    // Code-0 rows are the charged queries; the uncharged answers about a number are logged too.
    const rows = logged.filter((row) => row.code === 0);
    const charged = new Map(rows.map((row) => [row.requestId, row]));
    const uncharged = new Map(logged.filter((row) => row.code !== 0).map((row) => [row.requestId, row]));
    // Every such answer the client received was logged, with its code, before it left.
    for (const [requestId, code] of load.refused) expect(uncharged.get(requestId)?.code).toBe(code);
    expect(uncharged.size).toBeLessThanOrEqual(load.refused.size + load.inFlightAtKill.size);

    // The ledger adds up, and one log row per charged query, each for a distinct request.
    expect(await store.ledgerSum(after.id)).toBe(after.balance);
    expect(rows.length).toBe(INITIAL_BALANCE - after.balance);
    expect(charged.size).toBe(rows.length);
    // Every code-0 answer the client received is charged, with the number it answered.
    const unchargedAnswers = [...load.answered.keys()].filter((requestId) => !charged.has(requestId));
    expect(unchargedAnswers, 'code-0 answers received but not charged').toEqual([]);
    for (const [requestId, mobile] of load.answered) expect(charged.get(requestId)!.mobile).toBe(mobile);
    // Nothing else is charged but requests cut by the kill.
    const chargedUnseen = [...charged.keys()].filter((requestId) => !load.answered.has(requestId));
    expect(
      chargedUnseen.filter((requestId) => !load.inFlightAtKill.has(requestId)),
      'charged without an answer, yet not in flight at the kill',
    ).toEqual([]);
    expect(chargedUnseen.length).toBeLessThanOrEqual(IN_FLIGHT);
    for (const row of rows) {
      expect(row.code).toBe(0);
      expect(row.mobile).toBe(load.sent.get(row.requestId));
    }
    console.log(
      `http crash test (${engine}): ${load.sent.size} sent, ${load.answered.size} code 0 received, ` +
        `${load.refused.size} refused, ${load.failed} cut by the kill (${load.inFlightAtKill.size} in flight); ` +
        `${rows.length} charged, of which ${chargedUnseen.length} never answered`,
    );

    // The restarted server answers from the same data and charges as before.
    const balance = (await (await fetch(`${second.url}/balance?apikey=${apikey}`)).json()) as {
      code: number;
      result: { balance: string };
    };
    expect(balance).toMatchObject({ code: 0, result: { balance: String(after.balance) } });
    const answer = (await (
      await fetch(`${second.url}/carrier?apikey=${apikey}&mobile=13972565391&requestId=after-restart`)
    ).json()) as unknown;
    expect(answer).toMatchObject({ code: 0, result: { Mobile: '13972565391' } });
    const final = (await store.getAccountByName(ACCOUNT))!;
    expect(final.balance).toBe(after.balance - 1);
    expect(await store.ledgerSum(final.id)).toBe(final.balance);
    const newest = await store.queryLog(final.id, { limit: 1 });
    expect(newest.rows[0].requestId).toBe('after-restart');

    // And it still shuts down cleanly.
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  } finally {
    for (const server of servers) {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
      await server.exited;
    }
    await store?.close();
    await postgres?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
