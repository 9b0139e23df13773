/**
 * The pause of a background loop: it ends when its time is up, at once when rung (new work came)
 * or when the loop is closed. A ring while the loop is busy is kept for its next pause, so work
 * announced during a round is never slept past.
 */
export class Doorbell {
  #closed = false;
  #rung = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  /** Whether a loop runs, or ran, on this bell, or it was closed before one did. */
  get started(): boolean {
    return this.#loop !== undefined || this.#closed;
  }

  /** Runs the loop once per bell; `stop` waits for it. */
  run(loop: () => Promise<void>): void {
    if (!this.started) this.#loop = loop();
  }

  /** Closes the bell and waits for the loop to end its round. */
  async stop(): Promise<void> {
    this.close();
    await this.#loop;
  }

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
