import type { Command } from 'commander';
import { configFromEnv } from '../../service/config.js';
import { startServer } from '../../server/start-server.js';

/** `mnpd serve`: the HTTP API on its configured ports until SIGTERM or SIGINT. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP API (settings from MNPD_* environment variables and DATABASE_URL)')
    .action(async () => {
      const server = await startServer(configFromEnv());
      const { demoApikey, demoPassword, operator } = server.firstStart ?? {};
      if (demoApikey || operator) {
        const base = server.url.replace('0.0.0.0', '127.0.0.1');
        // Shown once on the console, never logged: only hashes are stored.
        console.log(
          [
            '',
            'mnpd: first start, created:',
            ...(demoApikey ? [`  demo account apikey: ${demoApikey}   (100 queries)`] : []),
            ...(demoPassword ? [`  demo console login:  demo / ${demoPassword}`] : []),
            ...(operator ? [`  operator login:      ${operator.username} / ${operator.password}`] : []),
            `  web console:         ${base}/console/`,
            ...(demoApikey ? [`  try: curl '${base}/carrier?apikey=${demoApikey}&mobile=13972565391'`] : []),
            '',
          ].join('\n'),
        );
      }
      process.on('SIGHUP', () => {
        void server.reloadUpstreams();
        server.deps.portability.reload().then(
          ({ state }) =>
            server.app.log.info(
              { version: state.meta.dataVersion, count: state.index.size },
              'portability data reloaded',
            ),
          (error: Error) => server.app.log.error({ err: error }, 'portability reload failed'),
        );
      });
      const stop = (signal: string) => {
        server.app.log.info({ signal }, 'shutting down');
        server.close().then(
          () => process.exit(0),
          (error: Error) => {
            server.app.log.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
