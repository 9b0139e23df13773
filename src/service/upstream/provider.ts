import type { ProviderKind } from './config.js';
import type { UpstreamOutcome } from './outcome.js';

/** What the operator has left at a provider that says (the seed's `/balance`). */
export interface UpstreamBalance {
  /** `预付费` or `后付费`, as the provider writes it. */
  feeType: string;
  /** Queries left; a postpaid account may be negative. */
  balance: number;
}

export type BalanceOutcome = { ok: true; balance: UpstreamBalance } | { ok: false; failure: UpstreamOutcome };

/** A provider as views may show it: where it is and how it is set, never a secret. */
export interface ProviderDescription {
  name: string;
  kind: ProviderKind;
  /** The base URL or endpoint. */
  url: string;
  timeoutMs: number;
  costFen: number;
  maxQps: number;
  maxConcurrency: number;
  /** For each credential, where it came from (`env MAIN_APIKEY` or `file`), never its value. */
  credentials: Record<string, string>;
  /** Kind-specific settings without secrets (method, mask, balance polling). */
  settings: Record<string, string | number | boolean | null>;
}

/**
 * One upstream MNP service behind one contract. `ask` never rejects: every result, including a
 * timeout or the operator's trouble with the provider, is an UpstreamOutcome. The signal ends the
 * call (its reason tells a timeout, `TimeoutError`, from a cancel).
 */
export interface UpstreamProvider {
  readonly name: string;
  readonly kind: ProviderKind;
  readonly costFen: number;
  /** `mobile` is a normalised 11-digit mobile number. */
  ask(mobile: string, signal: AbortSignal): Promise<UpstreamOutcome>;
  /** Present when the contract has a balance call. */
  balance?(signal: AbortSignal): Promise<BalanceOutcome>;
  describe(): ProviderDescription;
  /** Closes its connections once the calls under way have finished. */
  close(): Promise<void>;
}
