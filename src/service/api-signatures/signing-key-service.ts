import { randomBytes } from 'node:crypto';
import type { Account, KeyRecord, Store } from '../../store/store.js';
import { StoreError } from '../../store/store.js';
import { MAX_ACTIVE_KEYS, MAX_LABEL_LENGTH, hasControlCharacter } from '../accounts/account-service.js';
import { hashSecret, newSecret, secretHint } from '../accounts/secrets.js';
import { type Actor, auditEntry, auditOf } from '../operators/audit.js';
import { ServiceError } from '../service-error.js';
import type { SecretBox } from './secret-box.js';

/** AppKeys are 16 hex characters (64 bits): unguessable enough for a name that travels in clear. */
const APP_KEY_BYTES = 8;

export type SigningKeyServiceStore = Pick<
  Store,
  'createSigningKey' | 'appKeysOf' | 'listKeys' | 'getAccount' | 'updateAccount'
>;

/** A key issued as a pair: the AppSecret is returned this once and kept only sealed. */
export interface IssuedSigningKey {
  key: KeyRecord;
  appKey: string;
  appSecret: string;
}

function refusing(error: unknown): never {
  if (error instanceof StoreError) {
    throw new ServiceError(error.code === 'duplicate' ? 'conflict' : error.code, error.message);
  }
  throw error;
}

/**
 * Keys issued as AppKey/AppSecret pairs, and the account's choice to take signed requests only:
 * each change checked and audited as the account service does its own (console and CLI alike).
 */
export class SigningKeyService {
  constructor(
    private readonly store: SigningKeyServiceStore,
    private readonly box: SecretBox,
    /** Called after a change that cached keys or accounts hold. */
    private readonly onChanged: () => void = () => {},
  ) {}

  async issue(actor: Actor, accountId: number, label = ''): Promise<IssuedSigningKey> {
    const account = await this.#account(accountId);
    if (actor.kind === 'customer' && account.status !== 'active') {
      throw new ServiceError('account_suspended', 'the account is suspended');
    }
    const text = label.trim();
    if (text.length > MAX_LABEL_LENGTH || hasControlCharacter(text)) {
      throw new ServiceError('invalid', `label must be text of at most ${MAX_LABEL_LENGTH} characters`);
    }
    const active = (await this.store.listKeys(accountId)).filter((key) => key.revokedAt === null);
    if (active.length >= MAX_ACTIVE_KEYS) {
      throw new ServiceError('conflict', `at most ${MAX_ACTIVE_KEYS} keys may be in use; revoke one first`);
    }
    const appKey = randomBytes(APP_KEY_BYTES).toString('hex');
    const appSecret = newSecret();
    // The row's hash is that of a secret nobody keeps: the key cannot be sent as an apikey.
    const unusable = newSecret();
    const key = await this.store
      .createSigningKey(
        accountId,
        { kind: 'apikey', hash: hashSecret(unusable), hint: secretHint(appKey), label: text },
        { appKey, sealedSecret: this.box.seal(appSecret, appKey) },
        auditOf(actor, 'key.create', `account:${accountId}`, (created: KeyRecord) => ({
          keyId: created.id,
          kind: 'signed',
          appKey,
          label: text,
        })),
      )
      .catch(refusing);
    this.onChanged();
    return { key, appKey, appSecret };
  }

  /** The AppKeys of the account's signed keys, by key id (for listings). */
  appKeysOf(accountId: number): Promise<Map<number, string>> {
    return this.store.appKeysOf(accountId);
  }

  /**
   * Turns "signed requests only" on or off. On needs an active signed key first: otherwise the
   * account would lock itself out of the API.
   */
  async requireSignatures(actor: Actor, accountId: number, on: boolean): Promise<Account> {
    const account = await this.#account(accountId);
    if (actor.kind === 'customer' && account.status !== 'active') {
      throw new ServiceError('account_suspended', 'the account is suspended');
    }
    if (on) {
      const [keys, appKeys] = await Promise.all([
        this.store.listKeys(accountId),
        this.store.appKeysOf(accountId),
      ]);
      if (!keys.some((key) => key.revokedAt === null && appKeys.has(key.id))) {
        throw new ServiceError(
          'conflict',
          'issue a signed key (AppKey/AppSecret) before requiring signatures',
        );
      }
    }
    const updated = await this.store
      .updateAccount(
        accountId,
        { requireSignatures: on },
        actor.kind === 'customer'
          ? undefined
          : (after, before) =>
              auditEntry(actor, 'account.require_signatures', `account:${accountId}`, {
                name: after.name,
                requireSignatures: on,
                previous: before.requireSignatures,
              })!,
      )
      .catch(refusing);
    this.onChanged();
    return updated;
  }

  async #account(id: number): Promise<Account> {
    const account = await this.store.getAccount(id);
    if (!account) throw new ServiceError('not_found', `no account ${id}`);
    return account;
  }
}
