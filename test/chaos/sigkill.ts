/**
 * SIGKILL under load, three times on the same data, then a last start: every code-0 answer a client
 * received is charged (with the number it answered), nothing twice, and a charge without its answer
 * only for a request in flight at a kill.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { type Engine, freshPostgresSchema } from '../../src/test-support/test-databases.js';
import { type LoggedServer, killServer, startServer } from '../serve.js';
import { chaosDataDir, payingAccount, sleep } from './fixtures.js';
import { checkBilling } from './ledger.js';
import { emptyOutcome, startLoad } from './load.js';
import { type ScenarioTally, emptyTally } from './tally.js';

const ACCOUNT = 'chaos-sigkill';
const BALANCE = 1_000_000;
const CLIENTS = 40;
const KILLS = 3;

export async function sigkillUnderLoad(
  engine: Engine,
): Promise<{ tally: ScenarioTally; problems: string[] }> {
  const tally = emptyTally(`SIGKILL under load ×${KILLS} (${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`);
  const { dataDir, segments } = chaosDataDir(`sigkill-${engine}`);
  const postgres = engine === 'postgres' ? await freshPostgresSchema() : undefined;
  const env = {
    MNPD_DATA_DIR: dataDir,
    MNPD_SEGMENTS: segments,
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
  };
  const servers: LoggedServer[] = [];
  let store: Store | undefined;
  const problems: string[] = [];
  try {
    const setup = await openStore(postgres?.url, dataDir);
    const apikey = await payingAccount(setup, ACCOUNT, BALANCE);
    await setup.close();
    const outcome = emptyOutcome();
    for (let round = 1; round <= KILLS + 1; round++) {
      const server = await startServer(env, join(dataDir, `serve-${round}.log`));
      servers.push(server);
      const load = startLoad({
        ports: () => [server.port],
        apikey,
        runId: `kill${round}`,
        clients: CLIENTS,
        outcome,
      });
      const before = outcome.answered.size;
      // A moment of load (at least a few hundred answers), then the kill in the middle of it.
      await Promise.race([load.answersReach(600), sleep(4000)]);
      if (round <= KILLS) {
        load.fault();
        server.child.kill('SIGKILL');
        tally.probes++;
        const exit = await server.exited;
        if (exit.signal !== 'SIGKILL') {
          tally.crashes++;
          problems.push(`round ${round}: the node ended with ${JSON.stringify(exit)} before the kill`);
        }
      }
      await load.stop();
      if (round > KILLS) {
        server.child.kill('SIGTERM');
        const exit = await server.exited;
        if (exit.code !== 0) problems.push(`the last node ended with ${JSON.stringify(exit)} on SIGTERM`);
      }
      console.log(
        `chaos: sigkill (${engine}): round ${round}: ${outcome.answered.size - before} code-0 answers, ` +
          (round <= KILLS ? 'then SIGKILL' : 'then SIGTERM'),
      );
    }
    tally.probes += outcome.sent.size;
    tally.serverErrors += outcome.serverErrors;
    store = await openStore(postgres?.url, dataDir);
    const billing = await checkBilling(store, ACCOUNT, BALANCE, outcome);
    tally.lostCharges += billing.lost;
    tally.doubleCharges += billing.double;
    problems.push(...billing.problems);
    if (billing.cutInFlight > KILLS * CLIENTS) problems.push(`${billing.cutInFlight} charged unanswered`);
    console.log(
      `chaos: sigkill (${engine}): ${outcome.sent.size} requests, ${outcome.answered.size} code 0 received, ` +
        `${outcome.refused.size} other codes, ${outcome.failed} cut; ${billing.charged} charged, ` +
        `${billing.cutInFlight} of them in flight at a kill and never answered; ledger ` +
        (billing.ledgerAgrees ? 'agrees' : 'DISAGREES'),
    );
    return { tally, problems };
  } finally {
    for (const server of servers) await killServer(server);
    await store?.close();
    await postgres?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
