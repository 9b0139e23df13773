import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature mnpd puts on each callback: `X-Mnpd-Signature: t=<unix seconds>,v1=<hex>`, the
 * HMAC-SHA256 under the account's callback secret of `t`, a dot and the exact body bytes. Signing
 * the time with the body lets a receiver refuse an old delivery replayed to it.
 */
export const CALLBACK_SIGNATURE_HEADER = 'X-Mnpd-Signature';
/** How old a signature a receiver accepts by default (and how far ahead of its clock). */
export const DEFAULT_SIGNATURE_TOLERANCE_S = 300;
/** A header longer than this is not one of ours; its parts are not even read. */
const MAX_SIGNATURE_HEADER_LENGTH = 1024;

/** The hex HMAC-SHA256 of `t.body` under the secret (the secret's UTF-8 bytes are the key). */
export function callbackSignature(body: string | Uint8Array, secret: string, unixSeconds: number): string {
  return createHmac('sha256', secret).update(`${unixSeconds}.`).update(body).digest('hex');
}

/** The X-Mnpd-Signature value for a body sent at `now` (ms since the epoch). */
export function signCallback(body: string | Uint8Array, secret: string, now = Date.now()): string {
  const t = Math.floor(now / 1000);
  return `t=${t},v1=${callbackSignature(body, secret, t)}`;
}

/**
 * - `malformed`: not `t=<digits>,v1=<hex>[,v1=…]`;
 * - `stale`: `t` is more than the tolerance from the receiver's clock;
 * - `mismatch`: no v1 value is the HMAC of this body under any of the secrets.
 */
export type CallbackSignatureCheck =
  { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'stale' | 'mismatch' };

/**
 * What a receiver runs on a delivery: the header, the raw body as received (not re-serialised),
 * and its secrets (more than one while a rotated secret is being rolled out).
 */
export function verifyCallbackSignature(
  header: string | undefined,
  body: string | Uint8Array,
  secrets: string | readonly string[],
  options: { now?: number; toleranceSeconds?: number } = {},
): CallbackSignatureCheck {
  const parsed = parseSignatureHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - parsed.t) > (options.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_S)) {
    return { ok: false, reason: 'stale' };
  }
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    const expected = Buffer.from(callbackSignature(body, secret, parsed.t), 'hex');
    for (const given of parsed.v1) {
      if (given.length === expected.length && timingSafeEqual(given, expected)) {
        return { ok: true, timestamp: parsed.t };
      }
    }
  }
  return { ok: false, reason: 'mismatch' };
}

function parseSignatureHeader(header: string | undefined): { t: number; v1: Buffer[] } | undefined {
  if (!header || header.length > MAX_SIGNATURE_HEADER_LENGTH) return undefined;
  let t: number | undefined;
  const v1: Buffer[] = [];
  for (const part of header.split(',')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === 't' && /^\d{1,12}$/.test(value ?? '')) t = Number(value);
    else if (name === 'v1' && /^[0-9a-f]{64}$/i.test(value ?? '')) v1.push(Buffer.from(value, 'hex'));
  }
  return t === undefined || v1.length === 0 ? undefined : { t, v1 };
}
