import { type FeedApplier, PortedDatabase } from '../data/ported-database.js';
import { npdbSharedFromEnv } from '../service/config.js';
import { nodeName } from '../service/node-name.js';
import { PortedSharing, type SharingLog } from '../service/portability/ported-sharing.js';
import { openStore } from '../store/open-store.js';

/** Sharing reports as one line each on stderr (the result goes to stdout). */
const CLI_LOG: SharingLog = {
  info: (_fields: unknown, message?: string) => console.error(`mnpd: ${message}`),
  warn: (fields: unknown, message?: string) => console.error(`mnpd: ${message}${errorOf(fields)}`),
  error: (fields: unknown, message?: string) => console.error(`mnpd: ${message}${errorOf(fields)}`),
} as SharingLog;

function errorOf(fields: unknown): string {
  const error = (fields as { err?: unknown } | undefined)?.err;
  return error instanceof Error ? `: ${error.message}` : '';
}

/**
 * What applies feeds for a data command: the data directory's database, and in a cluster
 * (MNPD_NPDB_SHARED, on with a PostgreSQL DATABASE_URL) the store as well, so that the other
 * nodes apply what this command applied, as they do for the server's console and drop folder.
 */
export async function withFeedApplier<T>(
  dataDir: string,
  work: (applier: FeedApplier) => Promise<T>,
): Promise<T> {
  const db = await PortedDatabase.open(dataDir);
  if (!npdbSharedFromEnv()) return work(db);
  const store = await openStore(process.env.DATABASE_URL, dataDir);
  try {
    return await work(new PortedSharing(store, db, nodeName(dataDir), { enabled: true, log: CLI_LOG }));
  } finally {
    await store.close();
  }
}
