/**
 * Making an account's keys and showing them, as the console, the CLI and the first start do it:
 * the secret is returned once, to be shown once; the store keeps only its hash and a hint.
 */
import type { Account, AuditOf, KeyKind, KeyRecord, NewAccount, Store } from '../../store/store.js';
import { hashSecret, newSecret, secretHint } from '../queries/key-resolver.js';

export async function issueKey(
  store: Store,
  accountId: number,
  kind: KeyKind,
  label: string,
): Promise<{ key: KeyRecord; secret: string }> {
  const secret = newSecret();
  const key = await store.createKey(accountId, kind, hashSecret(secret), secretHint(secret), label);
  return { key, secret };
}

/**
 * A new account with its first apikey (labelled `keyLabel`) and, when given, its console password
 * and audit entry, all in one transaction. StoreError as `openAccount` throws them.
 */
export async function createAccountWithKey(
  store: Store,
  input: NewAccount,
  options: { keyLabel: string; passwordHash?: string; auditOf?: AuditOf<Account> },
): Promise<{ account: Account; key: KeyRecord; apikey: string }> {
  const secret = newSecret();
  const { account, key } = await store.openAccount(
    input,
    { kind: 'apikey', hash: hashSecret(secret), hint: secretHint(secret), label: options.keyLabel },
    { passwordHash: options.passwordHash, auditOf: options.auditOf },
  );
  return { account, key, apikey: secret };
}

/** A key as listings show it: never its hash. */
export function keyView(key: KeyRecord) {
  return {
    id: key.id,
    kind: key.kind,
    hint: key.hint,
    label: key.label,
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}
