/** Asks for different keys under way at once at most; past it, a new key runs uncoalesced. */
export const MAX_COALESCED_KEYS = 100_000;

interface Shared<V> {
  promise: Promise<V>;
  controller: AbortController;
  callers: number;
}

/**
 * Concurrent asks for the same key share one run: the first starts it, the others wait for its
 * result. Each caller may leave early (its own signal); the run itself is cancelled only when every
 * caller has left, so one impatient caller never cancels the others' answer.
 */
export class Coalescer<K, V> {
  readonly #running = new Map<K, Shared<V>>();
  /** Asks that joined a run already under way. */
  joined = 0;

  get size(): number {
    return this.#running.size;
  }

  run(
    key: K,
    signal: AbortSignal | undefined,
    work: (signal: AbortSignal) => Promise<V>,
    onLeave: () => V,
  ): Promise<V> {
    let shared = this.#running.get(key);
    if (shared) this.joined++;
    else {
      const controller = new AbortController();
      if (this.#running.size >= MAX_COALESCED_KEYS) return work(signal ?? controller.signal);
      const promise = work(controller.signal).finally(() => this.#running.delete(key));
      shared = { promise, controller, callers: 0 };
      this.#running.set(key, shared);
    }
    return this.#wait(shared, signal, onLeave);
  }

  #wait(shared: Shared<V>, signal: AbortSignal | undefined, onLeave: () => V): Promise<V> {
    shared.callers++;
    if (!signal) return shared.promise;
    if (signal.aborted) return this.#leave(shared, onLeave);
    return new Promise<V>((resolve, reject) => {
      const leave = () => resolve(this.#leave(shared, onLeave));
      signal.addEventListener('abort', leave, { once: true });
      shared.promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', leave));
    });
  }

  #leave(shared: Shared<V>, onLeave: () => V): Promise<V> {
    if (--shared.callers === 0) shared.controller.abort(new DOMException('every caller left', 'AbortError'));
    return Promise.resolve(onLeave());
  }
}
