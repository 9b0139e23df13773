import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEIJING, FULL_FEED, YICHANG, balanceOf, uniqueName } from '../http/test-support/fixtures.js';
import { KamailioUnderTest, kamailioMissing } from '../pdb/test-support/kamailio.js';
import { cliActor } from '../service/operators/audit.js';
import { type TestServer, startTestServer } from '../test-support/test-server.js';

/**
 * Debian's Kamailio, its pdb module pointed at `mnpd serve` started with MNPD_PDB_PORT (the real
 * start path), billed to an account. Skipped with the reason without Kamailio, except where
 * MNPD_KAMAILIO_REQUIRED=1 (CI), where that fails instead.
 */
const missing = kamailioMissing();
if (missing) {
  if (process.env.MNPD_KAMAILIO_REQUIRED === '1') throw new Error(`Kamailio is required here: ${missing}`);
  console.log(`kamailio against mnpd serve: skipped: ${missing}`);
}

describe.skipIf(missing)('Kamailio asking mnpd serve', () => {
  const account = uniqueName('switch');
  let server: TestServer;
  let kamailio: KamailioUnderTest;
  let apikey: string;

  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      MNPD_PDB_PORT: '0',
      MNPD_PDB_HOST: '127.0.0.1',
      MNPD_PDB_ALLOW: '127.0.0.1/32',
      MNPD_PDB_ACCOUNT: account,
    });
    ({ apikey } = await server.account({ name: account, balance: 10 }));
    kamailio = await KamailioUnderTest.start(server.server.pdb!.address.port);
  });
  afterAll(async () => {
    await kamailio?.stop();
    await server?.close();
  });

  it('puts the carrier id of the live data into the SIP reply, and follows an import without a restart', async () => {
    expect(await kamailio.carrierOf(`86${YICHANG}`)).toBe('1');
    expect(await kamailio.carrierOf('8617000001234')).toBe('13');
    const feed = join(server.dataDir, 'full.csv');
    writeFileSync(feed, FULL_FEED);
    await server.server.deps.portability.importFile(cliActor(), 'cli', {
      path: feed,
      fileName: 'full.csv',
      kind: 'full',
      skipInvalid: false,
    });
    expect(await kamailio.carrierOf(`86${YICHANG}`)).toBe('2');
    expect(await kamailio.carrierOf(`86${BEIJING}`)).toBe('3');
    // Not a number of the data: "not found" (0 before Kamailio 5.8, -1 after), not a timeout.
    expect(['0', '-1']).toContain(await kamailio.carrierOf('8615400000000'));
    // Four found answers, each billed once to MNPD_PDB_ACCOUNT.
    expect(await balanceOf(server, apikey)).toBe('6');
  });
});
