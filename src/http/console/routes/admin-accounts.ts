import type { FastifyInstance } from 'fastify';
import type { Account, AccountChanges, LedgerEntry } from '../../../store/store.js';
import { createAccountWithKey, keyView } from '../../../service/accounts/account-keys.js';
import type { AppDeps } from '../../app-deps.js';
import { hashPassword } from '../../../service/operators/passwords.js';
import { auditEntry } from '../audit.js';
import { ConsoleError } from '../console-error.js';
import { requireOperator } from '../guards.js';
import {
  type Body,
  badRequest,
  bodyObject,
  hasControlCharacter,
  isWhole,
  onlyFields,
  pageQuery,
  pathId,
  readChoice,
  readLimit,
  readText,
} from '../request-input.js';
import { dailyByCode, lastChinaDays } from '../../../service/accounts/usage-series.js';
import { checkNewPassword } from './auth.js';

/** Customers log in with the name: short, printable, no surrounding spaces. */
const MAX_NAME_LENGTH = 64;
const MAX_REASON_LENGTH = 200;
/** Days of usage shown on an account's page. */
const USAGE_DAYS = 30;
/** One operator action moves at most this many queries: a typo of a few digits is refused. */
const MAX_BALANCE_CHANGE = 1_000_000_000_000;

/** A new console password (the policy of auth.ts), or undefined when absent. */
function readPassword(body: Body): string | undefined {
  return body.password === undefined ? undefined : checkNewPassword(body.password);
}

function accountView(account: Account, hasPassword: boolean) {
  return {
    id: account.id,
    name: account.name,
    feeType: account.feeType,
    balance: account.balance,
    creditLimit: account.creditLimit,
    qpsLimit: account.qpsLimit,
    status: account.status,
    lowBalanceThreshold: account.lowBalanceThreshold,
    hasPassword,
    createdAt: account.createdAt.toISOString(),
  };
}

function ledgerView(entry: LedgerEntry) {
  return {
    id: entry.id,
    delta: entry.delta,
    reason: entry.reason,
    balanceAfter: entry.balanceAfter,
    at: entry.at.toISOString(),
  };
}

async function viewOf(deps: AppDeps, account: Account) {
  return accountView(account, (await deps.store.getAccountPasswordHash(account.id)) !== null);
}

async function existingAccount(deps: AppDeps, id: number): Promise<Account> {
  const account = await deps.store.getAccount(id);
  if (!account) throw new ConsoleError('not_found', 'no such account');
  return account;
}

const ACCOUNT_CHANGES = ['feeType', 'creditLimit', 'qpsLimit', 'status', 'lowBalanceThreshold'] as const;

function readChanges(body: Body): AccountChanges {
  onlyFields(body, ACCOUNT_CHANGES);
  const changes: AccountChanges = {
    feeType: readChoice(body, 'feeType', ['prepaid', 'postpaid']),
    creditLimit: readLimit(body, 'creditLimit', 0),
    qpsLimit: readLimit(body, 'qpsLimit', 1),
    status: readChoice(body, 'status', ['active', 'suspended']),
    lowBalanceThreshold: readLimit(body, 'lowBalanceThreshold', 0),
  };
  const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  if (Object.keys(given).length === 0) throw badRequest(`give at least one of ${ACCOUNT_CHANGES.join(', ')}`);
  return given;
}

function readNewAccount(body: Body) {
  onlyFields(body, [
    'name',
    'feeType',
    'balance',
    'creditLimit',
    'qpsLimit',
    'lowBalanceThreshold',
    'password',
  ]);
  const name = readText(body, 'name', MAX_NAME_LENGTH);
  if (!name || name.trim() !== name || hasControlCharacter(name)) {
    throw badRequest(`name must be 1–${MAX_NAME_LENGTH} characters without surrounding spaces`);
  }
  const feeType = readChoice(body, 'feeType', ['prepaid', 'postpaid']);
  if (!feeType) throw badRequest('feeType is required: prepaid or postpaid');
  const balance = body.balance ?? 0;
  if (!isWhole(balance, 0, MAX_BALANCE_CHANGE))
    throw badRequest('balance must be a whole number of at least 0');
  return {
    account: {
      name,
      feeType,
      balance,
      creditLimit: readLimit(body, 'creditLimit', 0) ?? null,
      qpsLimit: readLimit(body, 'qpsLimit', 1) ?? null,
      lowBalanceThreshold: readLimit(body, 'lowBalanceThreshold', 0) ?? null,
    },
    password: readPassword(body),
  };
}

