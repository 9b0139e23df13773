import type { Command } from 'commander';
import { maskMobile, parseMobile } from '../../core/mobile-number.js';
import { createProvider } from '../../service/upstream/create-provider.js';
import { loadUpstreamConfig } from '../../service/upstream/config-file.js';
import type { UpstreamConfig } from '../../service/upstream/config.js';
import { UpstreamGateway } from '../../service/upstream/upstream-gateway.js';
import { CliError } from '../cli-error.js';
import { addStoreOptions, withStore } from '../store-option.js';

/** The providers file the server reads: MNPD_UPSTREAMS, or --file. */
async function providersFile(options: { file?: string }): Promise<UpstreamConfig> {
  const file = options.file ?? process.env.MNPD_UPSTREAMS;
  if (!file) throw new CliError('no providers file: set MNPD_UPSTREAMS or give --file');
  const parsed = await loadUpstreamConfig(file, process.env);
  if (!parsed.ok)
    throw new CliError(`${file} is not usable:\n${parsed.errors.map((e) => `  ${e}`).join('\n')}`);
  return parsed.config;
}

function mobileArgument(text: string): string {
  const parsed = parseMobile(text);
  if (!parsed.ok) throw new CliError(`${text} is not an 11-digit mobile number`);
  return parsed.mobile;
}

/** `mnpd upstream stats|test|forget`: the providers file, the shared answer cache, a test call. */
export function registerUpstream(program: Command): void {
  const upstream = program
    .command('upstream')
    .description('upstream MNP providers (MNPD_UPSTREAMS) and the answer cache');

  addStoreOptions(
    upstream
      .command('stats')
      .description('the providers file, each provider’s balance where it tells, and the answer cache')
      .option('--file <path>', 'the providers file (default: MNPD_UPSTREAMS)'),
  ).action(async (options: { file?: string; dataDir?: string }) => {
    const config = await providersFile(options);
    const gateway = new UpstreamGateway(config);
    try {
      await gateway.checkBalances();
      const balances = new Map(gateway.stats().providers.map((p) => [p.name, p.balance]));
      const cached = await withStore(options, (store) => store.cachedAnswerCount());
      console.log(
        JSON.stringify(
          {
            policy: config.policy,
            cacheTtlMs: config.cacheTtlMs,
            onFailure: config.onFailure,
            cachedNumbers: cached,
            providers: gateway.describe().map((provider) => ({
              ...provider,
              balance: balances.get(provider.name) ?? null,
            })),
          },
          null,
          2,
        ),
      );
    } finally {
      await gateway.close();
    }
  });

  upstream
    .command('test')
    .description(
      'asks one provider about one number now, and prints what it said (nothing is charged or cached)',
    )
    .argument('<name>', 'the provider’s name in the file')
    .argument('<number>', 'a mobile number')
    .option('--file <path>', 'the providers file (default: MNPD_UPSTREAMS)')
    .action(async (name: string, number: string, options: { file?: string }) => {
      const mobile = mobileArgument(number);
      const config = await providersFile(options);
      const settings = config.providers.find((provider) => provider.name === name);
      if (!settings)
        throw new CliError(
          `no provider ${name} in the file (it has ${config.providers.map((p) => p.name).join(', ') || 'none'})`,
        );
      const provider = createProvider(settings);
      const started = performance.now();
      try {
        const outcome = await provider.ask(mobile, AbortSignal.timeout(settings.timeoutMs));
        const latencyMs = Math.round(performance.now() - started);
        console.log(JSON.stringify({ provider: name, mobile: maskMobile(mobile), latencyMs, ...outcome }));
        if (outcome.kind !== 'answer' && outcome.kind !== 'not-found') process.exitCode = 1;
      } finally {
        await provider.close();
      }
    });

  addStoreOptions(
    upstream
      .command('forget')
      .description('drops a number’s cached upstream answer (servers forget it within a minute)')
      .argument('<number>', 'a mobile number'),
  ).action(async (number: string, options: { dataDir?: string }) => {
    const mobile = mobileArgument(number);
    const forgotten = await withStore(options, (store) => store.forgetCachedAnswer(mobile));
    console.log(forgotten ? `forgot ${maskMobile(mobile)}` : `${maskMobile(mobile)} had no cached answer`);
  });
}
