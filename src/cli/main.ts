#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { SegmentFileError } from '../data/read-report.js';
import { CliError } from './cli-error.js';
import { registerData } from './commands/data.js';
import { registerLookup } from './commands/lookup.js';

const program = new Command('mnpd')
  .description('mobile number portability and carrier lookup for Chinese mobile numbers')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerLookup(program);
registerData(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed its message already; help and version are not failures.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof CliError || error instanceof SegmentFileError) {
    console.error(`mnpd: ${error.message}`);
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  } else {
    throw error;
  }
}
