import type { Command } from 'commander';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { AccountService } from '../service/accounts/account-service.js';
import { SecretBox } from '../service/api-signatures/secret-box.js';
import { SigningKeyService } from '../service/api-signatures/signing-key-service.js';
import { addDataDirOption, chosenDataDir } from './data-dir-option.js';

/** Operator commands reach the store the server uses: DATABASE_URL, else the data directory's SQLite. */
export function addStoreOptions(command: Command): Command {
  return addDataDirOption(command);
}

export async function withStore<T>(
  options: { dataDir?: string },
  work: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore(process.env.DATABASE_URL, chosenDataDir(options));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/**
 * `withStore` with the account service on it: the CLI's changes go through the same validation
 * and audit as the console's. Keys the servers cache follow within seconds (KEY_CACHE_MS).
 */
export function withAccounts<T>(
  options: { dataDir?: string },
  work: (accounts: AccountService, store: Store) => Promise<T>,
): Promise<T> {
  return withStore(options, (store) => work(new AccountService(store), store));
}

/**
 * `withAccounts` with the signed keys' service: AppSecrets sealed under the server's key, the
 * data directory's `secret.key` or MNPD_SECRET_KEY, as `mnpd serve` on the same store reads it.
 */
export function withSigningKeys<T>(
  options: { dataDir?: string },
  work: (signingKeys: SigningKeyService, accounts: AccountService, store: Store) => Promise<T>,
): Promise<T> {
  return withStore(options, (store) => {
    const box = SecretBox.open(chosenDataDir(options), process.env.MNPD_SECRET_KEY || undefined);
    return work(new SigningKeyService(store, box), new AccountService(store), store);
  });
}