/** A topup or an adjustment, with the ledger reason it is written with. */
function readBalanceChange(body: Body): { kind: 'topup' | 'adjust'; delta: number; reason: string } {
  onlyFields(body, ['kind', 'amount', 'reason']);
  const kind = readChoice(body, 'kind', ['topup', 'adjust']);
  if (!kind) throw badRequest('kind is required: topup or adjust');
  const amount = body.amount;
  const reason = (readText(body, 'reason', MAX_REASON_LENGTH) ?? '').trim();
  if (kind === 'topup') {
    if (!isWhole(amount, 1, MAX_BALANCE_CHANGE))
      throw badRequest('a topup amount must be a whole number above 0');
    return { kind, delta: amount, reason: reason === '' ? 'topup' : `topup: ${reason}` };
  }
  if (!isWhole(amount, -MAX_BALANCE_CHANGE, MAX_BALANCE_CHANGE) || amount === 0) {
    throw badRequest('an adjustment amount must be a whole number other than 0');
  }
  if (reason === '') throw badRequest('an adjustment needs a reason');
  return { kind, delta: amount, reason: `adjustment: ${reason}` };
}

/** The operator's accounts pages: list, create, edit, balances, passwords, ledgers. */
export function adminAccountRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/admin/accounts', async (request) => {
    requireOperator(request);
    const search = String((request.query as { search?: unknown }).search ?? '').toLowerCase();
    const accounts = (await deps.store.listAccounts()).filter((account) =>
      account.name.toLowerCase().includes(search),
    );
    return Promise.all(accounts.map((account) => viewOf(deps, account)));
  });

  app.post('/admin/accounts', async (request, reply) => {
    requireOperator(request);
    const { account: input, password } = readNewAccount(bodyObject(request));
    // Hashed first: a slow hash failing after the account exists would leave it half made.
    const passwordHash = password === undefined ? undefined : await hashPassword(password);
    const { account, apikey } = await createAccountWithKey(deps.store, input, {
      keyLabel: 'console',
      passwordHash,
      auditOf: (created) =>
        auditEntry(request, 'account.create', `account:${created.id}`, {
          ...input,
          consoleLogin: passwordHash !== undefined,
        }),
    });
    return reply.code(201).send({ account: accountView(account, passwordHash !== undefined), apikey });
  });

  app.get('/admin/accounts/:id', async (request) => {
    requireOperator(request);
    const account = await existingAccount(deps, pathId(request.params, 'account'));
    const { from, to } = lastChinaDays(new Date(), USAGE_DAYS);
    const [view, keys, ipRules, stats] = await Promise.all([
      viewOf(deps, account),
      deps.store.listKeys(account.id),
      deps.store.listIpRules(account.id),
      deps.store.answerStats(account.id, from, to),
    ]);
    return {
      account: view,
      keys: keys.map(keyView),
      ipRules: ipRules.map((rule) => ({ id: rule.id, cidr: rule.cidr })),
      usage: { daily: dailyByCode(stats, from, USAGE_DAYS) },
    };
  });

  app.patch('/admin/accounts/:id', async (request) => {
    requireOperator(request);
    const id = pathId(request.params, 'account');
    const changes = readChanges(bodyObject(request));
    const account = await deps.store.updateAccount(id, changes, (updated, before) =>
      auditEntry(request, 'account.update', `account:${id}`, {
        name: updated.name,
        changes,
        previous: Object.fromEntries(
          Object.keys(changes).map((name) => [name, before[name as keyof AccountChanges]]),
        ),
      }),
    );
    // Status, fee type and limits are read from the key cache on every API request.
    deps.keys.invalidate();
    return viewOf(deps, account);
  });

  app.post('/admin/accounts/:id/balance', async (request) => {
    requireOperator(request);
    const id = pathId(request.params, 'account');
    const change = readBalanceChange(bodyObject(request));
    // The audit entry commits with the balance: an error means neither happened, and a retry
    // cannot credit twice.
    const entry = await deps.store.adjustBalance(id, change.delta, change.reason, (ledger) =>
      auditEntry(request, `account.${change.kind}`, `account:${id}`, {
        delta: change.delta,
        reason: change.reason,
        balanceAfter: ledger.balanceAfter,
      }),
    );
    deps.keys.invalidate();
    return ledgerView(entry);
  });

  app.post('/admin/accounts/:id/password', async (request, reply) => {
    requireOperator(request);
    const id = pathId(request.params, 'account');
    const body = bodyObject(request);
    onlyFields(body, ['password']);
    const password = readPassword(body);
    if (password === undefined) throw badRequest('password is required');
    const account = await existingAccount(deps, id);
    await deps.store.setAccountPassword(id, await hashPassword(password), {
      // Whoever knew the old password is logged out with it.
      endSessions: true,
      audit: auditEntry(request, 'account.password_reset', `account:${id}`, { name: account.name }),
    });
    return reply.code(204).send();
  });

  app.get('/admin/accounts/:id/ledger', async (request) => {
    requireOperator(request);
    const id = pathId(request.params, 'account');
    const page = pageQuery(request.query);
    await existingAccount(deps, id);
    const { rows, next } = await deps.store.ledger(id, page);
    return { rows: rows.map(ledgerView), next };
  });
}
