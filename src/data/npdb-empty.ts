import type { NpdbMeta } from './npdb-snapshot.js';

/** The description of a data directory that has no portability database yet. */
export const EMPTY_META: NpdbMeta = { dataVersion: 'empty', lastSeq: 0, createdAt: '', source: 'none' };
