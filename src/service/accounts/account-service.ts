/**
 * Every change to a customer account, whichever door it comes through (console, CLI): validated
 * here, and written with its audit entry in the store transaction that makes it, so that an
 * operator who sees an error knows nothing happened and may simply try again.
 */
import type {
  Account,
  AccountChanges,
  AccountStore,
  FeeType,
  IpRule,
  KeyKind,
  KeyRecord,
  LedgerEntry,
  LoginStore,
} from '../../store/store.js';
import { StoreError } from '../../store/store.js';
import { type Actor, auditEntry, auditOf } from '../operators/audit.js';
import { checkNewPassword, hashPassword } from '../operators/passwords.js';
import { normaliseCidr } from '../queries/ip-rules.js';
import { ServiceError } from '../service-error.js';
import { hashSecret, newSecret, secretHint } from './secrets.js';

/** Customers log in with the name: short, printable, no surrounding spaces. */
export const MAX_NAME_LENGTH = 64;
export const MAX_REASON_LENGTH = 200;
/** One action moves at most this many queries: a typo of a few digits is refused. */
export const MAX_BALANCE_CHANGE = 1_000_000_000_000;
/** Keys an account may have in use at once; a revoked key no longer counts. */
export const MAX_ACTIVE_KEYS = 20;
export const MAX_IP_RULES = 100;
export const MAX_LABEL_LENGTH = 64;
/** The longest text read as a CIDR; `2001:0db8:…/128` written out in full is 43. */
const MAX_CIDR_LENGTH = 100;

export interface NewAccountInput {
  name: string;
  feeType: FeeType;
  balance: number;
  creditLimit?: number | null;
  qpsLimit?: number | null;
  lowBalanceThreshold?: number | null;
  /** A console password for the customer; none means no console login until one is set. */
  password?: string;
}

export type AccountServiceStore = AccountStore &
  Pick<LoginStore, 'getAccountPasswordHash' | 'setAccountPassword'>;

/** Names and labels are shown in pages and files: no line breaks, tabs or other controls. */
export function hasControlCharacter(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(text);
}

function isWhole(value: number, min: number, max: number): boolean {
  return Number.isSafeInteger(value) && value >= min && value <= max;
}

function checkName(name: string): void {
  if (name === '' || name.length > MAX_NAME_LENGTH || name.trim() !== name || hasControlCharacter(name)) {
    throw new ServiceError(
      'invalid',
      `name must be 1–${MAX_NAME_LENGTH} characters without surrounding spaces`,
    );
  }
}

function checkReason(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed.length > MAX_REASON_LENGTH || hasControlCharacter(trimmed)) {
    throw new ServiceError('invalid', `a reason is at most ${MAX_REASON_LENGTH} characters on one line`);
  }
  return trimmed;
}

/** A store refusal of the caller's input, in the application's words. */
function refusal(error: unknown): unknown {
  if (!(error instanceof StoreError)) return error;
  const code = error.code === 'duplicate' ? 'conflict' : error.code === 'not_found' ? 'not_found' : 'invalid';
  return new ServiceError(code, error.message);
}

async function refusing<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw refusal(error);
  }
}

export class AccountService {
  constructor(
    private readonly store: AccountServiceStore,
    /** Called after a change that cached keys hold (status, limits, keys, rules): drop them. */
    private readonly onKeysChanged: () => void = () => {},
  ) {}

  async account(id: number): Promise<Account> {
    const account = await this.store.getAccount(id);
    if (!account) throw new ServiceError('not_found', 'no such account');
    return account;
  }

  async accountNamed(name: string): Promise<Account> {
    const account = await this.store.getAccountByName(name);
    if (!account) throw new ServiceError('not_found', `no account named ${JSON.stringify(name)}`);
    return account;
  }

