/**
 * Keys and APPCODEs are secrets shown once: the store keeps only their SHA-256 and a hint to tell
 * them apart in listings.
 */
import { hash, randomBytes } from 'node:crypto';

/** apikeys are 32 characters, as the seed's (`7c11272au708345c834b8ue81ac78972`). */
export const APIKEY_LENGTH = 32;

export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** A new secret: 32 lowercase hex characters, 128 bits. */
export function newSecret(): string {
  return randomBytes(APIKEY_LENGTH / 2).toString('hex');
}

/** Shown in listings instead of the secret. */
export function secretHint(secret: string): string {
  return `${secret.slice(0, 4)}…${secret.slice(-2)}`;
}
