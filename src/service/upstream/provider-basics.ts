import type { CommonProviderConfig, ProviderConfig } from './config.js';
import type { ProviderDescription } from './provider.js';
import { UpstreamHttp } from './upstream-http.js';

/** The connection pool a provider's calls go through, as wide and as patient as its config says. */
export function providerHttp(base: string, config: CommonProviderConfig): UpstreamHttp {
  return new UpstreamHttp(base, {
    connections: config.maxConcurrency,
    ca: config.ca,
    timeoutMs: config.timeoutMs,
  });
}

/** What every provider shows of itself; only where its secrets came from, never their values. */
export function describeProvider(
  config: ProviderConfig,
  url: string,
  credentials: ProviderDescription['credentials'],
  settings: ProviderDescription['settings'],
): ProviderDescription {
  return {
    name: config.name,
    kind: config.kind,
    url,
    timeoutMs: config.timeoutMs,
    costFen: config.costFen,
    maxQps: config.maxQps,
    maxConcurrency: config.maxConcurrency,
    credentials,
    settings,
  };
}
