/**
 * When to try a callback again: exponential backoff from 30 s, doubling, each delay capped at an
 * hour, with jitter so that the callbacks of many jobs that failed together (a receiver down) do
 * not all come back at the same moment; and no attempt later than 24 hours after the first.
 */
export const FIRST_RETRY_DELAY_MS = 30_000;
export const MAX_RETRY_DELAY_MS = 60 * 60_000;
export const GIVE_UP_AFTER_MS = 24 * 60 * 60_000;
/**
 * With the delays above no event gets this far (about 38 attempts in 24 hours on average, 54 at
 * the very most); a bound that holds whatever the clock does.
 */
export const MAX_DELIVERY_ATTEMPTS = 64;

export type NextAttempt = { retryAt: number } | { giveUp: true };

/**
 * The next attempt after `attempts` failed ones, the first made at `firstAttemptAt`, the last
 * ending at `now` (ms since the epoch). Jitter: half the delay is fixed, half random, so a delay
 * never shrinks below half its step. `random` returns [0, 1), injected by tests.
 */
export function nextAttempt(
  attempts: number,
  firstAttemptAt: number,
  now: number,
  random: () => number = Math.random,
): NextAttempt {
  if (!Number.isInteger(attempts) || attempts < 1)
    throw new RangeError('attempts counts the failed attempts, from 1');
  if (attempts >= MAX_DELIVERY_ATTEMPTS) return { giveUp: true };
  const step = Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** Math.min(attempts - 1, 30));
  const retryAt = now + Math.round(step / 2 + (random() * step) / 2);
  return retryAt - firstAttemptAt > GIVE_UP_AFTER_MS ? { giveUp: true } : { retryAt };
}
