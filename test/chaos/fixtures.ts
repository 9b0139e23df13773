/** What every scenario needs: a data directory, a paying account, polling, the log files. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSecret, newSecret, secretHint } from '../../src/service/accounts/secrets.js';
import type { Store } from '../../src/store/store.js';
import { TEST_SEGMENTS_CSV } from '../../src/test-support/test-server.js';

/** A data directory with the test segments (1397256… is a 移动 segment, 154… none). */
export function chaosDataDir(name: string, parent = tmpdir()): { dataDir: string; segments: string } {
  const dataDir = mkdtempSync(join(parent, `mnpd-chaos-${name}-`));
  const segments = join(dataDir, 'segments.csv');
  writeFileSync(segments, TEST_SEGMENTS_CSV);
  return { dataDir, segments };
}

/** A prepaid account with `balance` and one apikey, as an operator would create it. */
export async function payingAccount(store: Store, name: string, balance: number): Promise<string> {
  const account = await store.createAccount({ name, feeType: 'prepaid', balance });
  const apikey = newSecret();
  await store.createKey(account.id, 'apikey', hashSecret(apikey), secretHint(apikey), 'chaos');
  return apikey;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every 100 ms until it is true; false when `timeoutMs` passed first. */
export async function pollUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return true;
    await sleep(100);
  }
  return false;
}

/** The HTTP status of GET /readyz, 0 when nothing answers. */
export async function readyStatus(url: string): Promise<number> {
  try {
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(8000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

export function readLog(file: string): string {
  return readFileSync(file, 'utf8');
}
