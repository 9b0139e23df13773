import type { Command } from 'commander';
import type { SegmentFileRead } from '../data/phone-dat.js';
import { loadSegments } from '../data/segment-source.js';

export const SEGMENTS_ENV = 'MNPD_SEGMENTS';

export function addSegmentsOption(command: Command): Command {
  return command.option(
    '--segments <file>',
    `segment database, phone.dat or CSV (default: $${SEGMENTS_ENV}, else the embedded default)`,
  );
}

/** The segment file the user chose by flag or environment, or the embedded default. */
export function loadChosenSegments(options: { segments?: string }): Promise<SegmentFileRead> {
  return loadSegments(options.segments ?? process.env[SEGMENTS_ENV]);
}
