import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Seals AppSecrets for the store. A signature is checked by computing the same HMAC, so the
 * server must read the secret back (a hash, as for apikeys, would not do); sealed under a key that
 * lives outside the store, a stolen database or backup gives no secret away. AES-256-GCM: the
 * AppKey is bound in as associated data, so a sealed secret copied onto another key's row does
 * not open.
 */
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1:';
/** The server key's file in the data directory, made at the first need. */
export const SECRET_KEY_FILE = 'secret.key';

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new SecretBoxError(`a secret key is ${KEY_BYTES} bytes`);
    this.#key = key;
  }

  /**
   * The server's key: `keyHex` (MNPD_SECRET_KEY, which every node of a cluster must share) when
   * given, else `<dataDir>/secret.key`, made (mode 0600) when missing. Two processes making it at
   * once agree: the second reads the first's.
   */
  static open(dataDir: string, keyHex?: string): SecretBox {
    if (keyHex !== undefined) {
      if (!/^[0-9a-f]{64}$/i.test(keyHex.trim())) {
        throw new SecretBoxError('MNPD_SECRET_KEY must be 64 hexadecimal characters (32 bytes)');
      }
      return new SecretBox(Buffer.from(keyHex.trim(), 'hex'));
    }
    const file = join(dataDir, SECRET_KEY_FILE);
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, `${randomBytes(KEY_BYTES).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const text = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/i.test(text)) throw new SecretBoxError(`${file} does not hold a 32-byte hex key`);
    return new SecretBox(Buffer.from(text, 'hex'));
  }

  /** `secret` sealed for the key named `appKey`. */
  seal(secret: string, appKey: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#key, iv).setAAD(Buffer.from(appKey, 'utf8'));
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return FORMAT + Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
  }

  /** SecretBoxError when it was sealed under another server key, for another AppKey, or altered. */
  unseal(sealed: string, appKey: string): string {
    if (!sealed.startsWith(FORMAT)) throw new SecretBoxError('not a sealed secret');
    const bytes = Buffer.from(sealed.slice(FORMAT.length), 'base64');
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError('not a sealed secret');
    const decipher = createDecipheriv(ALGORITHM, this.#key, bytes.subarray(0, IV_BYTES))
      .setAAD(Buffer.from(appKey, 'utf8'))
      .setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretBoxError(
        'a sealed AppSecret does not open with this server key (is MNPD_SECRET_KEY, or secret.key, the same on every node?)',
      );
    }
  }
}
