/**
 * A full disk under the SQLite store: the data directory is a small tmpfs the test mounts and
 * fills. Charged queries must answer -8 uncharged, /readyz 503, and the node recover by itself once
 * space is freed. Skipped, with the reason printed, where the test may not mount.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { type LoggedServer, isRunning, killServer, startServer } from '../serve.js';
import { chaosDataDir, payingAccount, pollUntil, readyStatus } from './fixtures.js';
import { checkBilling } from './ledger.js';
import { type LoadOutcome, emptyOutcome, startLoad } from './load.js';
import { type ScenarioTally, emptyTally } from './tally.js';

const ACCOUNT = 'chaos-disk-full';
const BALANCE = 100_000;
const TMPFS_SIZE = '48m';

/** Writes zeros until the file system refuses: ENOSPC. */
function fillDisk(file: string): number {
  const fd = openSync(file, 'w');
  let written = 0;
  try {
    for (const size of [1 << 20, 1 << 12, 1 << 9]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          written += writeSync(fd, chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw error;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

async function queries(
  port: number,
  apikey: string,
  runId: string,
  count: number,
  outcome: LoadOutcome,
): Promise<void> {
  // Charged numbers only: every one is a charge the full disk must refuse.
  const load = startLoad({
    ports: () => [port],
    apikey,
    runId,
    clients: 10,
    maxRequests: count,
    outcome,
    mobile: (i) => `1397256${String(i % 10_000).padStart(4, '0')}`,
  });
  await load.finished();
}

export async function diskFull(): Promise<{ tally: ScenarioTally; problems: string[] }> {
  const tally = emptyTally('disk full (SQLite on a full tmpfs)');
  const mountPoint = mkdtempSync(join(tmpdir(), 'mnpd-chaos-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE}`, 'tmpfs', mountPoint], {
      stdio: 'pipe',
    });
  } catch (error) {
    rmSync(mountPoint, { recursive: true, force: true });
    const reason = `cannot mount a tmpfs: ${
      String((error as { stderr?: Buffer }).stderr ?? error)
        .trim()
        .split('\n')[0]
    }`;
    console.log(`chaos: disk full: skipped, ${reason}`);
    return { tally: { ...tally, skipped: reason }, problems: [] };
  }
  const { dataDir, segments } = chaosDataDir('disk', mountPoint);
  const filler = join(mountPoint, 'filler');
  const logFile = `${mountPoint}.log`;
  let node: LoggedServer | undefined;
  let store: Store | undefined;
  const problems: string[] = [];
  try {
    const setup = await openStore(undefined, dataDir);
    const apikey = await payingAccount(setup, ACCOUNT, BALANCE);
    await setup.close();
    node = await startServer(
      { MNPD_DATA_DIR: dataDir, MNPD_SEGMENTS: segments },
      join(tmpdir(), `mnpd-chaos-disk-${process.pid}.log`),
    );
    const server = node;
    const outcome = emptyOutcome();
    await queries(server.port, apikey, 'before', 100, outcome);
    const answeredBefore = outcome.answered.size;

    const filled = fillDisk(filler);
    tally.probes++;
    const notReady = await pollUntil(async () => (await readyStatus(server.url)) === 503, 10_000);
    const full = emptyOutcome();
    await queries(server.port, apikey, 'full', 300, full);
    for (const [key, value] of full.sent) outcome.sent.set(key, value);
    for (const [key, value] of full.answered) outcome.answered.set(key, value);
    for (const [key, value] of full.refused) outcome.refused.set(key, value);
    outcome.serverErrors += full.serverErrors;
    const minusEight = [...full.refused.values()].filter((code) => code === -8).length;

    rmSync(filler);
    const recovered = await pollUntil(async () => (await readyStatus(server.url)) === 200, 20_000);
    const after = outcome.answered.size;
    await queries(server.port, apikey, 'after', 100, outcome);
    const answeredAfter = outcome.answered.size - after;
    console.log(
      `chaos: disk full: ${answeredBefore}/100 code 0 before; filled ${filled >> 20} MiB; ` +
        `/readyz ${notReady ? 'said 503' : 'NEVER said 503'}; full disk: ${minusEight} of 300 answered -8, ` +
        `${full.answered.size} code 0, ${full.failed} without answer; space freed: ` +
        `${recovered ? 'ready again' : 'NEVER ready again'}, ${answeredAfter}/100 code 0`,
    );
    if (!notReady) problems.push('/readyz never said 503 on a full disk');
    if (!recovered) problems.push('the node never became ready once space was freed');
    if (answeredAfter !== 100) problems.push(`only ${answeredAfter} of 100 code 0 after space was freed`);
    if (!isRunning(server)) {
      tally.crashes++;
      problems.push('the node exited on the full disk');
    }
    tally.probes += outcome.sent.size;
    tally.serverErrors += outcome.serverErrors;
    server.child.kill('SIGTERM');
    await server.exited;
    store = await openStore(undefined, dataDir);
    const billing = await checkBilling(store, ACCOUNT, BALANCE, outcome);
    tally.lostCharges += billing.lost;
    tally.doubleCharges += billing.double;
    problems.push(...billing.problems);
    return { tally, problems };
  } finally {
    if (node) await killServer(node);
    await store?.close();
    try {
      execFileSync('umount', [mountPoint], { stdio: 'pipe' });
    } catch (error) {
      console.log(`chaos: disk full: umount ${mountPoint}: ${String(error)}`);
    }
    await rm(mountPoint, { recursive: true, force: true });
    await rm(logFile, { force: true });
  }
}
