/**
 * Remembers the nonces of signed requests until their timestamps go stale, so that each is
 * accepted once: `fresh` the first time, `reused` after. `full`: a memory store that had to forget
 * nonces to stay bounded cannot tell whether this one is among them, and refuses it rather than
 * let a replay through. A store that cannot answer throws: the verifier then refuses the request.
 */
export interface NonceStore {
  /** Records `nonce` until `expiresAt` (ms since the epoch) unless it is already recorded. */
  claim(nonce: string, expiresAt: number, now: number): Promise<NonceClaim>;
}

export type NonceClaim = 'fresh' | 'reused' | 'full';
