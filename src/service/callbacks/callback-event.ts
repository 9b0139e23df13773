import { randomUUID } from 'node:crypto';

/**
 * What mnpd POSTs to a callback URL. `id` is the same on every attempt of one event, so a
 * receiver that has seen it already can answer 2xx and do nothing.
 */
export interface CallbackEvent<Data = unknown> {
  id: string;
  /** e.g. `job.finished`. */
  type: string;
  /** ISO time the event happened, not the time of this attempt. */
  createdAt: string;
  data: Data;
}

export function newEventId(): string {
  return `evt_${randomUUID().replaceAll('-', '')}`;
}

export function newCallbackEvent<Data>(type: string, data: Data, now = Date.now()): CallbackEvent<Data> {
  return { id: newEventId(), type, createdAt: new Date(now).toISOString(), data };
}
