/**
 * Upload bombs, all at once, against a node whose heap is bounded (--max-old-space-size): xlsx
 * files that unpack to hundreds of MB (honestly declared or not), a huge cell, a million rows,
 * CSV files too large, of one endless line or of millions of rows, on the customers' batch upload
 * and on the operator's portability upload. The node must live, answer each with a clear 4xx (or
 * take it when it is within bounds), never a 5xx, and still take a normal upload afterwards.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AccountService } from '../../src/service/accounts/account-service.js';
import { openStore } from '../../src/store/open-store.js';
import { type LoggedServer, isRunning, killServer, spawnServer, waitHealthy } from '../serve.js';
import { type Bomb, bombs } from './bomb-files.js';
import { type ConsoleSession, consoleLogin } from './console-session.js';
import { chaosDataDir, readLog, sleep } from './fixtures.js';
import { type ScenarioTally, emptyTally } from './tally.js';

/** The node's heap bound: what a small container would give it. */
const HEAP_MB = 256;
const PASSWORD = 'chaos-bombs-password-1';

interface Upload {
  status: number;
  message: string;
}

async function upload(url: string, session: ConsoleSession, bomb: Bomb, content: Buffer): Promise<Upload> {
  const form = new FormData();
  if (bomb.kind) form.append('kind', bomb.kind);
  form.append('file', new Blob([content], { type: bomb.type }), bomb.fileName);
  const path = bomb.route === 'batch' ? '/console/api/me/batches' : '/console/api/admin/data/ported';
  try {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken },
      body: form,
      signal: AbortSignal.timeout(150_000),
    });
    const text = await response.text();
    let message = text.slice(0, 160);
    try {
      const body = JSON.parse(text) as {
        error?: { code: string; message: string };
        id?: number;
        status?: string;
      };
      message = body.error
        ? `${body.error.code}: ${body.error.message}`
        : `id ${body.id}, ${body.status ?? 'draft'}`;
    } catch {
      // not JSON: shown as it is
    }
    return { status: response.status, message: message.slice(0, 160) };
  } catch (error) {
    return { status: 0, message: `no answer: ${(error as Error).cause ?? (error as Error).message}` };
  }
}

/** The node's resident memory now, in MiB (Linux). */
function rssMiB(pid: number): number {
  try {
    const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib ? Math.round(Number(kib) / 1024) : 0;
  } catch {
    return 0;
  }
}

