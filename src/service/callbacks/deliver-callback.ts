import type { LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import type { CallbackEvent } from './callback-event.js';
import { CALLBACK_SIGNATURE_HEADER, signCallback } from './callback-signature.js';
import { type CallbackTarget, type CallbackTargetPolicy, checkCallbackTarget } from './callback-target.js';

/** A receiver that has not answered within this is taken as down for this attempt. */
export const CALLBACK_TIMEOUT_MS = 10_000;
/** What a receiver says in its body is not used; this much is read so the connection ends cleanly. */
const MAX_RESPONSE_BYTES = 64 * 1024;
const USER_AGENT = 'mnpd-callbacks/1';

/**
 * One attempt, as it is logged and shown in the console:
 * - `delivered`: the receiver answered 2xx;
 * - `failed`: anything else (a status, a redirect, which is not followed, a timeout, a refused
 *   connection); worth retrying on the schedule;
 * - `refused`: mnpd would not send to the URL (see CallbackTargetRefusal); `retryable` only when
 *   its name did not resolve.
 */
export interface DeliveryAttempt {
  eventId: string;
  outcome: 'delivered' | 'failed' | 'refused';
  retryable: boolean;
  /** ms since the epoch. */
  startedAt: number;
  durationMs: number;
  /** The address connected to, once the URL passed its checks. */
  address?: string;
  status?: number;
  /** A short reason, e.g. `timeout after 10000 ms`, `redirect not followed (302)`, `ECONNREFUSED`. */
  error?: string;
}

export interface CallbackDelivery {
  url: string;
  event: CallbackEvent;
  /** The account's callback secret. */
  secret: string;
  policy: CallbackTargetPolicy;
  timeoutMs?: number;
  now?: () => number;
}

/**
 * POSTs one event, signed, to its URL: the URL is checked and its name resolved once, and the
 * connection goes to that checked address (a second lookup could answer differently). Never
 * throws; whatever happened is in the attempt.
 */
export async function deliverCallback(delivery: CallbackDelivery): Promise<DeliveryAttempt> {
  const now = delivery.now ?? Date.now;
  const startedAt = now();
  const attempt = (
    fields: Omit<DeliveryAttempt, 'eventId' | 'startedAt' | 'durationMs'>,
  ): DeliveryAttempt => ({
    eventId: delivery.event.id,
    startedAt,
    durationMs: now() - startedAt,
    ...fields,
  });
  const target = await checkCallbackTarget(delivery.url, delivery.policy);
  if (!target.ok) {
    return attempt({
      outcome: 'refused',
      retryable: target.reason === 'unresolvable-host',
      error: `${target.reason}: ${target.message}`,
    });
  }
  const body = JSON.stringify(delivery.event);
  const timeoutMs = delivery.timeoutMs ?? CALLBACK_TIMEOUT_MS;
  const agent = pinnedAgent(target, timeoutMs);
  try {
    const response = await request(target.url, {
      method: 'POST',
      dispatcher: agent,
      maxRedirections: 0,
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'x-mnpd-event-id': delivery.event.id,
        [CALLBACK_SIGNATURE_HEADER.toLowerCase()]: signCallback(body, delivery.secret, now()),
      },
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body.dump({ limit: MAX_RESPONSE_BYTES }).catch(() => undefined);
    const status = response.statusCode;
    if (status >= 200 && status < 300) {
      return attempt({ outcome: 'delivered', retryable: false, address: target.address, status });
    }
    const error = status >= 300 && status < 400 ? `redirect not followed (${status})` : `HTTP ${status}`;
    return attempt({ outcome: 'failed', retryable: true, address: target.address, status, error });
  } catch (error) {
    return attempt({
      outcome: 'failed',
      retryable: true,
      address: target.address,
      error: describe(error, timeoutMs),
    });
  } finally {
    await agent.destroy().catch(() => undefined);
  }
}

/** An agent for one delivery whose every connection goes to the checked address. */
function pinnedAgent(target: CallbackTarget, timeoutMs: number): Agent {
  // Node asks for all addresses when it tries IPv4 and IPv6 in turn (autoSelectFamily).
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  return new Agent({ connect: { lookup, timeout: timeoutMs }, pipelining: 0 });
}

function describe(error: unknown, timeoutMs: number): string {
  const { name, code, message } = error as NodeJS.ErrnoException;
  if (name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return `timeout after ${timeoutMs} ms`;
  }
  return code ?? message ?? String(error);
}
