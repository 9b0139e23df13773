/**
 * PostgreSQL lost under load, twice: the network between node and database cut (a TCP proxy the
 * test runs), then the node's connections ended by the database (pg_terminate_backend). The node
 * must live through both, say it is not ready while the store is away, come back by itself, and
 * its ledger, balance and query log must agree exactly with the code-0 answers clients received.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import {
  DATABASE_URL,
  POSTGRES_SKIP_REASON,
  freshPostgresSchema,
} from '../../src/test-support/test-databases.js';
import { type LoggedServer, isRunning, killServer, startServer } from '../serve.js';
import { checkBilling } from './ledger.js';
import { startLoad } from './load.js';
import { chaosDataDir, payingAccount, pollUntil, readyStatus, sleep } from './fixtures.js';
import { type ScenarioTally, emptyTally } from './tally.js';
import { startTcpProxy } from './tcp-proxy.js';

const ACCOUNT = 'chaos-pg-cut';
const BALANCE = 1_000_000;
const CLIENTS = 20;

export interface PgCutReport {
  tally: ScenarioTally;
  /** Each fault: whether /readyz said 503 while it lasted and how long recovery took. */
  faults: { fault: string; notReady: boolean; recoveredMs: number | null }[];
  problems: string[];
}

export async function pgCut(): Promise<PgCutReport> {
  const tally = emptyTally('PostgreSQL cut under load (proxy cut, pg_terminate_backend ×2)');
  if (!DATABASE_URL) return { tally: { ...tally, skipped: POSTGRES_SKIP_REASON }, faults: [], problems: [] };
  const { dataDir, segments } = chaosDataDir('pg-cut');
  const postgres = await freshPostgresSchema();
  const target = new URL(postgres.url);
  const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  const throughProxy = new URL(postgres.url);
  throughProxy.hostname = '127.0.0.1';
  throughProxy.port = String(proxy.port);
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  let node: LoggedServer | undefined;
  let store: Store | undefined;
  const faults: PgCutReport['faults'] = [];
  const problems: string[] = [];
  try {
    const setup = await openStore(postgres.url, dataDir);
    const apikey = await payingAccount(setup, ACCOUNT, BALANCE);
    await setup.close();
    node = await startServer(
      { MNPD_DATA_DIR: dataDir, MNPD_SEGMENTS: segments, DATABASE_URL: throughProxy.toString() },
      join(dataDir, 'serve.log'),
    );
    const server = node;
    const load = startLoad({ ports: () => [server.port], apikey, runId: 'pgcut', clients: CLIENTS });
    const within = (promise: Promise<void>, ms: number) => Promise.race([promise, sleep(ms)]);

    const outage = async (fault: string, cause: () => Promise<void>, restore: () => void, away: boolean) => {
      await within(load.answersReach(300), 10_000);
      load.fault();
      await cause();
      tally.probes++;
      // Connections ended alone come back at once; a store away must show on /readyz.
      const notReady =
        !away || (await pollUntil(async () => (await readyStatus(server.url)) === 503, 10_000));
      await sleep(1000);
      restore();
      const started = Date.now();
      const recovered = await pollUntil(async () => (await readyStatus(server.url)) === 200, 30_000);
      faults.push({ fault, notReady, recoveredMs: recovered ? Date.now() - started : null });
      console.log(
        `chaos: pg-cut: ${fault}: ` +
          (away ? `/readyz ${notReady ? 'said 503' : 'never said 503'} while away, ` : '') +
          (recovered
            ? `ready again ${Date.now() - started} ms after the store returned`
            : 'never ready again'),
      );
    };

    await outage(
      'TCP proxy cut',
      async () => proxy.cut(),
      () => proxy.restore(),
      true,
    );
    for (const away of [false, true]) {
      await outage(
        away ? 'pg_terminate_backend, then refused for a second' : 'pg_terminate_backend',
        async () => {
          const ports = proxy.upstreamPorts();
          const ended = await admin.query(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE client_port = ANY($1::int[])',
            [ports],
          );
          console.log(
            `chaos: pg-cut: pg_terminate_backend ended ${ended.rowCount} of the node's connections`,
          );
          // Then refused for a moment, as a restarting database does.
          if (away) proxy.cut();
        },
        () => proxy.restore(),
        away,
      );
    }
    await within(load.answersReach(300), 10_000);
    await load.stop();
    const { outcome } = load;
    tally.probes += outcome.sent.size;
    tally.serverErrors += outcome.serverErrors;
    if (!isRunning(server)) {
      tally.crashes++;
      problems.push('the node exited under the outages');
    }
    // Every answer is in: the node's /balance and the store must agree with the log.
    const balanceAnswer = (await (await fetch(`${server.url}/balance?apikey=${apikey}`)).json()) as {
      result?: { balance?: string };
    };
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    if (exit.code !== 0) problems.push(`SIGTERM ended the node with ${JSON.stringify(exit)}`);
    store = await openStore(postgres.url, dataDir);
    const billing = await checkBilling(store, ACCOUNT, BALANCE, outcome);
    tally.lostCharges += billing.lost;
    tally.doubleCharges += billing.double;
    problems.push(...billing.problems);
    if (balanceAnswer.result?.balance !== String(billing.balance)) {
      problems.push(`/balance said ${balanceAnswer.result?.balance}, the store holds ${billing.balance}`);
    }
    const codes = new Map<number, number>();
    for (const code of outcome.refused.values()) codes.set(code, (codes.get(code) ?? 0) + 1);
    console.log(
      `chaos: pg-cut: ${outcome.sent.size} requests, ${outcome.answered.size} code 0 received, ` +
        `others by code ${JSON.stringify(Object.fromEntries(codes))}, ${outcome.failed} without an answer; ` +
        `${billing.charged} charged (${billing.cutInFlight} of them in flight at a fault, never answered), ` +
        `balance ${billing.balance}, ledger ${billing.ledgerAgrees ? 'agrees' : 'DISAGREES'}`,
    );
    for (const { fault, notReady, recoveredMs } of faults) {
      if (!notReady) problems.push(`${fault}: /readyz never said 503`);
      if (recoveredMs === null) problems.push(`${fault}: the node never became ready again`);
    }
    return { tally, faults, problems };
  } finally {
    if (node) await killServer(node);
    await store?.close();
    await admin.end();
    await proxy.close();
    await postgres.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
