import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import {
  type PdbMalformedReason,
  type PdbQuery,
  decodePdbPacket,
  encodePdbAnswer,
  encodePdbNotANumber,
  fitsCarrierId,
} from './pdb-protocol.js';
import { SourceFilter } from './source-filter.js';

/**
 * The carrier id of a number in international form (`8613972565391`), 0 when not found: see
 * `carrier-ids.ts`. Asked on every query, so it answers from whatever data is live at the time.
 */
export type PdbLookup = (number: string) => number | Promise<number>;

/**
 * Bills one answered query; resolves false to refuse it (an account out of balance). Only queries
 * whose number was found are billed, as /carrier bills only code 0.
 */
export type PdbCharge = (query: { number: string; carrierId: number }) => Promise<boolean>;

/**
 * - `found`, `not-found`: answered from the lookup;
 * - `not-a-number`: a version-1 request without a number, answered with code 2;
 * - `refused`: found, but the charge was refused, so answered as not found.
 */
export type PdbOutcome = 'found' | 'not-found' | 'not-a-number' | 'refused';

/**
 * Why a packet got no answer: its form (`PdbMalformedReason`), a source outside the allowed CIDRs,
 * too many queries in flight, or a lookup or charge that failed (the client then times out, which
 * Kamailio's `pdb_query` reports as failure, as /carrier answers -8).
 */
export type PdbDropReason =
  PdbMalformedReason | 'forbidden-source' | 'busy' | 'lookup-failed' | 'charge-failed';

/** Hooks for metrics and logs; they never receive the number. */
export interface PdbObserver {
  answered?(event: { form: PdbQuery['form']; outcome: PdbOutcome; seconds: number }): void;
  dropped?(reason: PdbDropReason): void;
  failed?(error: unknown, stage: 'lookup' | 'charge' | 'send' | 'socket'): void;
}

export interface PdbServerOptions {
  port: number;
  /** Default 0.0.0.0; an IPv6 address (`::`) listens on IPv6 and, dual-stack, on IPv4. */
  host?: string;
  lookup: PdbLookup;
  /** CIDRs or addresses allowed to query; empty or absent, any source. Packets from others are dropped. */
  allowedSources?: readonly string[];
  charge?: PdbCharge;
  observer?: PdbObserver;
  /** Queries waiting for an asynchronous lookup or charge; more are dropped as `busy`. */
  maxInFlight?: number;
}

/** A switch waits some tens of milliseconds for an answer; beyond this many waiting, it is late anyway. */
export const MAX_PDB_QUERIES_IN_FLIGHT = 1024;

/**
 * mnpd's pdb endpoint: Kamailio's number-portability protocol over UDP (see pdb-protocol.ts).
 * A lookup that answers synchronously is answered within the same turn of the event loop.
 */
export class PdbServer {
  readonly #socket: dgram.Socket;
  readonly #lookup: PdbLookup;
  readonly #charge: PdbCharge | undefined;
  readonly #observer: PdbObserver;
  readonly #sources: SourceFilter;
  readonly #maxInFlight: number;
  #inFlight = 0;
  #closed = false;

  private constructor(socket: dgram.Socket, sources: SourceFilter, options: PdbServerOptions) {
    this.#socket = socket;
    this.#sources = sources;
    this.#lookup = options.lookup;
    this.#charge = options.charge;
    this.#observer = options.observer ?? {};
    this.#maxInFlight = options.maxInFlight ?? MAX_PDB_QUERIES_IN_FLIGHT;
  }

  /** Binds the port; rejects with the socket's error (port taken, bad address, bad CIDR). */
  static async start(options: PdbServerOptions): Promise<PdbServer> {
    const sources = new SourceFilter(options.allowedSources ?? []);
    const host = options.host ?? '0.0.0.0';
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const server = new PdbServer(socket, sources, options);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (error) => {
        socket.close();
        reject(error);
      });
      socket.bind(options.port, host, () => {
        socket.removeAllListeners('error');
        resolve();
      });
    });
    socket.on('error', (error) => server.#observer.failed?.(error, 'socket'));
    socket.on('message', (packet, from) => server.#receive(packet, from));
    return server;
  }

  get address(): AddressInfo {
    return this.#socket.address();
  }

  /** Stops listening; answers still waiting for a lookup or charge are not sent. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }

  #receive(packet: Buffer, from: dgram.RemoteInfo): void {
    if (!this.#sources.allows(from.address)) return this.#drop('forbidden-source');
    const started = performance.now();
    const decoded = decodePdbPacket(packet);
    if (decoded.kind === 'malformed') return this.#drop(decoded.reason);
    if (decoded.kind === 'not-a-number') {
      this.#send(encodePdbNotANumber(decoded.id), from);
      return this.#answered('v1', 'not-a-number', started);
    }
    if (this.#inFlight >= this.#maxInFlight) return this.#drop('busy');
    const { query } = decoded;
    let carrierId: number | Promise<number>;
    try {
      carrierId = this.#lookup(query.number);
    } catch (error) {
      return this.#lookupFailed(error);
    }
    if (typeof carrierId === 'number') {
      if (!fitsCarrierId(carrierId)) return this.#lookupFailed(new RangeError(`carrier id ${carrierId}`));
      if (!this.#charge || carrierId === 0) {
        return this.#answer(query, carrierId, carrierId === 0 ? 'not-found' : 'found', from, started);
      }
    }
    this.#inFlight++;
    void this.#answerLater(query, carrierId, from, started).finally(() => this.#inFlight--);
  }

  async #answerLater(
    query: PdbQuery,
    pending: number | Promise<number>,
    from: dgram.RemoteInfo,
    started: number,
  ): Promise<void> {
    let carrierId: number;
    try {
      carrierId = await pending;
    } catch (error) {
      return this.#lookupFailed(error);
    }
    // Checked before the charge: a query is never billed for an answer that cannot be sent.
    if (!fitsCarrierId(carrierId)) return this.#lookupFailed(new RangeError(`carrier id ${carrierId}`));
    if (carrierId === 0 || !this.#charge) {
      return this.#answer(query, carrierId, carrierId === 0 ? 'not-found' : 'found', from, started);
    }
    let charged: boolean;
    try {
      charged = await this.#charge({ number: query.number, carrierId });
    } catch (error) {
      this.#observer.failed?.(error, 'charge');
      return this.#drop('charge-failed');
    }
    // Refused: answered as not found, at once. A switch then routes on its default route; left
    // without an answer it would wait out its timeout (Kamailio: 50 ms) on every call.
    if (charged) this.#answer(query, carrierId, 'found', from, started);
    else this.#answer(query, 0, 'refused', from, started);
  }

  #answer(query: PdbQuery, carrierId: number, outcome: PdbOutcome, from: dgram.RemoteInfo, started: number) {
    this.#send(encodePdbAnswer(query, carrierId), from);
    this.#answered(query.form, outcome, started);
  }

  #send(reply: Uint8Array, to: dgram.RemoteInfo): void {
    if (this.#closed) return;
    this.#socket.send(reply, to.port, to.address, (error) => {
      if (error) this.#observer.failed?.(error, 'send');
    });
  }

  #answered(form: PdbQuery['form'], outcome: PdbOutcome, started: number): void {
    this.#observer.answered?.({ form, outcome, seconds: (performance.now() - started) / 1000 });
  }

  #lookupFailed(error: unknown): void {
    this.#observer.failed?.(error, 'lookup');
    this.#drop('lookup-failed');
  }

  #drop(reason: PdbDropReason): void {
    this.#observer.dropped?.(reason);
  }
}
