/**
 * A results file is the same whichever door wrote it: `mnpd lookup --file` beside a server gives
 * the columns and rows the console's batch results give for the same numbers and data.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { RESULT_COLUMNS } from '../src/core/result-columns.js';
import { loggedInCustomer } from '../src/http/console/test-support/console-users.js';
import { serverForThisFile } from '../src/test-support/test-server.js';
import type { BatchView } from '../src/wire/console-api.js';
import { runCli } from './run-cli.js';

const NUMBERS = [
  '13972565391',
  '+86 186 0000 0000',
  '15400000000',
  '1380013',
  '=1+1',
  '@SUM(1+1)',
  '-2+3',
  '17000001234',
];

async function consoleResults(server: ReturnType<typeof serverForThisFile>): Promise<string[][]> {
  const { client } = await loggedInCustomer(server, { balance: 100 });
  const draft = (
    await client.postFile('/me/batches', 'file', 'numbers.txt', NUMBERS.join('\n'))
  ).json<BatchView>();
  expect((await client.post(`/me/batches/${draft.id}/start`)).status).toBe(200);
  for (
    let tries = 0;
    (await client.get(`/me/batches/${draft.id}`)).json<BatchView>().status !== 'done';
    tries++
  ) {
    if (tries > 1000) throw new Error('the batch job did not finish');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const csv = (await client.get(`/me/batches/${draft.id}/results.csv`)).text();
  return parse(csv.replace(/^\uFEFF/, '')) as string[][];
}

describe('results files', () => {
  const server = serverForThisFile();

  it('have the same columns and rows from the CLI as from the console', async () => {
    const fromConsole = await consoleResults(server);
    const input = join(server.dataDir, 'numbers.txt');
    const output = join(server.dataDir, 'results.csv');
    writeFileSync(input, NUMBERS.join('\n'));
    const run = await runCli([
      'lookup',
      '--segments',
      join(server.dataDir, 'segments.csv'),
      '--data-dir',
      server.dataDir,
      '--file',
      input,
      '--out',
      output,
    ]);
    expect(run.status, run.stderr).toBe(0);
    const fromCli = parse(readFileSync(output, 'utf8')) as string[][];
    expect(fromCli[0]).toEqual([...RESULT_COLUMNS]);
    expect(fromCli).toEqual(fromConsole);
    // A formula is shown as text by a spreadsheet, whichever door wrote the file.
    expect(fromCli.find((row) => row[0].includes('=1+1'))?.[0]).toBe("'=1+1");
    expect(fromCli.find((row) => row[0].includes('SUM'))?.[0]).toBe("'@SUM(1+1)");
    expect(fromCli.find((row) => row[0].includes('2+3'))?.[0]).toBe("'-2+3");
  });
});
