import type { FastifyInstance } from 'fastify';
import type { AuditEntry } from '../../../store/store.js';
import type { AuditRow, SystemView } from '../../../wire/console-api.js';
import type { AppDeps } from '../../app-deps.js';
import { requireOperator } from '../guards.js';
import { DAY_MS, chinaDayStart } from '../../../service/accounts/usage-series.js';
import { pageQuery } from '../request-input.js';

/** Accounts listed as today's busiest. */
const TOP_ACCOUNTS = 10;

function auditView(entry: AuditEntry): AuditRow {
  let details: unknown;
  try {
    details = JSON.parse(entry.details);
  } catch {
    // Written by audit() as JSON; anything else is shown as it is rather than failing the page.
    details = entry.details;
  }
  return {
    id: entry.id,
    at: entry.at.toISOString(),
    operator: entry.operator,
    action: entry.action,
    target: entry.target,
    details,
    ip: entry.ip,
  };
}

/** The operator's system page (this node's live traffic, today's busiest accounts) and the audit log. */
export function adminSystemRoutes(
  app: FastifyInstance,
  deps: Pick<AppDeps, 'store' | 'traffic' | 'portability' | 'sources'>,
): void {
  app.get('/admin/system', async (request): Promise<SystemView> => {
    requireOperator(request);
    const today = chinaDayStart(new Date());
    const [topAccounts, accounts] = await Promise.all([
      deps.store.topAccounts(today, new Date(today.getTime() + DAY_MS), TOP_ACCOUNTS),
      deps.store.listAccounts(),
    ]);
    return {
      traffic: deps.traffic.summary(),
      topAccounts,
      totals: {
        accounts: accounts.length,
        ported: deps.portability.state.index.size,
        segments: deps.sources.segments.size,
      },
    };
  });

  app.get('/admin/audit', async (request) => {
    requireOperator(request);
    const { rows, next } = await deps.store.auditLog(pageQuery(request.query));
    return { rows: rows.map(auditView), next };
  });
}
