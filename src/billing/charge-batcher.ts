import type { ChargeItem, ChargeResult, Store } from '../store/store.js';

/**
 * How long the first charge of a batch waits for company before the batch commits; 0 means until
 * the end of the current turn of the event loop, which gathers every request read in that turn
 * without leaving the server idle on a timer.
 */
export const GROUP_COMMIT_WINDOW_MS = 0;
/** Items in one transaction; more wait for the next one. */
export const MAX_CHARGE_BATCH = 1000;
/** Charges waiting at once; past this, new charges are refused rather than queued without bound. */
export const MAX_PENDING_CHARGES = 100_000;

export class ChargeQueueFullError extends Error {
  constructor() {
    super(`more than ${MAX_PENDING_CHARGES} charges waiting for the store`);
    this.name = 'ChargeQueueFullError';
  }
}

export class ChargeBatcherClosedError extends Error {
  constructor() {
    super('the charge batcher is closed');
    this.name = 'ChargeBatcherClosedError';
  }
}

interface Pending {
  item: ChargeItem;
  resolve: (result: ChargeResult) => void;
  reject: (error: Error) => void;
}

export interface BatchStats {
  batches: number;
  items: number;
}

/**
 * Group commit: charges from all requests (and the log rows of uncharged answers) are gathered
 * for a couple of milliseconds and written in one transaction, so each answer is durable before it
 * leaves while the cost of a durable commit is shared by every request of the batch. One
 * transaction in flight at a time; what arrives meanwhile forms the next batch.
 */
export class ChargeBatcher {
  readonly #store: Store;
  readonly #windowMs: number;
  readonly #maxBatch: number;
  #pending: Pending[] = [];
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #inFlight: Promise<void> | undefined;
  #closed = false;
  readonly stats: BatchStats = { batches: 0, items: 0 };
  /**
   * Called after each committed batch with its size and how many of its items were charged
   * (metrics): 'log' items, refusals and replays are in the size but never among the charged.
   */
  onBatch?: (size: number, charged: number) => void;

  constructor(store: Store, options: { windowMs?: number; maxBatch?: number } = {}) {
    this.#store = store;
    this.#windowMs = options.windowMs ?? GROUP_COMMIT_WINDOW_MS;
    this.#maxBatch = options.maxBatch ?? MAX_CHARGE_BATCH;
  }

  /** Resolves once the charge (or its refusal, or a 'log' item's row) is committed. */
  charge(item: ChargeItem): Promise<ChargeResult> {
    if (this.#closed) return Promise.reject(new ChargeBatcherClosedError());
    if (this.#pending.length >= MAX_PENDING_CHARGES) return Promise.reject(new ChargeQueueFullError());
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
    let results: ChargeResult[];
    try {
      results = await this.#store.commitCharges(batch.map((pending) => pending.item));
      if (results.length !== batch.length) throw new Error('store answered a different number of charges');
    } catch (error) {
      for (const pending of batch) pending.reject(error as Error);
      return;
    }
    this.stats.batches++;
    this.stats.items += batch.length;
    this.onBatch?.(batch.length, results.filter((result) => result.status === 'charged').length);
    batch.forEach((pending, i) => pending.resolve(results[i]));
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
