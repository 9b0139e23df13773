/**
 * The Kamailio pdb endpoint of `mnpd serve` (MNPD_PDB_PORT): answers from the same live data as
 * /carrier, counted in metrics, and billed to one account when MNPD_PDB_ACCOUNT names one.
 */
import { randomUUID } from 'node:crypto';
import { lookupMobile } from '../core/lookup.js';
import { ResultCode } from '../core/result-codes.js';
import { PdbServer, type PdbCharge } from '../pdb/pdb-server.js';
import { nationalMobileOf, pdbCarrierIdOf } from '../pdb/carrier-ids.js';
import type { PdbConfig } from '../service/config.js';
import type { Log } from '../service/log.js';
import type { PdbMetrics } from '../service/observability/pdb-metrics.js';
import { KEY_CACHE_MS } from '../service/queries/key-resolver.js';
import type { LiveSources } from '../service/queries/live-sources.js';
import type { QueryService } from '../service/queries/query-service.js';
import type { Account, Store } from '../store/store.js';

/** Failures are logged at most this often: a switch sends thousands of queries a second. */
const FAILURE_LOG_INTERVAL_MS = 10_000;

export interface PdbEndpointDeps {
  sources: LiveSources;
  query: Pick<QueryService, 'answer'>;
  store: Pick<Store, 'getAccountByName'>;
  metrics: PdbMetrics;
  log: Log;
}

/** The carrier id of a number in international form, from the data live at this moment. */
export function pdbLookup(sources: LiveSources): (number: string) => number {
  return (number) => {
    const national = nationalMobileOf(number);
    return national === undefined ? 0 : pdbCarrierIdOf(lookupMobile(national, sources.current()));
  };
}

/**
 * Bills a found number to the account named `accountName`, as /carrier bills a code-0 answer (a
 * charge and a query-log row, committed before the answer leaves). The account is read again
 * every few seconds, so a topup, a suspension or a new account take effect without a restart.
 */
function pdbCharge(deps: PdbEndpointDeps, accountName: string): PdbCharge {
  let account: Account | undefined;
  let readAt = 0;
  return async ({ number }) => {
    if (Date.now() - readAt > KEY_CACHE_MS) {
      account = await deps.store.getAccountByName(accountName);
      readAt = Date.now();
    }
    if (!account || account.status !== 'active') return false;
    const body = await deps.query.answer({ account, keyId: null }, nationalMobileOf(number), {
      ip: 'pdb',
      maskedIp: 'pdb',
      requestId: randomUUID(),
      idempotencyKey: null,
      ext: false,
      startedAt: performance.now(),
    });
    return body.code === ResultCode.Ok;
  };
}

export async function startPdbEndpoint(config: PdbConfig, deps: PdbEndpointDeps): Promise<PdbServer> {
  const { metrics, log } = deps;
  if (config.account && !(await deps.store.getAccountByName(config.account))) {
    log.warn(
      { account: config.account },
      'MNPD_PDB_ACCOUNT names no account: pdb answers are refused until it exists',
    );
  }
  let failureLoggedAt = 0;
  const server = await PdbServer.start({
    port: config.port,
    host: config.host,
    allowedSources: config.allow,
    lookup: pdbLookup(deps.sources),
    charge: config.account ? pdbCharge(deps, config.account) : undefined,
    observer: {
      answered: ({ form, outcome, seconds }) => {
        metrics.queries.inc({ form, outcome });
        metrics.latency.observe(seconds);
      },
      dropped: (reason) => metrics.dropped.inc({ reason }),
      failed: (error, stage) => {
        if (Date.now() - failureLoggedAt < FAILURE_LOG_INTERVAL_MS) return;
        failureLoggedAt = Date.now();
        log.warn({ err: error, stage }, 'pdb: a query failed (logged at most every 10 s)');
      },
    },
  });
  const { address, port } = server.address;
  log.info(
    { address, port, billedTo: config.account ?? null, allow: config.allow },
    'pdb endpoint listening (udp)',
  );
  return server;
}