export async function uploadBombs(): Promise<{ tally: ScenarioTally; problems: string[] }> {
  const tally = emptyTally(`xlsx and CSV bombs, all at once, heap bounded to ${HEAP_MB} MB`);
  const { dataDir, segments } = chaosDataDir('bombs');
  let node: LoggedServer | undefined;
  const problems: string[] = [];
  try {
    const made = Date.now();
    // MNPD_CHAOS_BOMBS=text keeps the bombs whose name holds it (to look at one).
    const only = process.env.MNPD_CHAOS_BOMBS;
    const all = bombs().filter((bomb) => !only || bomb.name.includes(only));
    const contents = all.map((bomb) => bomb.make());
    console.log(
      `chaos: bombs: ${all.length} made in ${Date.now() - made} ms: ` +
        all.map((bomb, i) => `${bomb.fileName} ${(contents[i].length / 1024).toFixed(0)} KiB`).join(', '),
    );
    // One customer per batch bomb: each account may have one file read at a time.
    const setup = await openStore(undefined, dataDir);
    const accounts = new AccountService(setup);
    const names = all.map((_, i) => `chaos-bomb-${i}`);
    for (const name of names) {
      await accounts.open(
        { kind: 'system', name: 'chaos' },
        { name, feeType: 'prepaid', balance: 10, password: PASSWORD },
        'chaos',
      );
    }
    await setup.close();
    const logFile = join(dataDir, 'serve.log');
    node = await spawnServer({ MNPD_DATA_DIR: dataDir, MNPD_SEGMENTS: segments }, logFile, [
      `--max-old-space-size=${HEAP_MB}`,
    ]);
    await waitHealthy(node);
    const server = node;
    const operatorPassword = /operator login:\s+admin \/ (\S+)/.exec(readLog(logFile))?.[1];
    if (!operatorPassword) throw new Error(`no operator login printed:\n${readLog(logFile)}`);
    const operator = await consoleLogin(server.url, 'operator', 'admin', operatorPassword);
    const customers = await Promise.all(
      names.map((name) => consoleLogin(server.url, 'customer', name, PASSWORD)),
    );

    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(server.child.pid!))), 100);
    const started = Date.now();
    const attempt = async (bomb: Bomb, i: number): Promise<Upload> => {
      tally.probes++;
      const result = await upload(
        server.url,
        bomb.route === 'batch' ? customers[i] : operator,
        bomb,
        contents[i],
      );
      if (result.status >= 500) tally.serverErrors++;
      console.log(
        `chaos: bombs: +${Date.now() - started} ms: ${bomb.name}: HTTP ${result.status} ${result.message}`,
      );
      return result;
    };
    // All at once; each refused as busy is sent again, on its own, until it is read (or 60 s pass).
    const busy = (result: Upload) => result.status === 429 || result.status === 409;
    let busyFirst = 0;
    const retryUntil = Date.now() + 60_000;
    const results = await Promise.all(
      all.map(async (bomb, i) => {
        let result = await attempt(bomb, i);
        if (busy(result)) busyFirst++;
        while (busy(result) && Date.now() < retryUntil) {
          await sleep(1500);
          result = await attempt(bomb, i);
        }
        return result;
      }),
    );
    // The portability imports taken go on in the background: until they end.
    const imports = results.flatMap((result) =>
      result.status === 202 ? [Number(/id (\d+)/.exec(result.message)?.[1])] : [],
    );
    for (const id of imports) {
      let status = 'running';
      for (let waited = 0; waited < 60_000 && status === 'running' && isRunning(server); waited += 250) {
        await sleep(250);
        const view = await fetch(`${server.url}/console/api/admin/data/imports/${id}`, {
          headers: { cookie: operator.cookie },
        }).then(
          (response) => response.json() as Promise<{ status: string; message: string | null }>,
          () => undefined,
        );
        if (view) status = view.status;
        if (view && status !== 'running')
          console.log(`chaos: bombs: portability import ${id}: ${status}, ${view.message}`);
      }
    }
    clearInterval(sampler);
    all.forEach((bomb, i) =>
      console.log(`chaos: bombs: ${bomb.name}: HTTP ${results[i].status} ${results[i].message}`),
    );
    console.log(
      `chaos: bombs: ${tally.probes} uploads in ${Date.now() - started} ms (${busyFirst} refused as busy at first, then tried again); ` +
        `node RSS peak ${peak} MiB, heap bound ${HEAP_MB} MB`,
    );
    results.forEach((result, i) => {
      if (result.status === 0 || result.status >= 500)
        problems.push(`${all[i].name}: HTTP ${result.status} ${result.message}`);
    });
    // A node that just died may not have been reaped yet.
    await sleep(500);
    if (!isRunning(server)) {
      tally.crashes++;
      problems.push(`the node exited:\n${readLog(logFile).split('\n').slice(-60).join('\n')}`);
      return { tally, problems };
    }
    // Still serving uploads: a small, good batch file.
    const normal = Buffer.from('13972565391\n15000001234\n');
    const after = await upload(
      server.url,
      customers[0],
      { name: 'a normal file', route: 'batch', fileName: 'ok.csv', type: 'text/csv', make: () => normal },
      normal,
    );
    tally.probes++;
    console.log(`chaos: bombs: afterwards a normal batch file: HTTP ${after.status} ${after.message}`);
    if (after.status !== 201)
      problems.push(`a normal upload after the bombs: HTTP ${after.status} ${after.message}`);
    return { tally, problems };
  } finally {
    if (node) await killServer(node);
    await rm(dataDir, { recursive: true, force: true });
  }
}
