/** Best of several timed runs: on a shared, noisy machine the fastest run is the least disturbed. */
export function bestRate(label: string, operations: number, run: () => number, rounds = 5): number {
  let best = Infinity;
  let sink = 0;
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    sink ^= run();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    best = Math.min(best, seconds);
  }
  const rate = operations / best;
  console.log(`${label.padEnd(52)} ${formatRate(rate).padStart(12)}/s   (checksum ${sink})`);
  return rate;
}

export function formatRate(rate: number): string {
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(2)}M`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(1)}k`;
  return rate.toFixed(1);
}

export function ratio(label: string, ours: number, baseline: number): void {
  console.log(`${label.padEnd(52)} ${(ours / baseline).toFixed(1).padStart(12)}x`);
}

export function target(label: string, ok: boolean): boolean {
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${label}`);
  return ok;
}
