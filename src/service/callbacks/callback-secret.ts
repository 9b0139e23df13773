import { randomBytes } from 'node:crypto';

/** Marks the text as a callback secret where it is pasted, and keeps it apart from apikeys. */
const PREFIX = 'cbsec_';
const SECRET_BYTES = 32;

/**
 * A new per-account callback secret: 256 random bits, base64url, with a prefix that says what it
 * is. The whole text, prefix included, is the HMAC key, so receivers use it as they copied it.
 */
export function newCallbackSecret(): string {
  return PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
}

/** Whether a text has the shape of a callback secret, for input checks. */
export function isCallbackSecret(text: string): boolean {
  return text.startsWith(PREFIX) && /^[A-Za-z0-9_-]{43}$/.test(text.slice(PREFIX.length));
}
