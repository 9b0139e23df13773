import type { Command } from 'commander';
import { rotateCallbackSecret } from '../../service/callbacks/callback-secrets.js';
import { cliActor } from '../../service/operators/audit.js';
import { addStoreOptions, withAccounts } from '../store-option.js';

/**
 * `mnpd account callback-secret NAME`: a new secret for the account's job callbacks, printed once.
 * It replaces the old one at once: the receiver should accept both while it is rolled out.
 */
export function registerCallbackSecret(program: Command): void {
  const account = program.commands.find((command) => command.name() === 'account');
  if (!account) throw new Error('the account command is registered first');
  addStoreOptions(
    account
      .command('callback-secret')
      .description('a new secret that signs the account’s job callbacks (printed once; the old one stops)')
      .argument('<name>')
      .option('--json', 'as JSON'),
  ).action(async (name: string, options: { dataDir?: string; json?: boolean }) => {
    await withAccounts(options, async (accounts, store) => {
      const { id } = await accounts.accountNamed(name);
      const secret = await rotateCallbackSecret(store, cliActor(), id);
      if (options.json) console.log(JSON.stringify({ account: name, callbackSecret: secret }));
      else
        console.log(
          `callback secret for ${name}: ${secret}   (shown once; the previous one no longer signs)`,
        );
    });
  });
}
