/**
 * Paying clients under load, and what they received: every request carries its own requestId, so
 * the store's query log can be compared with the answers one by one.
 */
import http from 'node:http';

export interface CarrierReply {
  status: number;
  code: number;
  mobile?: string;
}

/** One GET /carrier on a keep-alive agent; rejects when no whole answer arrives. */
export function getCarrier(agent: http.Agent, port: number, query: string): Promise<CarrierReply> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: `/carrier?${query}`, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            code: number;
            result?: { Mobile?: string };
          };
          resolve({ status: response.statusCode ?? 0, code: body.code, mobile: body.result?.Mobile });
        } catch (error) {
          reject(error as Error);
        }
      });
    });
    request.setTimeout(10_000, () => request.destroy(new Error('no answer within 10 s')));
    request.on('error', reject);
  });
}

/** A charged number, except every tenth (no segment, -4) and every tenth (too short, -2). */
export function mobileFor(i: number): string {
  if (i % 10 === 8) return '15400000000';
  if (i % 10 === 9) return '1397256';
  return `1397256${String(i % 10_000).padStart(4, '0')}`;
}

export interface LoadOutcome {
  /** requestId → number sent. */
  sent: Map<string, string>;
  /** requestId → Mobile of every code-0 answer read whole. */
  answered: Map<string, string>;
  /** requestId → code of every other answer. */
  refused: Map<string, number>;
  /** Requests that got no whole answer (a refused connection, a cut one). */
  failed: number;
  /** Answers with HTTP ≥ 500, but for the documented overload (-8, 503, Retry-After). */
  serverErrors: number;
  /** requestIds in flight at a fault the scenario caused: their charge may stand unanswered. */
  inFlightAtFault: Set<string>;
}

export function emptyOutcome(): LoadOutcome {
  return {
    sent: new Map(),
    answered: new Map(),
    refused: new Map(),
    failed: 0,
    serverErrors: 0,
    inFlightAtFault: new Set(),
  };
}

export interface Load {
  outcome: LoadOutcome;
  /** Marks every request in flight now as cut by a fault. */
  fault(): void;
  /** Stops sending; resolves when every client has its last answer. */
  stop(): Promise<void>;
  /** Resolves once `maxRequests` are sent and answered (or failed). */
  finished(): Promise<void>;
  /** Resolves when this many code-0 answers have arrived since the call. */
  answersReach(count: number): Promise<void>;
}

/**
 * `clients` concurrent clients sending /carrier requests with fresh requestIds to `ports` in turn
 * until stopped or `maxRequests` are sent. A failed request is not retried; the client waits a
 * little (a node may be down) and goes on.
 */
export function startLoad(options: {
  ports: () => number[];
  apikey: string;
  runId: string;
  clients: number;
  maxRequests?: number;
  outcome?: LoadOutcome;
  mobile?: (i: number) => string;
}): Load {
  const outcome = options.outcome ?? emptyOutcome();
  const mobile = options.mobile ?? mobileFor;
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.clients });
  const pending = new Set<string>();
  const waiters: { target: number; resolve: () => void }[] = [];
  let stopped = false;
  let next = 0;
  const client = async () => {
    while (!stopped && next < (options.maxRequests ?? Infinity)) {
      const i = next++;
      const requestId = `${options.runId}-${i}`;
      const number = mobile(i);
      const ports = options.ports();
      const port = ports[i % ports.length];
      outcome.sent.set(requestId, number);
      pending.add(requestId);
      try {
        const reply = await getCarrier(
          agent,
          port,
          new URLSearchParams({ apikey: options.apikey, mobile: number, requestId }).toString(),
        );
        if (reply.status >= 500 && !(reply.status === 503 && reply.code === -8)) outcome.serverErrors++;
        if (reply.code === 0) outcome.answered.set(requestId, reply.mobile ?? '');
        else outcome.refused.set(requestId, reply.code);
        for (const waiter of waiters.splice(0)) {
          if (outcome.answered.size >= waiter.target) waiter.resolve();
          else waiters.push(waiter);
        }
      } catch {
        outcome.failed++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      } finally {
        pending.delete(requestId);
      }
    }
  };
  const running = Promise.all(Array.from({ length: options.clients }, client));
  return {
    outcome,
    fault: () => pending.forEach((requestId) => outcome.inFlightAtFault.add(requestId)),
    stop: async () => {
      stopped = true;
      await running;
      agent.destroy();
    },
    finished: async () => {
      await running;
      agent.destroy();
    },
    answersReach: (count) =>
      new Promise((resolve) => {
        const target = outcome.answered.size + count;
        waiters.push({ target, resolve });
      }),
  };
}
