import { SingleBar } from 'cli-progress';
import type { ApplyProgress } from '../data/ported-apply-worker.js';

/** A progress bar on standard error for long data work; nothing when stderr is not a terminal. */
export function phaseProgress(): { update: (progress: ApplyProgress) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    stream: process.stderr,
    format: '{phase} [{bar}] {percentage}%',
    hideCursor: true,
  });
  bar.start(1, 0, { phase: 'starting'.padEnd(16) });
  return {
    update: ({ phase, done, total }) => bar.update(total > 0 ? done / total : 0, { phase: phase.padEnd(16) }),
    stop: () => bar.stop(),
  };
}
