#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../service/config.js';
import { UpstreamsFileError } from '../service/upstream/upstreams.js';
import { StoreError } from '../store/store.js';
import { ServiceError } from '../service/service-error.js';
import { SnapshotError } from '../data/npdb-snapshot.js';
import { FeedGapError, FeedRejectedError } from '../data/ported-feed.js';
import { DataFileError } from '../data/data-file-error.js';
import { CliError } from './cli-error.js';
import { registerAccounts } from './commands/account.js';
import { registerCallbackSecret } from './commands/callback-secret.js';
import { registerData } from './commands/data.js';
import { registerLookup } from './commands/lookup.js';
import { registerServe } from './commands/serve.js';
import { registerUpstream } from './commands/upstream.js';

/** Errors that describe the user's input or files: one line, no stack. */
const USER_ERRORS = [
  DataFileError,
  FeedGapError,
  FeedRejectedError,
  SnapshotError,
  ConfigError,
  StoreError,
  ServiceError,
  UpstreamsFileError,
];

const SYSTEM_ERRORS = new Set(['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL', 'EROFS', 'ENOSPC', 'ECONNREFUSED']);

const program = new Command('mnpd')
  .description('mobile number portability and carrier lookup for Chinese mobile numbers')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerLookup(program);
registerData(program);
registerServe(program);
registerAccounts(program);
registerUpstream(program);
registerCallbackSecret(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed its message already; help and version are not failures.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof CliError) {
    if (error.message) console.error(`mnpd: ${error.message}`);
    process.exitCode = error.exitCode;
  } else if (USER_ERRORS.some((kind) => error instanceof kind)) {
    console.error(`mnpd: ${(error as Error).message}`);
    process.exitCode = 1;
  } else if (SYSTEM_ERRORS.has((error as NodeJS.ErrnoException).code ?? '')) {
    // A port in use, a directory not writable: the user's environment, not a bug.
    console.error(`mnpd: ${(error as Error).message}`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
