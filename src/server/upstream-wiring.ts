/** How the upstream providers report to the server: metrics, the log, and SIGHUP reloads. */
import type { Log } from '../service/log.js';
import type { Metrics } from '../service/observability/metrics.js';
import type { GatewayHooks } from '../service/upstream/guarded-provider.js';
import type { ServerParts } from './server-parts.js';

interface WarnLog {
  warn(error: Error, message: string): void;
}

/** The gateway's hooks: every call counted, operator trouble counted and logged (no secret, no number). */
export function upstreamHooks(metrics: Metrics, log: WarnLog): GatewayHooks {
  return {
    onCall: (event) => metrics.upstream.recordCall(event),
    onAlert: (alert) => {
      metrics.upstream.alerts.inc({ provider: alert.provider, reason: alert.reason });
      log.warn(new Error(alert.message), `upstream provider ${alert.provider}: ${alert.reason}`);
    },
  };
}

/** SIGHUP: the providers file again; a bad one keeps the providers in use and logs each mistake. */
export async function reloadUpstreamsFile(parts: ServerParts, log: Log): Promise<void> {
  const upstreams = parts.upstreams;
  if (!upstreams?.file) return;
  try {
    const result = await upstreams.reload();
    if (result.ok) log.info({ providers: result.providers }, 'upstream providers file reloaded');
    else
      for (const error of result.errors)
        log.error({ file: upstreams.file }, `upstream providers file not reloaded: ${error}`);
  } catch (error) {
    log.error({ err: error }, 'upstream providers file reload failed');
  }
}
