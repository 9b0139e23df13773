/**
 * What billing is made of, as data: an answer's query-log row, a query to charge, and what became
 * of it. The rules that decide (charge-plan.ts) and the store that writes them share these shapes.
 */

import type { CachedAnswer } from './cached-answer.js';

export type FeeType = 'prepaid' | 'postpaid';

export interface QueryLogRow {
  at: Date;
  accountId: number;
  keyId: number | null;
  /** Masked before it is stored (last IPv4 octet / IPv6 low 80 bits zeroed). */
  clientIp: string;
  mobile: string;
  code: number;
  res: string | null;
  initIsp: string | null;
  nowIsp: string | null;
  segmentsVersion: string | null;
  portedVersion: string | null;
  latencyMs: number;
  requestId: string;
  /** Where the answer came from: `feed`, `segment`, `upstream:NAME`, `cache:NAME` (null: not known). */
  source?: string | null;
}

/** One query to charge, as the billing group commit hands it over. */
export interface ChargeItem {
  /**
   * 'charge' (the default): a code-0 answer, charged one query. 'log': an answer that is never
   * charged (codes -2, -3, -4): only its query-log row and answer statistics are written, whatever
   * the balance; its idempotency key is not looked at (nothing was charged, so nothing replays).
   */
  kind?: 'charge' | 'log';
  accountId: number;
  /** Idempotency key (the client's requestId or Idempotency-Key), scoped to the account. */
  idempotencyKey: string | null;
  /** The answer body to store for replays of the same idempotency key (unused, and may be '', without one). */
  body: string;
  log: QueryLogRow;
  /**
   * An upstream answer this query received, written to the answer cache in the same transaction
   * whatever becomes of the charge (the operator paid for it): the cache rides the group commit.
   */
  cache?: CachedAnswer;
}

export type ChargeResult =
  | { status: 'charged'; balanceAfter: number }
  /**
   * Prepaid at zero, or postpaid at its credit limit: not charged; its query-log row is written
   * with code -5 (res and carriers null) and counted as a -5 answer.
   */
  | { status: 'insufficient' }
  /** A 'log' item: its row is written. */
  | { status: 'logged' }
  /** The idempotency key was used before (within its retention): the first answer, not charged again. */
  | { status: 'replay'; body: string }
  /**
   * The item itself cannot be billed (its account is unknown, or a charge carries another code than
   * 0): nothing of it is written, and the other items of its batch are not affected.
   */
  | { status: 'rejected'; reason: 'not_found' | 'invalid'; message: string };

/**
 * What asking for a charge came to: the store's result, or `overloaded` when more charges wait for
 * the store than billing takes (nothing written: the answer is refused, uncharged, to try again).
 */
export type ChargeOutcome = ChargeResult | { status: 'overloaded' };