  /** A customer changes its own keys and rules only while its account is active. */
  async #refuseSuspendedCustomer(actor: Actor, accountId: number): Promise<void> {
    if (actor.kind !== 'customer') return;
    if ((await this.account(accountId)).status !== 'active') {
      throw new ServiceError('account_suspended', 'the account is suspended');
    }
  }

  async hasPassword(accountId: number): Promise<boolean> {
    return (await this.store.getAccountPasswordHash(accountId)) !== null;
  }

  /** A new account with its first apikey (returned once, in clear) and, when given, its password. */
  async open(
    actor: Actor,
    input: NewAccountInput,
    keyLabel: string,
  ): Promise<{ account: Account; key: KeyRecord; apikey: string }> {
    checkName(input.name);
    if (!isWhole(input.balance, 0, MAX_BALANCE_CHANGE)) {
      throw new ServiceError('invalid', 'balance must be a whole number of at least 0');
    }
    const password = input.password === undefined ? undefined : checkNewPassword(input.password);
    // Hashed first: a slow hash failing after the account exists would leave it half made.
    const passwordHash = password === undefined ? undefined : await hashPassword(password);
    const account = { ...input };
    delete account.password;
    const secret = newSecret();
    const opened = await refusing(
      this.store.openAccount(
        account,
        { kind: 'apikey', hash: hashSecret(secret), hint: secretHint(secret), label: keyLabel },
        {
          passwordHash,
          auditOf: auditOf(
            actor,
            'account.create',
            (created: Account) => `account:${created.id}`,
            () => ({
              ...account,
              consoleLogin: passwordHash !== undefined,
            }),
          ),
        },
      ),
    );
    return { ...opened, apikey: secret };
  }

  /** Changes fee type, limits or status; the audit entry holds the values before. */
  async update(actor: Actor, id: number, changes: AccountChanges): Promise<Account> {
    const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    if (Object.keys(given).length === 0) throw new ServiceError('invalid', 'nothing to change');
    const updated = await refusing(
      this.store.updateAccount(
        id,
        given,
        actor.kind === 'customer'
          ? undefined
          : (account, previous) =>
              auditEntry(actor, 'account.update', `account:${id}`, {
                name: account.name,
                changes: given,
                previous: Object.fromEntries(
                  Object.keys(given).map((name) => [name, previous[name as keyof AccountChanges]]),
                ),
              })!,
      ),
    );
    this.onKeysChanged();
    return updated;
  }

  /** Adds queries; the ledger says `topup`, or `topup: <note>`. */
  topUp(actor: Actor, id: number, amount: number, note = ''): Promise<LedgerEntry> {
    if (!isWhole(amount, 1, MAX_BALANCE_CHANGE)) {
      throw new ServiceError('invalid', 'a topup amount must be a whole number above 0');
    }
    const text = checkReason(note);
    return this.#changeBalance(actor, id, 'topup', amount, text === '' ? 'topup' : `topup: ${text}`);
  }

  /** Moves the balance up or down for a stated reason; the ledger says `adjustment: <reason>`. */
  adjust(actor: Actor, id: number, delta: number, reason: string): Promise<LedgerEntry> {
    if (!isWhole(delta, -MAX_BALANCE_CHANGE, MAX_BALANCE_CHANGE) || delta === 0) {
      throw new ServiceError('invalid', 'an adjustment amount must be a whole number other than 0');
    }
    const text = checkReason(reason);
    if (text === '') throw new ServiceError('invalid', 'an adjustment needs a reason');
    return this.#changeBalance(actor, id, 'adjust', delta, `adjustment: ${text}`);
  }

  async #changeBalance(
    actor: Actor,
    id: number,
    kind: 'topup' | 'adjust',
    delta: number,
    reason: string,
  ): Promise<LedgerEntry> {
    // The audit entry commits with the balance: an error means neither happened, and a retry
    // cannot credit twice.
    const entry = await refusing(
      this.store.adjustBalance(
        id,
        delta,
        reason,
        auditOf(actor, `account.${kind}`, `account:${id}`, (ledger: LedgerEntry) => ({
          delta,
          reason,
          balanceAfter: ledger.balanceAfter,
        })),
      ),
    );
    this.onKeysChanged();
    return entry;
  }

  /** Sets the customer's console password and logs out whoever knew the old one. */
  async resetPassword(actor: Actor, id: number, password: string): Promise<void> {
    const checked = checkNewPassword(password);
    const account = await this.account(id);
    await refusing(
      this.store.setAccountPassword(id, await hashPassword(checked), {
        endSessions: true,
        audit: auditEntry(actor, 'account.password_reset', `account:${id}`, { name: account.name }),
      }),
    );
  }

  /** A new key or APPCODE; its secret is returned once and never kept. */
  async issueKey(
    actor: Actor,
    accountId: number,
    kind: KeyKind,
    label = '',
  ): Promise<{ key: KeyRecord; secret: string }> {
    await this.#refuseSuspendedCustomer(actor, accountId);
    const text = label.trim();
    if (text.length > MAX_LABEL_LENGTH || hasControlCharacter(text)) {
      throw new ServiceError('invalid', `label must be text of at most ${MAX_LABEL_LENGTH} characters`);
    }
    const active = (await this.store.listKeys(accountId)).filter((key) => key.revokedAt === null);
    if (active.length >= MAX_ACTIVE_KEYS) {
      throw new ServiceError('conflict', `at most ${MAX_ACTIVE_KEYS} keys may be in use; revoke one first`);
    }
    const secret = newSecret();
    const key = await refusing(
      this.store.createKey(
        accountId,
        kind,
        hashSecret(secret),
        secretHint(secret),
        text,
        auditOf(actor, 'key.create', `account:${accountId}`, (created: KeyRecord) => ({
          keyId: created.id,
          kind,
          label: text,
          hint: created.hint,
        })),
      ),
    );
    this.onKeysChanged();
    return { key, secret };
  }

  /** Revokes an active key of the account; ServiceError not_found when it has none of that id. */
  async revokeKey(actor: Actor, accountId: number, keyId: number): Promise<void> {
    await this.#refuseSuspendedCustomer(actor, accountId);
    const audit = auditEntry(actor, 'key.revoke', `account:${accountId}`, { keyId });
    if (!(await this.store.revokeKey(accountId, keyId, audit))) {
      throw new ServiceError('not_found', `no active key ${keyId}`);
    }
    this.onKeysChanged();
  }

  /** Adds an address or CIDR to the account's whitelist (an empty whitelist allows any address). */
  async allowIp(actor: Actor, accountId: number, text: string): Promise<IpRule> {
    await this.#refuseSuspendedCustomer(actor, accountId);
    const cidr = text.length <= MAX_CIDR_LENGTH ? normaliseCidr(text) : undefined;
    if (!cidr)
      throw new ServiceError('invalid_cidr', `${JSON.stringify(text)} is not an IPv4/IPv6 address or CIDR`);
    if ((await this.store.listIpRules(accountId)).length >= MAX_IP_RULES) {
      throw new ServiceError('conflict', `at most ${MAX_IP_RULES} rules`);
    }
    try {
      const rule = await this.store.addIpRule(
        accountId,
        cidr,
        auditOf(actor, 'ip.add', `account:${accountId}`, () => ({ cidr })),
      );
      this.onKeysChanged();
      return rule;
    } catch (error) {
      if (error instanceof StoreError && error.code === 'duplicate') {
        throw new ServiceError('conflict', `${cidr} is allowed already`);
      }
      throw refusal(error);
    }
  }

  /** Removes a rule, named by its id or by the address or CIDR it allows. */
  async removeIpRule(actor: Actor, accountId: number, rule: number | string): Promise<void> {
    await this.#refuseSuspendedCustomer(actor, accountId);
    const rules = await this.store.listIpRules(accountId);
    const cidr = typeof rule === 'number' ? rules.find((r) => r.id === rule)?.cidr : normaliseCidr(rule);
    if (!cidr) throw new ServiceError('not_found', 'no such rule');
    const audit = auditEntry(actor, 'ip.remove', `account:${accountId}`, { cidr });
    if (!(await this.store.removeIpRule(accountId, cidr, audit))) {
      throw new ServiceError('not_found', 'no such rule');
    }
    this.onKeysChanged();
  }
}
