import { parseDuration } from './duration.js';
import { Secret } from './secret.js';

export type Fields = Record<string, unknown>;

export function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** Longer than any credential a provider issues; bounds what a mistaken file can put in memory. */
const MAX_SECRET_LENGTH = 512;

/**
 * Reads one object of the providers file, field by field, collecting one line per mistake
 * (`providers[0] (main): apikey must be 32 characters`) instead of stopping at the first. Every
 * getter returns a usable value even after a mistake, so reading goes on and finds the others.
 */
export class FieldReader {
  readonly #fields: Fields;
  readonly #where: string;
  readonly #errors: string[];
  readonly #seen = new Set<string>();

  /**
   * `where` prefixes every message: `providers[0] (main): `, `providers[0] (main): breaker.`, or
   * nothing at the top.
   */
  constructor(fields: Fields, where: string, errors: string[]) {
    this.#fields = fields;
    this.#where = where;
    this.#errors = errors;
  }

  error(field: string, message: string): void {
    this.#errors.push(`${this.#where}${field} ${message}`);
  }

  /** A reader for an object inside this one, whose messages name `outer.inner`. */
  nested(field: string, value: Fields): FieldReader {
    return new FieldReader(value, `${this.#where}${field}.`, this.#errors);
  }

  has(field: string): boolean {
    return this.#fields[field] !== undefined;
  }

  #take(field: string): unknown {
    this.#seen.add(field);
    return this.#fields[field];
  }

  /** Marks a field as known without reading it (read elsewhere). */
  known(field: string): unknown {
    return this.#take(field);
  }

  string(
    field: string,
    options: { fallback?: string; pattern?: RegExp; hint?: string; max?: number },
  ): string {
    const value = this.#take(field);
    if (value === undefined && options.fallback !== undefined) return options.fallback;
    if (value === undefined) {
      this.error(field, 'is required');
      return '';
    }
    if (typeof value !== 'string' || value.length === 0 || value.length > (options.max ?? 256)) {
      this.error(field, `must be text of 1 to ${options.max ?? 256} characters`);
      return '';
    }
    if (options.pattern && !options.pattern.test(value)) {
      this.error(field, options.hint ?? `must match ${options.pattern}`);
      return '';
    }
    return value;
  }

  oneOf<T extends string>(field: string, choices: readonly T[], fallback?: T): T {
    const value = this.#take(field);
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
    this.error(field, `must be one of ${choices.join(', ')}`);
    return fallback ?? choices[0];
  }

  number(field: string, range: { min: number; max: number; fallback: number; whole?: boolean }): number {
    const value = this.#take(field);
    if (value === undefined) return range.fallback;
    const fits =
      typeof value === 'number' && Number.isFinite(value) && (!range.whole || Number.isInteger(value));
    if (!fits || value < range.min || value > range.max) {
      this.error(field, `must be a ${range.whole ? 'whole ' : ''}number from ${range.min} to ${range.max}`);
      return range.fallback;
    }
    return value;
  }

  /** A duration in ms, written `90s`, `15m`, `24h` or as a number of ms. */
  duration(field: string, range: { min: number; max: number; fallback: number }): number {
    const value = this.#take(field);
    if (value === undefined) return range.fallback;
    const ms = parseDuration(value);
    if (ms === undefined || ms < range.min || ms > range.max) {
      this.error(
        field,
        `must be a duration from ${spell(range.min)} to ${spell(range.max)}, such as 90s, 15m or 24h`,
      );
      return range.fallback;
    }
    return ms;
  }

  /** An http(s) URL without credentials, query or fragment; returned without a trailing slash. */
  url(field: string, fallback?: string): string {
    const text = this.string(field, { fallback, max: 2048 });
    if (text === '') return '';
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      this.error(field, 'must be an http:// or https:// URL');
      return '';
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      this.error(field, 'must be an http:// or https:// URL');
    else if (url.username || url.password)
      this.error(field, 'must not carry a user or password; use the secret fields');
    else if (url.search || url.hash) this.error(field, 'must not carry a query or fragment');
    else return url.href.replace(/\/+$/, '');
    return '';
  }

  /**
   * A credential, written in the file (`"apikey": "…"`) or named there and read from the
   * environment (`"apikey": {"env": "MAIN_APIKEY"}`). Messages never repeat its value.
   */
  secret(field: string, env: Readonly<Record<string, string | undefined>>, check?: SecretCheck): Secret {
    const value = this.#take(field);
    let secret: Secret | undefined;
    if (value === undefined) this.error(field, 'is required');
    else if (typeof value === 'string') secret = new Secret(value, 'file');
    else if (isFields(value) && Object.keys(value).length === 1 && typeof value.env === 'string') {
      if (!ENV_NAME.test(value.env))
        this.error(field, 'names an environment variable that is not a valid name');
      else if (!env[value.env])
        this.error(field, `names environment variable ${value.env}, which is not set`);
      else secret = new Secret(env[value.env]!.trim(), `env ${value.env}`);
    } else this.error(field, 'must be text, or {"env": "VARIABLE"} to read it from the environment');
    if (!secret) return new Secret('', 'missing');
    const problem =
      secret.length === 0 || secret.length > MAX_SECRET_LENGTH || /\s/.test(secret.reveal())
        ? `must be 1 to ${MAX_SECRET_LENGTH} characters without spaces`
        : check?.(secret.reveal());
    if (problem) this.error(field, `${problem}${secret.source === 'file' ? '' : ` (from ${secret.source})`}`);
    return secret;
  }

  /** Reports every field that was never read: a misspelt field would otherwise be ignored silently. */
  rejectUnknown(): void {
    for (const field of Object.keys(this.#fields)) {
      if (!this.#seen.has(field)) this.error(field, 'is not a known field here');
    }
  }
}

/** Returns a problem ("must be 32 characters") or undefined. */
export type SecretCheck = (value: string) => string | undefined;

function spell(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
