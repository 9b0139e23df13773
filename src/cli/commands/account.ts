import type { Command } from 'commander';
import Table from 'cli-table3';
import type { NewAccountInput } from '../../service/accounts/account-service.js';
import { accountView, keyView } from '../../service/accounts/views.js';
import { cliActor } from '../../service/operators/audit.js';
import type { AccountChanges } from '../../store/store.js';
import { CliError } from '../cli-error.js';
import { addStoreOptions, withAccounts } from '../store-option.js';
import { wholeNumber } from '../whole-number.js';

interface StoreOptions {
  dataDir?: string;
  json?: boolean;
}

function printTable(head: string[], rows: (string | number)[][]): void {
  const table = new Table({ head, style: { head: [], border: [] } });
  table.push(...rows.map((row) => row.map(String)));
  console.log(table.toString());
}

export function registerAccounts(program: Command): void {
  const account = program.command('account').description('customer accounts and their balances');

  addStoreOptions(
    account
      .command('create')
      .description('create an account and its first apikey (printed once)')
      .argument('<name>')
      .option('--postpaid', 'postpaid (后付费): the balance may go below zero, down to --credit-limit')
      .option('--balance <n>', 'opening balance in queries', wholeNumber('--balance', 0), 0)
      .option(
        '--credit-limit <n>',
        'postpaid: how far below zero the balance may go (default: no limit)',
        wholeNumber('--credit-limit', 0),
      )
      .option('--qps <n>', 'queries per second per key (default: the server’s)', wholeNumber('--qps', 1))
      .option('--json', 'as JSON'),
  ).action(
    async (
      name: string,
      options: StoreOptions & { postpaid?: boolean; balance: number; creditLimit?: number; qps?: number },
    ) => {
      if (options.creditLimit !== undefined && !options.postpaid)
        throw new CliError('--credit-limit is for --postpaid accounts');
      await withAccounts(options, async (accounts) => {
        const input: NewAccountInput = {
          name,
          feeType: options.postpaid ? 'postpaid' : 'prepaid',
          balance: options.balance,
          creditLimit: options.creditLimit ?? null,
          qpsLimit: options.qps ?? null,
        };
        const { account, key, apikey } = await accounts.open(cliActor(), input, 'created with the account');
        if (options.json)
          console.log(JSON.stringify({ ...accountView(account, false), apikey, keyId: key.id }));
        else
          console.log(
            `created account ${name} (${account.feeType}, balance ${account.balance})\napikey: ${apikey}   (shown once; only its hash is kept)`,
          );
      });
    },
  );

  addStoreOptions(
    account
      .command('topup')
      .description('add queries to an account (a ledger entry)')
      .argument('<name>')
      .argument('<queries>', 'how many', wholeNumber('queries', 1))
      .option('--reason <text>', 'a note for the ledger (`topup: <note>`)'),
  ).action(async (name: string, queries: number, options: StoreOptions & { reason?: string }) => {
    await withAccounts(options, async (accounts) => {
      const { id } = await accounts.accountNamed(name);
      const entry = await accounts.topUp(cliActor(), id, queries, options.reason);
      console.log(`${name}: +${queries}, balance ${entry.balanceAfter}`);
    });
  });

  addStoreOptions(
    account
      .command('adjust')
      .description('change a balance up or down with a reason (a ledger entry)')
      .argument('<name>')
      .argument('<delta>', 'signed change in queries, e.g. -50', wholeNumber('delta'))
      .requiredOption('--reason <text>', 'why, for the ledger'),
  ).action(async (name: string, delta: number, options: StoreOptions & { reason: string }) => {
    if (delta === 0) throw new CliError('delta must not be 0');
    await withAccounts(options, async (accounts) => {
      const { id } = await accounts.accountNamed(name);
      const entry = await accounts.adjust(cliActor(), id, delta, options.reason);
      console.log(`${name}: ${delta > 0 ? '+' : ''}${delta}, balance ${entry.balanceAfter}`);
    });
  });

  addStoreOptions(
    account
      .command('set')
      .description('change an account’s fee type, limits or status')
      .argument('<name>')
      .option('--prepaid', 'make it prepaid')
      .option('--postpaid', 'make it postpaid')
      .option('--credit-limit <n>', 'postpaid credit limit in queries; "none" for no limit')
      .option('--qps <n>', 'queries per second per key; "default" for the server’s')
      .option('--status <status>', 'active or suspended')
      .option('--local-only <on|off>', 'on: the account’s numbers never go to upstream providers'),
  ).action(
    async (
      name: string,
      options: StoreOptions & {
        prepaid?: boolean;
        postpaid?: boolean;
        creditLimit?: string;
        qps?: string;
        status?: string;
        localOnly?: string;
      },
    ) => {
      const changes: AccountChanges = {};
      if (options.prepaid && options.postpaid) throw new CliError('--prepaid or --postpaid, not both');
      if (options.prepaid) changes.feeType = 'prepaid';
      if (options.postpaid) changes.feeType = 'postpaid';
      if (options.creditLimit !== undefined)
        changes.creditLimit =
          options.creditLimit === 'none' ? null : wholeNumber('--credit-limit', 0)(options.creditLimit);
      if (options.qps !== undefined)
        changes.qpsLimit = options.qps === 'default' ? null : wholeNumber('--qps', 1)(options.qps);
      if (options.status !== undefined) {
        if (options.status !== 'active' && options.status !== 'suspended')
          throw new CliError('--status is active or suspended');
        changes.status = options.status;
      }
      if (options.localOnly !== undefined) {
        if (options.localOnly !== 'on' && options.localOnly !== 'off')
          throw new CliError('--local-only is on or off');
        changes.localOnly = options.localOnly === 'on';
      }
      if (Object.keys(changes).length === 0)
        throw new CliError('nothing to change (see mnpd account set --help)');
      await withAccounts(options, async (accounts) => {
        const { id } = await accounts.accountNamed(name);
        const updated = await accounts.update(cliActor(), id, changes);
        console.log(JSON.stringify(accountView(updated, await accounts.hasPassword(id))));
      });
    },
  );

  addStoreOptions(account.command('list').description('all accounts').option('--json', 'as JSON')).action(
    async (options: StoreOptions) => {
      await withAccounts(options, async (service, store) => {
        const accounts = await Promise.all(
          (await store.listAccounts()).map(async (account) =>
            accountView(account, await service.hasPassword(account.id)),
          ),
        );
        if (options.json) console.log(JSON.stringify(accounts, null, 2));
        else
          printTable(
            ['name', 'fee type', 'balance', 'credit limit', 'qps', 'status'],
            accounts.map((a) => [
              a.name,
              a.feeType,
              a.balance,
              a.creditLimit ?? '-',
              a.qpsLimit ?? 'default',
              a.status,
            ]),
          );
      });
    },
  );

  addStoreOptions(
    account
      .command('ledger')
      .description('every balance change of an account, newest first; the balance equals their sum')
      .argument('<name>')
      .option('--limit <n>', 'entries', wholeNumber('--limit', 1), 50)
      .option('--json', 'as JSON'),
  ).action(async (name: string, options: StoreOptions & { limit: number }) => {
    await withAccounts(options, async (accounts, store) => {
      const found = await accounts.accountNamed(name);
      const [page, sum] = [
        await store.ledger(found.id, { limit: options.limit }),
        await store.ledgerSum(found.id),
      ];
      const entries = page.rows.map((entry) => ({
        at: entry.at.toISOString(),
        delta: entry.delta,
        reason: entry.reason,
        balanceAfter: entry.balanceAfter,
      }));
      if (options.json) {
        console.log(JSON.stringify({ balance: found.balance, ledgerSum: sum, entries }, null, 2));
        return;
      }
      printTable(
        ['at', 'change', 'reason', 'balance after'],
        entries.map((e) => [e.at, e.delta > 0 ? `+${e.delta}` : e.delta, e.reason, e.balanceAfter]),
      );
      console.log(
        `balance ${found.balance} = sum of the ledger ${sum}${found.balance === sum ? '' : '  (MISMATCH)'}`,
      );
    });
  });

  const key = program.command('key').description('apikeys of an account');
  addStoreOptions(
    key
      .command('create')
      .description('a new apikey (printed once)')
      .argument('<account>')
      .option('--label <text>', 'what it is for', '')
      .option('--json', 'as JSON'),
  ).action(async (name: string, options: StoreOptions & { label: string }) => {
    await withAccounts(options, async (accounts) => {
      const { id } = await accounts.accountNamed(name);
      const { key, secret } = await accounts.issueKey(cliActor(), id, 'apikey', options.label);
      if (options.json) console.log(JSON.stringify({ id: key.id, apikey: secret }));
      else console.log(`apikey ${key.id} for ${name}: ${secret}   (shown once)`);
    });
  });
  addStoreOptions(
    key
      .command('revoke')
      .description('revoke a key or appcode by its id')
      .argument('<account>')
      .argument('<id>', 'key id (mnpd key list)', wholeNumber('id', 1)),
  ).action(async (name: string, id: number, options: StoreOptions) => {
    await withAccounts(options, async (accounts) => {
      await accounts.revokeKey(cliActor(), (await accounts.accountNamed(name)).id, id);
      console.log(`revoked key ${id} of ${name}`);
    });
  });
  addStoreOptions(
    key
      .command('list')
      .description('keys and appcodes of an account (hints only)')
      .argument('<account>')
      .option('--json', 'as JSON'),
  ).action(async (name: string, options: StoreOptions) => {
    await withAccounts(options, async (accounts, store) => {
      const keys = (await store.listKeys((await accounts.accountNamed(name)).id)).map(keyView);
      if (options.json) console.log(JSON.stringify(keys, null, 2));
      else
        printTable(
          ['id', 'kind', 'key', 'label', 'created', 'revoked'],
          keys.map((k) => [k.id, k.kind, k.hint, k.label, k.createdAt, k.revokedAt ?? '']),
        );
    });
  });

  const appcode = program.command('appcode').description('APPCODEs for the Aliyun-style /isp endpoint');
  addStoreOptions(
    appcode
      .command('create')
      .description('a new APPCODE (printed once)')
      .argument('<account>')
      .option('--label <text>', 'what it is for', ''),
  ).action(async (name: string, options: StoreOptions & { label: string }) => {
    await withAccounts(options, async (accounts) => {
      const { id } = await accounts.accountNamed(name);
      const { key, secret } = await accounts.issueKey(cliActor(), id, 'appcode', options.label);
      console.log(
        `appcode ${key.id} for ${name}: ${secret}   (shown once; send as "Authorization: APPCODE ${secret}")`,
      );
    });
  });

  const ip = program.command('ip').description('IP whitelist of an account (empty = any address)');
  addStoreOptions(
    ip.command('allow').description('allow an address or CIDR').argument('<account>').argument('<cidr>'),
  ).action(async (name: string, cidr: string, options: StoreOptions) => {
    await withAccounts(options, async (accounts) => {
      const rule = await accounts.allowIp(cliActor(), (await accounts.accountNamed(name)).id, cidr);
      console.log(`${name}: allowed ${rule.cidr}`);
    });
  });
  addStoreOptions(
    ip
      .command('deny')
      .description('remove an address or CIDR from the whitelist')
      .argument('<account>')
      .argument('<cidr>'),
  ).action(async (name: string, cidr: string, options: StoreOptions) => {
    await withAccounts(options, async (accounts) => {
      await accounts.removeIpRule(cliActor(), (await accounts.accountNamed(name)).id, cidr);
      console.log(`${name}: removed ${cidr}`);
    });
  });
  addStoreOptions(ip.command('list').description('the whitelist').argument('<account>')).action(
    async (name: string, options: StoreOptions) => {
      await withAccounts(options, async (accounts, store) => {
        const rules = await store.listIpRules((await accounts.accountNamed(name)).id);
        console.log(
          rules.length === 0
            ? `${name}: any address (no whitelist)`
            : rules.map((rule) => rule.cidr).join('\n'),
        );
      });
    },
  );
}
