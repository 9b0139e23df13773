/**
 * The chaos suite (`npm run test:chaos`): the attacks of an outside test, made repeatable. Each
 * scenario starts real `mnpd serve` processes from the build, does harm to them, prints what it
 * tried and what it found, and adds its row to one table: probes tried, 5xx, crashes, lost and
 * double charges. Every figure but the probes must be 0. The table is printed at the end and
 * written to MNPD_CHAOS_REPORT (default chaos-report.md), for the README's reliability section.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { availableEngines } from '../../src/test-support/test-databases.js';
import { badInput } from './bad-input.js';
import { uploadBombs } from './bombs.js';
import { diskFull } from './disk-full.js';
import { pgCut } from './pg-cut.js';
import { pgNodesAtOnce } from './pg-nodes.js';
import { sigkillUnderLoad } from './sigkill.js';
import { type ScenarioTally, recordTally, tallies, writeTable } from './tally.js';

const REPORT = process.env.MNPD_CHAOS_REPORT || 'chaos-report.md';

function expectClean(tally: ScenarioTally, problems: string[]): void {
  recordTally(tally);
  expect(problems, problems.join('\n')).toEqual([]);
  expect({ ...tally, probes: undefined }).toMatchObject({
    serverErrors: 0,
    crashes: 0,
    lostCharges: 0,
    doubleCharges: 0,
  });
  if (!tally.skipped) expect(tally.probes).toBeGreaterThan(0);
}

describe.sequential('chaos', () => {
  afterAll(() => {
    const table = writeTable(REPORT, tallies);
    console.log(`chaos: the table (also in ${REPORT}):\n${table}`);
  });

  it('PostgreSQL cut under load: the node lives, is not ready while away, recovers, bills exactly', async () => {
    const { tally, problems } = await pgCut();
    expectClean(tally, problems);
  });

  for (const engine of availableEngines('chaos: SIGKILL under load')) {
    it(`SIGKILL under load three times (${engine}): every answer charged, nothing twice`, async () => {
      const { tally, problems } = await sigkillUnderLoad(engine);
      expectClean(tally, problems);
    });
  }

  it('disk full: charged queries -8 uncharged, not ready, recovers when space is freed', async () => {
    const { tally, problems } = await diskFull();
    expectClean(tally, problems);
  });

  for (const count of [2, 3]) {
    it(`${count} PostgreSQL nodes started at once on an empty store: exactly 300 of 1,000 charged`, async () => {
      const { tally, problems } = await pgNodesAtOnce(count);
      expectClean(tally, problems);
    });
  }

  it('bad input, corpus and fuzzer: no 5xx, no crash, no charge without its answer, nothing secret logged', async () => {
    const { tally, problems } = await badInput();
    expectClean(tally, problems);
  });

  it('xlsx and CSV bombs at once under a memory bound: no crash, clear refusals', async () => {
    const { tally, problems } = await uploadBombs();
    expectClean(tally, problems);
  });

  it('the table shows no 5xx, no crash, no lost or double charge', () => {
    expect(tallies.length).toBeGreaterThan(0);
    const total = tallies.reduce(
      (sum, row) => sum + row.serverErrors + row.crashes + row.lostCharges + row.doubleCharges,
      0,
    );
    expect(total).toBe(0);
  });
});
