import type { LookupSources, SeedResult } from '../../core/lookup.js';
import type { QueryLogRow } from '../../store/store.js';

/** Where an answer came from and when: what every query-log row of one request or chunk shares. */
export interface AnswerOrigin {
  accountId: number;
  /** null from the console (no key). */
  keyId: number | null;
  /** Masked (see maskIp); '' where no client is known (a batch job's background run). */
  clientIp: string;
  requestId: string;
  at: Date;
  latencyMs: number;
  /** The data the answer was looked up in: its versions go into the row. */
  sources: LookupSources;
}

/**
 * The query-log row of one answer. Only a code-0 answer (`seed` given) has res and carriers;
 * every row says which data versions answered, and where the answer came from (`source`). Every
 * row is made here with all its fields, so the group commit reads rows of one shape.
 */
export function queryLogRow(
  origin: AnswerOrigin,
  code: number,
  mobile: string,
  seed?: SeedResult,
  source: string | null = null,
): QueryLogRow {
  return {
    at: origin.at,
    accountId: origin.accountId,
    keyId: origin.keyId,
    clientIp: origin.clientIp,
    mobile,
    code,
    res: seed?.res ?? null,
    initIsp: seed?.Init_isp ?? null,
    nowIsp: seed?.Now_isp ?? null,
    segmentsVersion: origin.sources.segments.version,
    portedVersion: origin.sources.ported?.version ?? null,
    latencyMs: origin.latencyMs,
    requestId: origin.requestId,
    source,
  };
}
