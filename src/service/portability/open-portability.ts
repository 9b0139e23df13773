/**
 * A data directory's portability database with what changes it: the cluster's sharing in front
 * of it and the import history behind it, as the server and the CLI both open them.
 */
import { PortedDatabase } from '../../data/ported-database.js';
import type { DataImportStore, PortedFeedStore } from '../../store/store.js';
import { nodeName } from '../node-name.js';
import { ImportHistory } from './import-history.js';
import { PortabilityService } from './portability-service.js';
import { PortedSharing, type SharingLog } from './ported-sharing.js';

export interface Portability {
  db: PortedDatabase;
  sharing: PortedSharing;
  service: PortabilityService;
}

export interface PortabilityOptions {
  dataDir: string;
  store: DataImportStore & PortedFeedStore;
  /** Share the feeds applied here with a cluster and follow the others' (see PortedSharing). */
  shared: boolean;
  followMs?: number;
  log?: SharingLog;
}

export async function openPortability(options: PortabilityOptions): Promise<Portability> {
  const db = await PortedDatabase.open(options.dataDir);
  const node = nodeName(options.dataDir);
  const history = new ImportHistory(options.store, node);
  const sharing = new PortedSharing(options.store, db, node, {
    enabled: options.shared,
    followMs: options.followMs,
    log: options.log,
    history,
  });
  return { db, sharing, service: new PortabilityService(db, sharing, history) };
}
