import type { ChargeOutcome } from '../core/charges.js';
import type { ChargeItem, ChargeResult, ChargeStore } from '../store/store.js';

/**
 * How long the first charge of a batch waits for company before the batch commits; 0 means until
 * the end of the current turn of the event loop (setImmediate), which gathers every request read
 * in that turn without leaving the server idle on a timer. While a commit is in flight, what
 * arrives waits for it and forms the next batch, so batches grow with the load by themselves.
 */
export const GROUP_COMMIT_WINDOW_MS = 0;
/** Items in one transaction; more wait for the next one. */
export const MAX_CHARGE_BATCH = 1000;
/**
 * Charges waiting at once; past this, new charges are answered `overloaded` (refused, nothing
 * written) rather than queued without bound while the store falls behind.
 */
export const MAX_PENDING_CHARGES = 100_000;

export class ChargeBatcherClosedError extends Error {
  constructor() {
    super('the charge batcher is closed');
    this.name = 'ChargeBatcherClosedError';
  }
}

interface Pending {
  item: ChargeItem;
  resolve: (result: ChargeOutcome) => void;
  reject: (error: Error) => void;
}

export interface BatchStats {
  batches: number;
  items: number;
  /** Charges answered `overloaded`. */
  overloaded: number;
  /** Transactions tried again in halves after the store failed a batch as a whole. */
  isolations: number;
}

/**
 * Group commit: charges from all requests (and the log rows of uncharged answers) are gathered
 * and written in one transaction, so each answer is durable before it leaves while the cost of a
 * durable commit is shared by every request of the batch. One transaction in flight at a time;
 * what arrives meanwhile forms the next batch. A batch the store fails as a whole is tried again
 * in halves, so that one item the store cannot take fails alone, not the answers beside it.
 */
export class ChargeBatcher {
  readonly #store: ChargeStore;
  readonly #windowMs: number;
  readonly #maxBatch: number;
  readonly #maxPending: number;
  #pending: Pending[] = [];
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #inFlight: Promise<void> | undefined;
  #closed = false;
  readonly stats: BatchStats = { batches: 0, items: 0, overloaded: 0, isolations: 0 };
  /**
   * Called after each committed batch with its size and how many of its items were charged
   * (metrics): 'log' items, refusals and replays are in the size but never among the charged.
   */
  onBatch?: (size: number, charged: number) => void;

  constructor(
    store: ChargeStore,
    options: { windowMs?: number; maxBatch?: number; maxPending?: number } = {},
  ) {
    this.#store = store;
    this.#windowMs = options.windowMs ?? GROUP_COMMIT_WINDOW_MS;
    this.#maxBatch = options.maxBatch ?? MAX_CHARGE_BATCH;
    this.#maxPending = options.maxPending ?? MAX_PENDING_CHARGES;
  }

  /**
   * Resolves once the charge (or its refusal, or a 'log' item's row) is committed, or at once
   * with `overloaded` when `maxPending` (MAX_PENDING_CHARGES) wait already.
   */
  charge(item: ChargeItem): Promise<ChargeOutcome> {
    if (this.#closed) return Promise.reject(new ChargeBatcherClosedError());
    if (this.#pending.length >= this.#maxPending) {
      this.stats.overloaded++;
      return Promise.resolve({ status: 'overloaded' });
    }
    return new Promise((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  get pending(): number {
    return this.#pending.length;
  }

  #schedule(): void {
    if (this.#inFlight || this.#timer) return;
    if (this.#pending.length >= this.#maxBatch) {
      this.#commitNext();
      return;
    }
    const fire = () => {
      this.#timer = undefined;
      this.#commitNext();
    };
    this.#timer = this.#windowMs > 0 ? setTimeout(fire, this.#windowMs) : setImmediate(fire);
  }

  #commitNext(): void {
    if (this.#inFlight || this.#pending.length === 0) return;
    const batch = this.#pending.splice(0, this.#maxBatch);
    this.#inFlight = this.#commit(batch).finally(() => {
      this.#inFlight = undefined;
      // What arrived during the commit has waited long enough: go at once.
      if (this.#pending.length > 0) this.#commitNext();
    });
  }

  async #commit(batch: Pending[]): Promise<void> {
    const error = await this.#tryCommit(batch);
    if (error) await this.#isolate(batch, error);
  }

  /** Commits the batch and answers its items; the error when the store failed it as a whole. */
  async #tryCommit(batch: Pending[]): Promise<Error | undefined> {
    let results: ChargeResult[];
    try {
      results = await this.#store.commitCharges(batch.map((pending) => pending.item));
      if (results.length !== batch.length) throw new Error('store answered a different number of charges');
    } catch (error) {
      return error as Error;
    }
    this.stats.batches++;
    this.stats.items += batch.length;
    this.onBatch?.(batch.length, results.filter((result) => result.status === 'charged').length);
    batch.forEach((pending, i) => pending.resolve(results[i]));
    return undefined;
  }

  /**
   * After a batch failed: its halves are committed apart, and a half that fails is halved again,
   * until the item the store refuses stands alone. When both halves fail, the store itself is
   * failing (a lost connection, a full disk): every item of the batch fails with it, without
   * more attempts.
   */
  async #isolate(batch: Pending[], error: Error): Promise<void> {
    if (batch.length === 1) {
      batch[0].reject(error);
      return;
    }
    this.stats.isolations++;
    const middle = batch.length >> 1;
    const [left, right] = [batch.slice(0, middle), batch.slice(middle)];
    const leftError = await this.#tryCommit(left);
    const rightError = await this.#tryCommit(right);
    if (leftError && rightError) {
      for (const pending of batch) pending.reject(leftError);
      return;
    }
    if (leftError) await this.#isolate(left, leftError);
    if (rightError) await this.#isolate(right, rightError);
  }

  /** Commits everything pending now and waits for it. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer as NodeJS.Timeout);
    clearImmediate(this.#timer as NodeJS.Immediate);
    this.#timer = undefined;
    while (this.#inFlight || this.#pending.length > 0) {
      this.#commitNext();
      await this.#inFlight;
    }
  }

  /** Refuses new charges, then commits the pending ones: for graceful shutdown. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }
}
