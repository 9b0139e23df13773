import { writeFileSync } from 'node:fs';

/** What one scenario counted; every figure but `probes` must be 0. */
export interface ScenarioTally {
  scenario: string;
  /** Requests sent, uploads made, faults caused: everything the scenario tried. */
  probes: number;
  /** Answers with an HTTP status of 500 or more that the scenario did not cause on purpose. */
  serverErrors: number;
  /** mnpd processes that ended without being told to. */
  crashes: number;
  /** Code-0 answers a client received that the ledger does not charge. */
  lostCharges: number;
  /**
   * Charges beyond the answers received: a request charged twice, or charged though no code-0
   * answer reached its client and it was not cut in flight by the fault itself.
   */
  doubleCharges: number;
  /** Skipped, and why (the row still shows). */
  skipped?: string;
}

export function emptyTally(scenario: string): ScenarioTally {
  return { scenario, probes: 0, serverErrors: 0, crashes: 0, lostCharges: 0, doubleCharges: 0 };
}

/** The tallies of every scenario run, in their order. */
export const tallies: ScenarioTally[] = [];

export function recordTally(tally: ScenarioTally): void {
  tallies.push(tally);
  console.log(
    `chaos: ${tally.scenario}: ${tally.skipped ? `skipped (${tally.skipped})` : ''}` +
      `${tally.probes} probes, ${tally.serverErrors} 5xx, ${tally.crashes} crashes, ` +
      `${tally.lostCharges} lost charges, ${tally.doubleCharges} double charges`,
  );
}

const number = (value: number) => value.toLocaleString('en-US');

/** The suite's one table, as Markdown (the README's reliability section shows it). */
export function renderTable(rows: ScenarioTally[]): string {
  const lines = [
    '| scenario | probes tried | 5xx | crashes | lost charges | double charges |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  const total = emptyTally('**total**');
  for (const row of rows) {
    const name = row.skipped ? `${row.scenario} (skipped: ${row.skipped})` : row.scenario;
    lines.push(
      `| ${name} | ${number(row.probes)} | ${row.serverErrors} | ${row.crashes} | ${row.lostCharges} | ${row.doubleCharges} |`,
    );
    total.probes += row.probes;
    total.serverErrors += row.serverErrors;
    total.crashes += row.crashes;
    total.lostCharges += row.lostCharges;
    total.doubleCharges += row.doubleCharges;
  }
  lines.push(
    `| ${total.scenario} | ${number(total.probes)} | ${total.serverErrors} | ${total.crashes} | ${total.lostCharges} | ${total.doubleCharges} |`,
  );
  return `${lines.join('\n')}\n`;
}

export function writeTable(file: string, rows: ScenarioTally[]): string {
  const table = renderTable(rows);
  writeFileSync(file, table);
  return table;
}
