import { timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A credential from the providers file (an apikey, an APPCODE, an AccessKey secret). It prints as
 * `[redacted]` however it is printed (JSON, template strings, util.inspect, pino), so a config or
 * provider object that reaches a log carries no secret; `reveal()` is the one way to read it.
 */
export class Secret {
  readonly #value: string;
  /** Where it came from, for views: `env NAME` or `file`. */
  readonly source: string;

  constructor(value: string, source: string) {
    this.#value = value;
    this.source = source;
  }

  reveal(): string {
    return this.#value;
  }

  get length(): number {
    return this.#value.length;
  }

  equals(other: Secret): boolean {
    const a = Buffer.from(this.#value);
    const b = Buffer.from(other.#value);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
