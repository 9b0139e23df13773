/** Accounts, keys and ledger entries as the console shows them: never a key's hash. */
import type { Account, KeyRecord, LedgerEntry } from '../../store/store.js';
import type { AdminAccount, ApiKey, LedgerEntry as LedgerEntryView } from '../../wire/console-api.js';

export function accountView(account: Account, hasPassword: boolean): AdminAccount {
  return {
    id: account.id,
    name: account.name,
    feeType: account.feeType,
    balance: account.balance,
    creditLimit: account.creditLimit,
    qpsLimit: account.qpsLimit,
    status: account.status,
    lowBalanceThreshold: account.lowBalanceThreshold,
    localOnly: account.localOnly === true,
    hasPassword,
    createdAt: account.createdAt.toISOString(),
  };
}

export function keyView(key: KeyRecord): ApiKey {
  return {
    id: key.id,
    kind: key.kind,
    hint: key.hint,
    label: key.label,
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

export function ledgerView(entry: LedgerEntry): LedgerEntryView {
  return {
    id: entry.id,
    delta: entry.delta,
    reason: entry.reason,
    balanceAfter: entry.balanceAfter,
    at: entry.at.toISOString(),
  };
}
