import { basename } from 'node:path';
import type { ApplyProgress } from '../data/ported-apply-worker.js';
import type { ApplyResult } from '../data/ported-database.js';
import type { FeedKind } from '../data/ported-feed.js';
import { npdbSharedFromEnv } from '../service/config.js';
import type { Log } from '../service/log.js';
import { cliActor } from '../service/operators/audit.js';
import { type Portability, openPortability } from '../service/portability/open-portability.js';
import { openStore } from '../store/open-store.js';

/** Sharing reports as one line each on stderr (the result goes to stdout). */
const CLI_LOG: Log = {
  info: (_fields, message) => console.error(`mnpd: ${message}`),
  warn: (fields, message) => console.error(`mnpd: ${message}${errorOf(fields)}`),
  error: (fields, message) => console.error(`mnpd: ${message}${errorOf(fields)}`),
};

function errorOf(fields: unknown): string {
  const error = (fields as { err?: unknown } | undefined)?.err;
  return error instanceof Error ? `: ${error.message}` : '';
}

/**
 * The data directory's portability database as a data command changes it: through the same
 * service as the console, so each import is in the import history (origin `cli`) and audited; in a
 * cluster (MNPD_NPDB_SHARED, on with a PostgreSQL DATABASE_URL) it is shared with the other nodes
 * too. A server on the same data directory picks the new snapshot up by itself within a second.
 */
export async function withPortability<T>(
  dataDir: string,
  work: (portability: Portability) => Promise<T>,
): Promise<T> {
  const store = await openStore(process.env.DATABASE_URL, dataDir);
  try {
    return await work(await openPortability({ dataDir, store, shared: npdbSharedFromEnv(), log: CLI_LOG }));
  } finally {
    await store.close();
  }
}

/** Imports a feed file as the CLI's user; throws the feed's refusal once it is recorded. */
export async function importAsCli(
  { service }: Portability,
  file: string,
  kind: FeedKind,
  options: { skipInvalid?: boolean; seq?: number; onProgress?: (progress: ApplyProgress) => void },
): Promise<ApplyResult> {
  const end = await service.importFile(
    cliActor(),
    'cli',
    { path: file, fileName: basename(file), kind, skipInvalid: !!options.skipInvalid, seq: options.seq },
    options.onProgress,
  );
  if (!end.ok) throw end.error;
  return end.result;
}
