import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdbCarrierId } from './carrier-ids.js';
import { type PdbOutcome, PdbServer } from './pdb-server.js';
import { KamailioUnderTest, kamailioMissing } from './test-support/kamailio.js';

/**
 * The pdb endpoint against its real client: Kamailio's pdb module asks it for the user part of
 * each SIP request and puts the answer in a reply header. Skipped with the reason when Kamailio
 * is not installed, except where MNPD_KAMAILIO_REQUIRED=1 (CI), where that fails instead.
 */
const missing = kamailioMissing();
if (missing) {
  if (process.env.MNPD_KAMAILIO_REQUIRED === '1') throw new Error(`Kamailio is required here: ${missing}`);
  console.log(`kamailio pdb: skipped: ${missing}`);
}

const PORTED = '8613972565391';
const VIRTUAL = '8617000001234';
const UNKNOWN = '8613999990000';

describe.skipIf(missing)('Kamailio asking the pdb endpoint', () => {
  const table = new Map<string, number>([
    [PORTED, PdbCarrierId.Telecom],
    [VIRTUAL, PdbCarrierId.MobileVirtual],
  ]);
  const answered: { form: string; outcome: PdbOutcome }[] = [];
  let server: PdbServer;
  let kamailio: KamailioUnderTest;

  beforeAll(async () => {
    server = await PdbServer.start({
      port: 0,
      host: '127.0.0.1',
      allowedSources: ['127.0.0.1/32'],
      lookup: (number) => table.get(number) ?? PdbCarrierId.NotFound,
      observer: { answered: ({ form, outcome }) => answered.push({ form, outcome }) },
    });
    kamailio = await KamailioUnderTest.start(server.address.port);
  });
  afterAll(async () => {
    await kamailio?.stop();
    await server?.close();
  });

  it('puts the carrier id of a number into the SIP reply', async () => {
    answered.length = 0;
    expect(await kamailio.carrierOf(PORTED)).toBe('3');
    expect(await kamailio.carrierOf(VIRTUAL)).toBe('11');
    // Kamailio's protocol version 1, as its pdb module speaks it.
    expect(answered).toEqual([
      { form: 'v1', outcome: 'found' },
      { form: 'v1', outcome: 'found' },
    ]);
  });

  it('tells a number it does not know apart from no answer', async () => {
    // Kamailio before 5.8 stores "not found" as 0, later versions as -1; either way not a timeout.
    expect(['0', '-1']).toContain(await kamailio.carrierOf(UNKNOWN));
  });

  it('answers from the data of the moment, without a restart of either side', async () => {
    table.set(PORTED, PdbCarrierId.Unicom);
    table.set(UNKNOWN, PdbCarrierId.Broadnet);
    expect(await kamailio.carrierOf(PORTED)).toBe('2');
    expect(await kamailio.carrierOf(UNKNOWN)).toBe('4');
  });
});
