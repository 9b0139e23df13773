/**
 * The pause of a background loop: it ends when its time is up, at once when rung (new work came)
 * or when the loop is closed. A ring while the loop is busy is kept for its next pause, so work
 * announced during a round is never slept past.
 */
export class Doorbell {
  #closed = false;
  #rung = false;
  #wake: (() => void) | undefined;

  get closed(): boolean {
    return this.#closed;
  }

  ring(): void {
    this.#rung = true;
    this.#wake?.();
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  /** Called as a round starts: the rings before it are answered by that round. */
  answer(): void {
    this.#rung = false;
  }

  pause(ms: number): Promise<void> {
    if (this.#closed || this.#rung) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#wake = undefined;
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.#wake = done;
    });
  }
}
