import { Pool } from 'undici';
import { type UpstreamOutcome, operatorTrouble, transient } from './outcome.js';

/** An upstream answer is a few hundred bytes; a larger body is not one, and is not read whole. */
export const MAX_UPSTREAM_BODY_BYTES = 64 * 1024;
/** Idle keep-alive connections to a provider are closed after this. */
const KEEP_ALIVE_MS = 30_000;

export interface UpstreamReply {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  text: string;
}

export interface UpstreamRequest {
  method: 'GET' | 'POST';
  /** Below the provider's base URL: `/carrier`. */
  path: string;
  /** Already encoded, without `?`. */
  query?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface UpstreamHttpOptions {
  /** Most connections (and so requests at once) to the provider. */
  connections: number;
  /** Extra CAs to trust, PEM (an upstream with its own CA). */
  ca?: string;
  timeoutMs: number;
}

const TLS_TROUBLE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|^ERR_SSL_|^ERR_TLS_/;
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * One provider's HTTP: a keep-alive pool to its origin (at most `connections` sockets), bounded
 * bodies, and every failure turned into an outcome instead of an exception.
 */
export class UpstreamHttp {
  readonly #pool: Pool;
  readonly #basePath: string;

  constructor(baseUrl: string, options: UpstreamHttpOptions) {
    const url = new URL(baseUrl);
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#pool = new Pool(url.origin, {
      connections: options.connections,
      keepAliveTimeout: KEEP_ALIVE_MS,
      maxResponseSize: MAX_UPSTREAM_BODY_BYTES,
      // The caller's signal carries the timeout; these only catch what it cannot.
      headersTimeout: options.timeoutMs * 2,
      bodyTimeout: options.timeoutMs * 2,
      connect: { ca: options.ca ? [options.ca] : undefined, timeout: options.timeoutMs },
    });
  }

  /** The reply, whatever its status, or the outcome of a call that got none. */
  async send(request: UpstreamRequest, signal: AbortSignal): Promise<UpstreamReply | UpstreamOutcome> {
    const path = `${this.#basePath}${request.path}${request.query ? `?${request.query}` : ''}`;
    try {
      const response = await this.#pool.request({
        method: request.method,
        path,
        headers: request.headers,
        body: request.body,
        signal,
      });
      const text = await response.body.text();
      return { status: response.statusCode, headers: response.headers, text };
    } catch (error) {
      return failureOf(error, signal);
    }
  }

  /** Closes the pool once the requests under way have ended; closing twice is harmless. */
  async close(): Promise<void> {
    if (!this.#pool.closed) await this.#pool.close();
  }
}

export function isReply(value: UpstreamReply | UpstreamOutcome): value is UpstreamReply {
  return 'status' in value;
}

function failureOf(error: unknown, signal: AbortSignal): UpstreamOutcome {
  if (signal.aborted) {
    const timedOut = (signal.reason as Error | undefined)?.name === 'TimeoutError';
    return timedOut ? transient('timeout', 'no answer in time') : transient('cancelled', 'cancelled by mnpd');
  }
  const code = errorCode(error);
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE')
    return transient('garbage', `answer larger than ${MAX_UPSTREAM_BODY_BYTES} bytes`);
  if (TIMEOUT_CODES.has(code)) return transient('timeout', code);
  if (TLS_TROUBLE.test(code)) return operatorTrouble('tls', `TLS: ${code}`);
  return transient('network', code || (error as Error).message || 'connection failed');
}

function errorCode(error: unknown): string {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  if (typeof cause?.code === 'string' && code !== 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return cause.code;
  return typeof code === 'string' ? code : '';
}
