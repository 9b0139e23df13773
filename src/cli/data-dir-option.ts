import type { Command } from 'commander';

export const DATA_DIR_ENV = 'MNPD_DATA_DIR';
export const DEFAULT_DATA_DIR = './var';

export function addDataDirOption(command: Command): Command {
  return command.option(
    '--data-dir <dir>',
    `data directory (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})`,
  );
}

export function chosenDataDir(options: { dataDir?: string }): string {
  return options.dataDir ?? (process.env[DATA_DIR_ENV] || DEFAULT_DATA_DIR);
}
