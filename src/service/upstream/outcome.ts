import type { Carrier } from '../../core/carrier.js';
import { maskMobile } from '../../core/mobile-number.js';

/** What an upstream provider said about one number, in mnpd's terms. */
export interface UpstreamAnswer {
  /** The carrier serving the number now. */
  carrier: Carrier;
  /** The carrier the number was issued on, when the provider says (the seed's `Init_isp`). */
  originalCarrier?: Carrier;
  ported: boolean;
  /** True when the provider says the number belongs to a virtual operator (seed res 3/4, an MVNO name). */
  virtual?: boolean;
  province?: string;
  city?: string;
}

/**
 * Why a call failed in a way that may pass: another provider, or the same one later, may answer.
 * `cancelled` means mnpd itself gave up (every caller left); it says nothing about the provider.
 */
export type TransientReason =
  'timeout' | 'network' | 'http-status' | 'upstream-error' | 'rate-limited' | 'garbage' | 'cancelled';

/**
 * The operator's own trouble with a provider: nothing a customer did, nothing that passes by
 * itself. It opens the provider's breaker at once and raises an alert; it never reaches a customer
 * as -1, -5 or -9.
 */
export type OperatorTroubleReason =
  'bad-key' | 'no-balance' | 'ip-refused' | 'no-permission' | 'misconfigured' | 'tls';

/**
 * Every result of asking one provider about one number:
 * - `answer`: the provider knows the number;
 * - `not-found`: the provider says, definitively, that it has no such number (the customer gets -4);
 * - `refused`: the provider will not answer for this number (its 1/-2/-3, `InvalidParameter`):
 *   another provider may, and the provider is not at fault;
 * - `transient`: a failure that may pass (timeout, 5xx, -8, rate limited, garbage);
 * - `operator`: the operator's trouble with the provider (bad key, no balance, IP refused, ...).
 *
 * `code` is the provider's own code (`0`, `-4`, `OK`, `RequestFrequencyLimit`, `HTTP 503`), and
 * `detail` a short text for logs and alerts: never a whole number, never a secret.
 */
export type UpstreamOutcome =
  | { kind: 'answer'; answer: UpstreamAnswer; code: string }
  | { kind: 'not-found'; code: string }
  | { kind: 'refused'; code: string; detail: string }
  | { kind: 'transient'; reason: TransientReason; code?: string; detail: string }
  | { kind: 'operator'; reason: OperatorTroubleReason; code?: string; detail: string };

export type OutcomeKind = UpstreamOutcome['kind'];
export const OUTCOME_KINDS: readonly OutcomeKind[] = [
  'answer',
  'not-found',
  'refused',
  'transient',
  'operator',
];

/** Upstream texts are cut to this in details: they go to logs and the console. */
const MAX_DETAIL_LENGTH = 160;

/**
 * Makes an upstream's text fit for logs: whole mobile numbers masked, long tokens (keys, hashes an
 * upstream might echo) dropped, length bounded.
 */
export function scrubDetail(text: string): string {
  const scrubbed = text
    .replace(/1[3-9]\d{9}/g, (mobile) => maskMobile(mobile))
    .replace(/[A-Za-z0-9+/=_-]{24,}/g, '…')
    .replace(/\s+/g, ' ')
    .trim();
  return scrubbed.length > MAX_DETAIL_LENGTH ? `${scrubbed.slice(0, MAX_DETAIL_LENGTH)}…` : scrubbed;
}

export function transient(reason: TransientReason, detail: string, code?: string): UpstreamOutcome {
  return { kind: 'transient', reason, detail: scrubDetail(detail), ...(code === undefined ? {} : { code }) };
}

export function operatorTrouble(
  reason: OperatorTroubleReason,
  detail: string,
  code?: string,
): UpstreamOutcome {
  return { kind: 'operator', reason, detail: scrubDetail(detail), ...(code === undefined ? {} : { code }) };
}

export function refused(code: string, detail: string): UpstreamOutcome {
  return { kind: 'refused', code, detail: scrubDetail(detail) };
}

/**
 * Whether an outcome is held against the provider by its breaker. A number the provider refuses,
 * or a call mnpd cancelled itself, says nothing about the provider's health.
 */
export function countsAgainstProvider(outcome: UpstreamOutcome): boolean {
  if (outcome.kind === 'operator') return true;
  return outcome.kind === 'transient' && outcome.reason !== 'cancelled';
}
