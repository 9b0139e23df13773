import { existsSync } from 'node:fs';
import type { SegmentFileRead } from '../data/phone-dat.js';
import { SQLITE_FILE } from '../store/open-store.js';
import { join } from 'node:path';
import type { Store } from '../store/store.js';
import { nodeName } from '../service/node-name.js';
import { SegmentService } from '../service/segments/segment-service.js';
import { chosenDataDir } from './data-dir-option.js';
import { loadChosenSegments } from './segments-option.js';
import { withStore } from './store-option.js';

export interface SegmentStoreOptions {
  dataDir?: string;
  segments?: string;
}

/**
 * The segment service on the store the servers use, with the server's own data (`--segments`,
 * MNPD_SEGMENTS, else the embedded default) under it: what the CLI changes there, every server
 * loads at its next look (MNPD_SEGMENTS_FOLLOW_MS).
 */
export async function withSegments<T>(
  options: SegmentStoreOptions,
  work: (segments: SegmentService, store: Store, base: SegmentFileRead) => Promise<T>,
): Promise<T> {
  const base = await loadChosenSegments(options);
  return withStore(options, async (store) => {
    const segments = await SegmentService.open(store, {
      node: nodeName(chosenDataDir(options)),
      base: base.table,
    });
    try {
      return await work(segments, store, base);
    } finally {
      await segments.close();
    }
  });
}

/** Whether a store is there to read without making one (`data info` on a machine with no server). */
export function hasStore(options: SegmentStoreOptions): boolean {
  return !!process.env.DATABASE_URL?.trim() || existsSync(join(chosenDataDir(options), SQLITE_FILE));
}
