/** Charge items as the query path hands them to billing, for the tests of billing's rules and store. */
import type { ChargeItem } from '../charges.js';

/** 2025-03-01T10:00:00Z: the hour most charges of the suites are made in. */
export const T0 = Date.parse('2025-03-01T10:00:00Z');
export const HOUR = 3_600_000;

let requests = 0;

/** A code-0 answer to charge (ported, res "1"), as the query service hands it to the batcher. */
export function chargeItem(
  accountId: number,
  options: { key?: string | null; body?: string; at?: number; mobile?: string; res?: string } = {},
): ChargeItem {
  const at = new Date(options.at ?? T0);
  return {
    accountId,
    idempotencyKey: options.key ?? null,
    body: options.body ?? `{"code":0,"at":${at.getTime()}}`,
    log: {
      at,
      accountId,
      keyId: null,
      clientIp: '203.0.113.0',
      mobile: options.mobile ?? '13972565391',
      code: 0,
      res: options.res ?? '1',
      initIsp: '移动',
      nowIsp: '电信',
      segmentsVersion: '2502',
      portedVersion: '41',
      latencyMs: 3,
      source: 'feed',
      requestId: `${++requests}-${Math.random().toString(16).slice(2, 10)}`,
    },
  };
}

/** An uncharged answer about a number (-2, -3, -4): only its log row and statistics are written. */
export function logItem(
  accountId: number,
  code: number,
  options: { at?: number; mobile?: string } = {},
): ChargeItem {
  const item = chargeItem(accountId, options);
  return {
    ...item,
    kind: 'log',
    body: `{"code":${code}}`,
    log: { ...item.log, code, res: null, initIsp: null, nowIsp: null },
  };
}
