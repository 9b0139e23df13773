/**
 * The billing rules of a group commit, without I/O: given the batch, the accounts as read under
 * their locks and the idempotency keys already known, decide each item's result and what to write.
 * Both engines run exactly this; they differ only in how they lock and write.
 */
import { type ChargeItem, type ChargeResult, type FeeType, StoreError } from './store.js';

export interface ChargeAccount {
  id: number;
  feeType: FeeType;
  balance: number;
  creditLimit: number | null;
}

/** Known idempotency bodies: account id → key → the first answer's body. */
export type KnownBodies = Map<number, Map<string, string>>;

export interface ChargePlan {
  results: ChargeResult[];
  /** Accounts charged in this batch: the summed (negative) delta and the balance after it. */
  balances: Map<number, { delta: number; balanceAfter: number }>;
  /** The items charged, in batch order: each gets its query-log row and, with a key, an idempotency row. */
  charged: ChargeItem[];
  /** Queries per account and hour (epoch ms of the hour's start, UTC). */
  usage: { accountId: number; hour: number; queries: number }[];
}

const HOUR_MS = 3_600_000;

/** Prepaid spends what it holds; postpaid may go down to -creditLimit, or without bound when null. */
export function canCharge(account: ChargeAccount): boolean {
  if (account.feeType === 'prepaid') return account.balance >= 1;
  return account.creditLimit === null || account.balance - 1 >= -account.creditLimit;
}

export function planCharges(
  items: readonly ChargeItem[],
  accounts: ReadonlyMap<number, ChargeAccount>,
  known: KnownBodies,
): ChargePlan {
  const balances = new Map<number, { delta: number; balanceAfter: number }>();
  const seen = new Map<number, Map<string, string>>([...known].map(([id, bodies]) => [id, new Map(bodies)]));
  const usage = new Map<string, { accountId: number; hour: number; queries: number }>();
  const charged: ChargeItem[] = [];

  const results = items.map((item): ChargeResult => {
    const found = accounts.get(item.accountId);
    if (!found) throw new StoreError('not_found', `no account ${item.accountId}`);
    const bodies = seen.get(item.accountId) ?? new Map<string, string>();
    seen.set(item.accountId, bodies);
    if (item.idempotencyKey !== null) {
      const body = bodies.get(item.idempotencyKey);
      if (body !== undefined) return { status: 'replay', body };
    }

    const state = balances.get(item.accountId) ?? { delta: 0, balanceAfter: found.balance };
    if (!canCharge({ ...found, balance: state.balanceAfter })) return { status: 'insufficient' };
    state.delta -= 1;
    state.balanceAfter -= 1;
    balances.set(item.accountId, state);
    charged.push(item);
    // Replays within the batch answer with this item's body, as later batches will.
    if (item.idempotencyKey !== null) bodies.set(item.idempotencyKey, item.body);

    const hour = Math.floor(item.log.at.getTime() / HOUR_MS) * HOUR_MS;
    const slot = `${item.accountId}:${hour}`;
    const counted = usage.get(slot) ?? { accountId: item.accountId, hour, queries: 0 };
    counted.queries += 1;
    usage.set(slot, counted);
    return { status: 'charged', balanceAfter: state.balanceAfter };
  });

  return { results, balances, charged, usage: [...usage.values()] };
}
