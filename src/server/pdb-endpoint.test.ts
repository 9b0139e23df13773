import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FULL_FEED, YICHANG, BEIJING, balanceOf, uniqueName } from '../http/test-support/fixtures.js';
import { get } from '../http/test-support/http-client.js';
import { PdbCarrierId } from '../pdb/carrier-ids.js';
import { PDB_CODE_NOT_FOUND, PDB_CODE_OK, encodePdbRequest } from '../pdb/pdb-protocol.js';
import { PdbTestClient } from '../pdb/test-support/pdb-client.js';
import { cliActor } from '../service/operators/audit.js';
import { type TestServer, startTestServer } from '../test-support/test-server.js';

/** `mnpd serve` with MNPD_PDB_PORT: the pdb endpoint of the real server start path. */
const PDB_ENV = { MNPD_PDB_PORT: '0', MNPD_PDB_HOST: '127.0.0.1' };
const international = (national: string) => `86${national}`;

let server: TestServer | undefined;
let client: PdbTestClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = server = undefined;
});

async function start(env: Record<string, string> = {}) {
  server = await startTestServer('sqlite', { ...PDB_ENV, ...env });
  client = await PdbTestClient.connect(server.server.pdb!.address.port);
  return { server, client };
}

const ask = (national: string, id = 1) => client!.ask(encodePdbRequest(international(national), id));

async function metric(name: string): Promise<string[]> {
  const text = (await get(server!.url, '/metrics')).text;
  return text.split('\n').filter((line) => line.startsWith(name));
}

describe('the pdb endpoint of mnpd serve', () => {
  it('is off unless MNPD_PDB_PORT is set', async () => {
    server = await startTestServer('sqlite');
    expect(server.server.pdb).toBeUndefined();
  });

  it('answers from the live data: a portability import changes answers without a restart', async () => {
    const { server } = await start();
    expect(await ask(YICHANG)).toMatchObject({ code: PDB_CODE_OK, carrierId: PdbCarrierId.Mobile });
    expect(await ask('17000000001')).toMatchObject({ carrierId: PdbCarrierId.TelecomVirtual });
    expect(await ask('15400000000')).toMatchObject({ code: PDB_CODE_NOT_FOUND }); // a block with no data: not found
    const feed = join(server.dataDir, 'full.csv');
    writeFileSync(feed, FULL_FEED);
    await server.server.deps.portability.importFile(cliActor(), 'cli', {
      path: feed,
      fileName: 'full.csv',
      kind: 'full',
      skipInvalid: false,
    });
    // 宜昌 moved to 联通, 北京 to 电信, as /carrier now says too.
    expect(await ask(YICHANG)).toMatchObject({ carrierId: PdbCarrierId.Unicom });
    expect(await ask(BEIJING)).toMatchObject({ carrierId: PdbCarrierId.Telecom });
    expect(await metric('mnpd_pdb_queries_total{form="v1",outcome="found"}')).toEqual([
      'mnpd_pdb_queries_total{form="v1",outcome="found"} 4',
    ]);
    expect(await metric('mnpd_pdb_queries_total{form="v1",outcome="not-found"}')).toEqual([
      'mnpd_pdb_queries_total{form="v1",outcome="not-found"} 1',
    ]);
  });

  it('charges nothing by default', async () => {
    const { server } = await start();
    const { apikey } = await server.account({ name: uniqueName('sw'), balance: 5 });
    for (let i = 0; i < 5; i++) expect(await ask(YICHANG, i)).toMatchObject({ carrierId: 1 });
    expect(await balanceOf(server, apikey)).toBe('5');
  });

  it('bills each found number to MNPD_PDB_ACCOUNT exactly, and answers "not found" once it is out of balance', async () => {
    const name = uniqueName('switch');
    const { server } = await start({ MNPD_PDB_ACCOUNT: name });
    const { account, apikey } = await server.account({ name, balance: 3 });
    expect(await ask(YICHANG, 1)).toMatchObject({ carrierId: PdbCarrierId.Mobile });
    expect(await ask('15400000000', 2)).toMatchObject({ code: PDB_CODE_NOT_FOUND }); // not found: not charged
    expect(await ask(BEIJING, 3)).toMatchObject({ carrierId: PdbCarrierId.Mobile });
    expect(await ask(YICHANG, 4)).toMatchObject({ carrierId: PdbCarrierId.Mobile });
    expect(await ask(YICHANG, 5)).toMatchObject({ code: PDB_CODE_NOT_FOUND }); // balance 0: refused
    expect(await balanceOf(server, apikey)).toBe('0');
    expect(await server.server.deps.store.ledgerSum(account.id)).toBe(0);
    const rows = (await server.server.deps.store.queryLog(account.id, { limit: 100 })).rows;
    expect(rows.filter((row) => row.code === 0)).toHaveLength(3);
    expect(await metric('mnpd_pdb_queries_total{form="v1",outcome="refused"}')).toEqual([
      'mnpd_pdb_queries_total{form="v1",outcome="refused"} 1',
    ]);
  });

  it('leaves sources outside MNPD_PDB_ALLOW without an answer, counted', async () => {
    await start({ MNPD_PDB_ALLOW: '10.0.0.0/8' });
    client!.send(encodePdbRequest(international(YICHANG), 9));
    expect(await client!.next(300)).toBeUndefined();
    expect(await metric('mnpd_pdb_dropped_total{reason="forbidden-source"}')).toEqual([
      'mnpd_pdb_dropped_total{reason="forbidden-source"} 1',
    ]);
  });

  it('stops the start on a bad MNPD_PDB_ALLOW, with the entry it could not read', async () => {
    await expect(startTestServer('sqlite', { ...PDB_ENV, MNPD_PDB_ALLOW: '10.1/8' })).rejects.toThrow(
      /"10.1\/8" is not an IP address or CIDR/,
    );
  });
});
