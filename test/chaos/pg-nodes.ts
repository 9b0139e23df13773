/**
 * Two and three PostgreSQL nodes started at once on an empty store (a fresh schema: each races to
 * make the tables, the operator and the demo account), then 1,000 concurrent queries on a balance
 * of 300 spread over them: exactly 300 code-0 answers, exactly 300 charged.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import {
  DATABASE_URL,
  POSTGRES_SKIP_REASON,
  freshPostgresSchema,
} from '../../src/test-support/test-databases.js';
import { type LoggedServer, killServer, logTail, spawnServer, waitHealthy } from '../serve.js';
import { chaosDataDir, payingAccount } from './fixtures.js';
import { checkBilling } from './ledger.js';
import { startLoad } from './load.js';
import { type ScenarioTally, emptyTally } from './tally.js';

const ACCOUNT = 'chaos-nodes';
const BALANCE = 300;
const QUERIES = 1000;

export async function pgNodesAtOnce(count: number): Promise<{ tally: ScenarioTally; problems: string[] }> {
  const tally = emptyTally(`${count} PostgreSQL nodes started at once, 1,000 queries on a balance of 300`);
  if (!DATABASE_URL) return { tally: { ...tally, skipped: POSTGRES_SKIP_REASON }, problems: [] };
  const postgres = await freshPostgresSchema();
  const dirs = Array.from({ length: count }, (_, i) => chaosDataDir(`nodes-${i}`));
  const nodes: LoggedServer[] = [];
  let store: Store | undefined;
  const problems: string[] = [];
  try {
    for (const { dataDir, segments } of dirs) {
      nodes.push(
        await spawnServer(
          { MNPD_DATA_DIR: dataDir, MNPD_SEGMENTS: segments, DATABASE_URL: postgres.url },
          join(dataDir, 'serve.log'),
        ),
      );
    }
    tally.probes += count;
    const started = await Promise.allSettled(nodes.map((node) => waitHealthy(node, 30_000)));
    started.forEach((result, i) => {
      if (result.status === 'rejected') {
        tally.crashes++;
        problems.push(`node ${i + 1} did not start:\n${logTail(nodes[i].logFile, 10)}`);
      }
    });
    if (problems.length > 0) return { tally, problems };
    store = await openStore(postgres.url, dirs[0].dataDir);
    const demos = (await store.listAccounts()).filter((account) => account.name === 'demo');
    if (demos.length !== 1) problems.push(`${demos.length} demo accounts`);
    const operators = await store.countOperators();
    if (operators !== 1) problems.push(`${operators} operators made by the first start`);
    const apikey = await payingAccount(store, ACCOUNT, BALANCE);

    const load = startLoad({
      ports: () => nodes.map((node) => node.port),
      apikey,
      runId: `nodes${count}`,
      clients: QUERIES,
      maxRequests: QUERIES,
      mobile: (i) => `1397256${String(i).padStart(4, '0')}`,
    });
    await load.finished();
    const { outcome } = load;
    tally.probes += outcome.sent.size;
    tally.serverErrors += outcome.serverErrors;
    const billing = await checkBilling(store, ACCOUNT, BALANCE, outcome);
    tally.lostCharges += billing.lost;
    tally.doubleCharges += billing.double;
    problems.push(...billing.problems);
    const codes = new Map<number, number>();
    for (const code of outcome.refused.values()) codes.set(code, (codes.get(code) ?? 0) + 1);
    console.log(
      `chaos: ${count} nodes: all listening, ${demos.length} demo account, ${operators} operator; ${outcome.sent.size} queries: ` +
        `${outcome.answered.size} code 0, others by code ${JSON.stringify(Object.fromEntries(codes))}, ` +
        `${outcome.failed} without an answer; ${billing.charged} charged, balance ${billing.balance}`,
    );
    if (outcome.answered.size !== BALANCE)
      problems.push(`${outcome.answered.size} code-0 answers, not ${BALANCE}`);
    if (billing.charged !== BALANCE) problems.push(`${billing.charged} charged, not ${BALANCE}`);
    if (outcome.failed > 0) problems.push(`${outcome.failed} queries got no answer`);
    for (const node of nodes) {
      if (node.child.exitCode !== null || node.child.signalCode !== null) tally.crashes++;
    }
    return { tally, problems };
  } finally {
    for (const node of nodes) await killServer(node);
    await store?.close();
    await postgres.drop();
    for (const { dataDir } of dirs) await rm(dataDir, { recursive: true, force: true });
  }
}
