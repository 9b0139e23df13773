import type { FastifyInstance } from 'fastify';
import type { AccountChanges } from '../../../store/store.js';
import {
  MAX_BALANCE_CHANGE,
  MAX_NAME_LENGTH,
  type NewAccountInput,
} from '../../../service/accounts/account-service.js';
import { dailyByCode, lastChinaDays } from '../../../service/accounts/usage-series.js';
import { accountView, keyView, ledgerView } from '../../../service/accounts/views.js';
import type { AccountDetail, AdminAccount } from '../../../wire/console-api.js';
import type { AppDeps } from '../../app-deps.js';
import { operatorActor, requireOperator } from '../guards.js';
import {
  type Body,
  badRequest,
  bodyObject,
  isWhole,
  onlyFields,
  pageQuery,
  pathId,
  readChoice,
  readLimit,
  readText,
} from '../request-input.js';

/** Days of usage shown on an account's page. */
const USAGE_DAYS = 30;
const MAX_PASSWORD_FIELD = 4096;

type AccountDeps = Pick<AppDeps, 'store' | 'accounts'>;

async function viewOf(deps: AccountDeps, id: number): Promise<AdminAccount> {
  const account = await deps.accounts.account(id);
  return accountView(account, await deps.accounts.hasPassword(account.id));
}

const ACCOUNT_CHANGES = [
  'feeType',
  'creditLimit',
  'qpsLimit',
  'status',
  'lowBalanceThreshold',
  'localOnly',
] as const;

function readFlag(body: Body, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw badRequest(`${field} must be true or false`);
  return value;
}

function readChanges(body: Body): AccountChanges {
  onlyFields(body, ACCOUNT_CHANGES);
  const changes: AccountChanges = {
    feeType: readChoice(body, 'feeType', ['prepaid', 'postpaid']),
    creditLimit: readLimit(body, 'creditLimit', 0),
    qpsLimit: readLimit(body, 'qpsLimit', 1),
    status: readChoice(body, 'status', ['active', 'suspended']),
    lowBalanceThreshold: readLimit(body, 'lowBalanceThreshold', 0),
    localOnly: readFlag(body, 'localOnly'),
  };
  const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  if (Object.keys(given).length === 0) throw badRequest(`give at least one of ${ACCOUNT_CHANGES.join(', ')}`);
  return given;
}

function readNewAccount(body: Body): NewAccountInput {
  onlyFields(body, [
    'name',
    'feeType',
    'balance',
    'creditLimit',
    'qpsLimit',
    'lowBalanceThreshold',
    'password',
  ]);
  const feeType = readChoice(body, 'feeType', ['prepaid', 'postpaid']);
  if (!feeType) throw badRequest('feeType is required: prepaid or postpaid');
  const balance = body.balance ?? 0;
  if (!isWhole(balance, 0, MAX_BALANCE_CHANGE))
    throw badRequest('balance must be a whole number of at least 0');
  return {
    name: readText(body, 'name', MAX_NAME_LENGTH) ?? '',
    feeType,
    balance,
    creditLimit: readLimit(body, 'creditLimit', 0) ?? null,
    qpsLimit: readLimit(body, 'qpsLimit', 1) ?? null,
    lowBalanceThreshold: readLimit(body, 'lowBalanceThreshold', 0) ?? null,
    password: readText(body, 'password', MAX_PASSWORD_FIELD),
  };
}

/** A topup or an adjustment, with what the ledger reason says about it. */
function readBalanceChange(body: Body): { kind: 'topup' | 'adjust'; amount: number; reason: string } {
  onlyFields(body, ['kind', 'amount', 'reason']);
  const kind = readChoice(body, 'kind', ['topup', 'adjust']);
  if (!kind) throw badRequest('kind is required: topup or adjust');
  const amount = body.amount;
  if (typeof amount !== 'number') throw badRequest('amount must be a whole number');
  return { kind, amount, reason: readText(body, 'reason', MAX_PASSWORD_FIELD) ?? '' };
}

/** The operator's accounts pages: list, create, edit, balances, passwords, ledgers. */
export function adminAccountRoutes(app: FastifyInstance, deps: AccountDeps): void {
  app.get('/admin/accounts', async (request) => {
    requireOperator(request);
    const search = String((request.query as { search?: unknown }).search ?? '').toLowerCase();
    const accounts = (await deps.store.listAccounts()).filter((account) =>
      account.name.toLowerCase().includes(search),
    );
    return Promise.all(accounts.map((account) => viewOf(deps, account.id)));
  });

  app.post('/admin/accounts', async (request, reply) => {
    const actor = operatorActor(request);
    const input = readNewAccount(bodyObject(request));
    const { account, apikey } = await deps.accounts.open(actor, input, 'console');
    return reply.code(201).send({ account: accountView(account, input.password !== undefined), apikey });
  });

  app.get('/admin/accounts/:id', async (request): Promise<AccountDetail> => {
    requireOperator(request);
    const account = await deps.accounts.account(pathId(request.params, 'account'));
    const { from, to } = lastChinaDays(new Date(), USAGE_DAYS);
    const [view, keys, ipRules, stats] = await Promise.all([
      viewOf(deps, account.id),
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
    const actor = operatorActor(request);
    const id = pathId(request.params, 'account');
    const changes = readChanges(bodyObject(request));
    await deps.accounts.update(actor, id, changes);
    return viewOf(deps, id);
  });

  app.post('/admin/accounts/:id/balance', async (request) => {
    const actor = operatorActor(request);
    const id = pathId(request.params, 'account');
    const change = readBalanceChange(bodyObject(request));
    const entry =
      change.kind === 'topup'
        ? await deps.accounts.topUp(actor, id, change.amount, change.reason)
        : await deps.accounts.adjust(actor, id, change.amount, change.reason);
    return ledgerView(entry);
  });

  app.post('/admin/accounts/:id/password', async (request, reply) => {
    const actor = operatorActor(request);
    const id = pathId(request.params, 'account');
    const body = bodyObject(request);
    onlyFields(body, ['password']);
    const password = readText(body, 'password', MAX_PASSWORD_FIELD);
    if (password === undefined) throw badRequest('password is required');
    await deps.accounts.resetPassword(actor, id, password);
    return reply.code(204).send();
  });

  app.get('/admin/accounts/:id/ledger', async (request) => {
    requireOperator(request);
    const id = pathId(request.params, 'account');
    const page = pageQuery(request.query);
    await deps.accounts.account(id);
    const { rows, next } = await deps.store.ledger(id, page);
    return { rows: rows.map(ledgerView), next };
  });
}
