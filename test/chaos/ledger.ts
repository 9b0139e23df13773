/**
 * What the store charged, compared with what the clients received: the ledger, the balance and the
 * query log must tell the same story as the code-0 answers.
 */
import type { QueryLogRow, Store } from '../../src/store/store.js';
import type { LoadOutcome } from './load.js';

/** Every row of the account's query log, following its pages. */
export async function allLogRows(store: Store, accountId: number): Promise<QueryLogRow[]> {
  const rows: QueryLogRow[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await store.queryLog(accountId, { limit: 1000, before });
    rows.push(...page.rows);
    if (page.next === null) return rows;
    before = page.next;
  }
}

export interface BillingCheck {
  /** Code-0 answers received and not charged (or charged for another number). */
  lost: number;
  /** Charges beyond the answers received, other than requests cut in flight by the fault. */
  double: number;
  /** Charged, never answered, and in flight at the fault: allowed, reported. */
  cutInFlight: number;
  charged: number;
  balance: number;
  /** The ledger's sum, the balance and the count of charged rows agree. */
  ledgerAgrees: boolean;
  problems: string[];
}

/** Compares the store of `accountName` (which started at `initialBalance`) with what clients saw. */
export async function checkBilling(
  store: Store,
  accountName: string,
  initialBalance: number,
  outcome: LoadOutcome,
): Promise<BillingCheck> {
  const account = (await store.getAccountByName(accountName))!;
  const rows = (await allLogRows(store, account.id)).filter((row) => row.code === 0);
  const byRequest = new Map<string, QueryLogRow[]>();
  for (const row of rows)
    byRequest.set(row.requestId ?? '', [...(byRequest.get(row.requestId ?? '') ?? []), row]);
  const problems: string[] = [];
  let lost = 0;
  for (const [requestId, mobile] of outcome.answered) {
    const charged = byRequest.get(requestId);
    if (!charged || charged[0].mobile !== mobile) {
      lost++;
      if (problems.length < 10) problems.push(`answered ${requestId} (${mobile}) is not charged`);
    }
  }
  let double = 0;
  let cutInFlight = 0;
  for (const [requestId, charged] of byRequest) {
    if (charged.length > 1) {
      double += charged.length - 1;
      problems.push(`${requestId} charged ${charged.length} times`);
    }
    if (outcome.answered.has(requestId)) continue;
    if (outcome.inFlightAtFault.has(requestId)) cutInFlight++;
    else {
      double++;
      if (problems.length < 10) problems.push(`${requestId} charged without a code-0 answer`);
    }
  }
  const ledgerSum = await store.ledgerSum(account.id);
  const ledgerAgrees = ledgerSum === account.balance && initialBalance - account.balance === rows.length;
  if (!ledgerAgrees) {
    // A balance that moved more than the rows say is an overcharge; less, a charge lost.
    const unexplained = initialBalance - account.balance - rows.length;
    if (unexplained > 0) double += unexplained;
    else if (unexplained < 0) lost -= unexplained;
    else double++;
    problems.push(
      `ledger ${ledgerSum}, balance ${account.balance}, ${rows.length} charged rows from ${initialBalance}`,
    );
  }
  return {
    lost,
    double,
    cutInFlight,
    charged: rows.length,
    balance: account.balance,
    ledgerAgrees,
    problems,
  };
}

/**
 * Without the clients' requestIds (a fuzzer's answers): the ledger's sum is the balance, and the
 * balance moved by exactly the charged rows of the query log.
 */
export async function ledgerAgrees(
  store: Store,
  accountName: string,
  initialBalance: number,
): Promise<{ agrees: boolean; unexplained: number; description: string }> {
  const account = (await store.getAccountByName(accountName))!;
  const charged = (await allLogRows(store, account.id)).filter((row) => row.code === 0).length;
  const ledgerSum = await store.ledgerSum(account.id);
  const unexplained = initialBalance - account.balance - charged;
  return {
    agrees: unexplained === 0 && ledgerSum === account.balance,
    unexplained: unexplained === 0 && ledgerSum !== account.balance ? 1 : unexplained,
    description: `ledger ${ledgerSum}, balance ${account.balance}, ${charged} charged rows from ${initialBalance}`,
  };
}
