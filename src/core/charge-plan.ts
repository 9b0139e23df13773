/**
 * The billing rules of a group commit, without I/O: given the batch, the accounts as read under
 * their locks and the idempotency keys already known, decide each item's result and what to write.
 * Both engines run exactly this; they differ only in how they lock and write.
 */
import type { ChargeItem, ChargeResult, FeeType, QueryLogRow } from './charges.js';
import { ResultCode } from './result-codes.js';

export interface ChargeAccount {
  id: number;
  feeType: FeeType;
  balance: number;
  creditLimit: number | null;
}

/** Known idempotency bodies: account id → key → the first answer's body. */
export type KnownBodies = Map<number, Map<string, string>>;

/** Answers per account, hour (epoch ms of its start, UTC) and code. */
export interface AnswerCount {
  accountId: number;
  hour: number;
  code: number;
  answers: number;
  /** Of the code-0 answers, those with res "1". */
  ported: number;
}

export interface ChargePlan {
  results: ChargeResult[];
  /** Accounts charged in this batch: the summed (negative) delta and the balance after it. */
  balances: Map<number, { delta: number; balanceAfter: number }>;
  /** The items charged, in batch order: each with a key gets an idempotency row. */
  charged: ChargeItem[];
  /** Query-log rows to write, in batch order: charged, refused (-5) and 'log' items; never replays. */
  logs: { accountId: number; log: QueryLogRow }[];
  /** The rows of `logs`, counted; the code-0 counts are the queries charged (the usage). */
  answers: AnswerCount[];
}

const HOUR_MS = 3_600_000;

/** Prepaid spends what it holds; postpaid may go down to -creditLimit, or without bound when null. */
export function canCharge(account: ChargeAccount): boolean {
  if (account.feeType === 'prepaid') return account.balance >= 1;
  return account.creditLimit === null || account.balance - 1 >= -account.creditLimit;
}

export function hourOf(at: Date): number {
  return Math.floor(at.getTime() / HOUR_MS) * HOUR_MS;
}

/** A refused charge is logged as the -5 answer the client got: no result, no carriers. */
function refusedLog(log: QueryLogRow): QueryLogRow {
  return { ...log, code: ResultCode.InsufficientBalance, res: null, initIsp: null, nowIsp: null };
}

export function planCharges(
  items: readonly ChargeItem[],
  accounts: ReadonlyMap<number, ChargeAccount>,
  known: KnownBodies,
): ChargePlan {
  const balances = new Map<number, { delta: number; balanceAfter: number }>();
  const seen = new Map<number, Map<string, string>>([...known].map(([id, bodies]) => [id, new Map(bodies)]));
  const answers = new Map<string, AnswerCount>();
  const charged: ChargeItem[] = [];
  const logs: { accountId: number; log: QueryLogRow }[] = [];

  // The item's account is the one charged; its log row says the same whatever `log` carried.
  const writeLog = (accountId: number, log: QueryLogRow) => {
    logs.push({ accountId, log: { ...log, accountId } });
    const hour = hourOf(log.at);
    const slot = `${accountId}:${hour}:${log.code}`;
    const counted = answers.get(slot) ?? { accountId, hour, code: log.code, answers: 0, ported: 0 };
    counted.answers += 1;
    if (log.code === 0 && log.res === '1') counted.ported += 1;
    answers.set(slot, counted);
  };

  const results = items.map((item): ChargeResult => {
    const found = accounts.get(item.accountId);
    if (!found) return { status: 'rejected', reason: 'not_found', message: `no account ${item.accountId}` };
    // A 'log' item was never charged, so there is no first answer to replay: its key is not looked at.
    if (item.kind === 'log') {
      writeLog(item.accountId, item.log);
      return { status: 'logged' };
    }
    // Usage is read from the code-0 counts: a charge logged under another code would go uncounted.
    if (item.log.code !== ResultCode.Ok) {
      return { status: 'rejected', reason: 'invalid', message: `a charged answer has code ${item.log.code}` };
    }
    const bodies = seen.get(item.accountId) ?? new Map<string, string>();
    seen.set(item.accountId, bodies);
    if (item.idempotencyKey !== null) {
      const body = bodies.get(item.idempotencyKey);
      if (body !== undefined) return { status: 'replay', body };
    }

    const state = balances.get(item.accountId) ?? { delta: 0, balanceAfter: found.balance };
    if (!canCharge({ ...found, balance: state.balanceAfter })) {
      writeLog(item.accountId, refusedLog(item.log));
      return { status: 'insufficient' };
    }
    state.delta -= 1;
    state.balanceAfter -= 1;
    balances.set(item.accountId, state);
    charged.push(item);
    writeLog(item.accountId, item.log);
    // Replays within the batch answer with this item's body, as later batches will.
    if (item.idempotencyKey !== null) bodies.set(item.idempotencyKey, item.body);
    return { status: 'charged', balanceAfter: state.balanceAfter };
  });

  return { results, balances, charged, logs, answers: [...answers.values()] };
}
