import type { Command } from 'commander';
import { openStore } from '../store/open-store.js';
import type { Account, Store } from '../store/store.js';
import { CliError } from './cli-error.js';
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

export async function accountNamed(store: Store, name: string): Promise<Account> {
  const account = await store.getAccountByName(name);
  if (!account) throw new CliError(`no account named ${JSON.stringify(name)} (mnpd account list shows them)`);
  return account;
}
