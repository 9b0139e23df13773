import type { AnswerCacheStore } from '../../store/store.js';
import { LiveAnswers } from '../queries/live-answers.js';
import { AnswerCache } from './answer-cache.js';
import { loadUpstreamConfig } from './config-file.js';
import type { GatewayHooks, UpstreamAlert } from './guarded-provider.js';
import { UpstreamGateway } from './upstream-gateway.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The providers file could not be used: one line per mistake, naming provider and field. */
export class UpstreamsFileError extends Error {
  constructor(
    readonly file: string,
    readonly errors: string[],
  ) {
    super(`MNPD_UPSTREAMS ${file} is not usable:\n${errors.map((line) => `  ${line}`).join('\n')}`);
    this.name = 'UpstreamsFileError';
  }
}

/** Alerts kept for the console, newest last. */
export const MAX_KEPT_ALERTS = 50;

export type ReloadResult = { ok: true; providers: number } | { ok: false; errors: string[] };

/**
 * The upstream side of one server: the providers file (`MNPD_UPSTREAMS`), the gateway made of it,
 * the answer cache and the policies applied to queries. Without a file there is no gateway and
 * every answer is local, as before.
 */
export class Upstreams {
  readonly cache: AnswerCache;
  readonly live: LiveAnswers;
  readonly alerts: UpstreamAlert[] = [];
  #gateway: UpstreamGateway | undefined;

  private constructor(
    readonly file: string | undefined,
    private readonly env: Env,
    store: AnswerCacheStore,
    private readonly hooks: GatewayHooks,
  ) {
    this.cache = new AnswerCache(store);
    this.live = new LiveAnswers(() => this.#gateway, this.cache);
  }

  /**
   * Reads the providers file, when one is named; UpstreamsFileError (every mistake) when it cannot
   * be used: a server must not start on a file it would half apply.
   */
  static async open(
    file: string | undefined,
    env: Env,
    store: AnswerCacheStore,
    hooks: GatewayHooks = {},
  ): Promise<Upstreams> {
    const upstreams = new Upstreams(file, env, store, hooks);
    if (file === undefined) return upstreams;
    const parsed = await loadUpstreamConfig(file, env);
    if (!parsed.ok) throw new UpstreamsFileError(file, parsed.errors);
    upstreams.#gateway = new UpstreamGateway(parsed.config, { hooks: upstreams.#hooks() });
    return upstreams;
  }

  get gateway(): UpstreamGateway | undefined {
    return this.#gateway;
  }

  /** Starts what runs on its own: the polling of upstream balances. */
  start(): void {
    this.#gateway?.startBalancePolling();
  }

  /**
   * Reads the providers file again (SIGHUP). A file with mistakes changes nothing: the providers
   * in use stay, and the mistakes are returned for the log.
   */
  async reload(): Promise<ReloadResult> {
    if (this.file === undefined) return { ok: false, errors: ['MNPD_UPSTREAMS is not set'] };
    const parsed = await loadUpstreamConfig(this.file, this.env);
    if (!parsed.ok) return { ok: false, errors: parsed.errors };
    if (this.#gateway) await this.#gateway.reload(parsed.config);
    else {
      this.#gateway = new UpstreamGateway(parsed.config, { hooks: this.#hooks() });
      this.#gateway.startBalancePolling();
    }
    return { ok: true, providers: parsed.config.providers.length };
  }

  async close(): Promise<void> {
    await this.#gateway?.close();
  }

  #hooks(): GatewayHooks {
    return {
      ...this.hooks,
      onAlert: (alert) => {
        this.alerts.push(alert);
        if (this.alerts.length > MAX_KEPT_ALERTS) this.alerts.shift();
        this.hooks.onAlert?.(alert);
      },
    };
  }
}
