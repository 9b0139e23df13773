import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { PdbCarrierId } from './carrier-ids.js';
import { PDB_CODE_NOT_FOUND, PDB_CODE_NOT_NUMBER, PDB_CODE_OK, encodePdbRequest } from './pdb-protocol.js';
import { type PdbDropReason, type PdbOutcome, PdbServer, type PdbServerOptions } from './pdb-server.js';
import { PdbTestClient } from './test-support/pdb-client.js';

const PORTED = '8613972565391';
const VIRTUAL = '8617000001234';
const UNKNOWN = '8613999990000';

let server: PdbServer | undefined;
let client: PdbTestClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = server = undefined;
});

/** A server on a loopback port answering from `table`, and what its hooks saw. */
async function start(table: Map<string, number>, options: Partial<PdbServerOptions> = {}) {
  const seen = {
    answered: [] as [string, PdbOutcome][],
    dropped: [] as PdbDropReason[],
    failed: [] as string[],
  };
  server = await PdbServer.start({
    port: 0,
    host: '127.0.0.1',
    lookup: (number) => table.get(number) ?? PdbCarrierId.NotFound,
    observer: {
      answered: ({ form, outcome, seconds }) => {
        expect(seconds).toBeGreaterThanOrEqual(0);
        seen.answered.push([form, outcome]);
      },
      dropped: (reason) => seen.dropped.push(reason),
      failed: (_error, stage) => seen.failed.push(stage),
    },
    ...options,
  });
  client = await PdbTestClient.connect(server.address.port);
  return { client, seen };
}

const legacy = (number: string) => Buffer.from(`${number}\0`, 'latin1');

describe('the pdb server', () => {
  it('answers both forms from the lookup, and follows its data without a restart', async () => {
    const table = new Map<string, number>([[PORTED, PdbCarrierId.Telecom]]);
    const { client, seen } = await start(table);
    expect(await client.ask(encodePdbRequest(PORTED, 41))).toEqual({
      form: 'v1',
      id: 41,
      code: PDB_CODE_OK,
      number: PORTED,
      carrierId: PdbCarrierId.Telecom,
    });
    expect(await client.ask(legacy(PORTED))).toEqual({ form: 'legacy', number: PORTED, carrierId: 3 });
    expect(await client.ask(encodePdbRequest(VIRTUAL, 42))).toEqual({
      form: 'v1',
      id: 42,
      code: PDB_CODE_NOT_FOUND,
    });
    expect(await client.ask(legacy(VIRTUAL))).toEqual({ form: 'legacy', number: VIRTUAL, carrierId: 0 });

    table.set(VIRTUAL, PdbCarrierId.MobileVirtual);
    table.set(PORTED, PdbCarrierId.Unicom);
    expect(await client.ask(encodePdbRequest(VIRTUAL, 43))).toMatchObject({ carrierId: 11 });
    expect(await client.ask(legacy(PORTED))).toMatchObject({ carrierId: 2 });
    expect(seen.answered).toEqual([
      ['v1', 'found'],
      ['legacy', 'found'],
      ['v1', 'not-found'],
      ['legacy', 'not-found'],
      ['v1', 'found'],
      ['legacy', 'found'],
    ]);
  });

  it('answers "not a number" to a whole version-1 request without one, and drops what it cannot read', async () => {
    const { client, seen } = await start(new Map([[PORTED, 1]]));
    expect(await client.ask(Buffer.from('\x01\x00\x00\x0e\x00\x05+861390\0', 'latin1'))).toEqual({
      form: 'v1',
      id: 5,
      code: PDB_CODE_NOT_NUMBER,
    });
    for (const packet of [Buffer.from([1, 0, 0]), Buffer.from('x8613972565391\0'), Buffer.alloc(300, 0x38)]) {
      client.send(packet);
    }
    // Loopback keeps the order: the first answer after the dropped packets is this query's.
    expect(await client.ask(legacy(PORTED))).toMatchObject({ number: PORTED, carrierId: 1 });
    expect(seen.dropped).toEqual(['short-header', 'unknown-version', 'oversize']);
  });

  it('drops queries from sources outside its CIDRs', async () => {
    const { client, seen } = await start(new Map([[PORTED, 1]]), { allowedSources: ['10.0.0.0/8', '::1'] });
    client.send(legacy(PORTED));
    expect(await client.next(300)).toBeUndefined();
    expect(seen.dropped).toEqual(['forbidden-source']);
    await client.close();
    await server!.close();

    const allowed = await start(new Map([[PORTED, 1]]), { allowedSources: ['10.0.0.0/8', '127.0.0.0/8'] });
    expect(await allowed.client.ask(legacy(PORTED))).toMatchObject({ carrierId: 1 });
  });

  it('refuses to start with an allow-list entry that is not an address', async () => {
    await expect(start(new Map(), { allowedSources: ['10.1/16'] })).rejects.toThrow(
      /"10.1\/16" is not an IP/,
    );
  });

  it('bills found answers only, and answers not found when the charge is refused', async () => {
    const charged: { number: string; carrierId: number }[] = [];
    let balance = 1;
    const { client, seen } = await start(new Map([[PORTED, 3]]), {
      charge: async (query) => {
        charged.push(query);
        return balance-- > 0;
      },
    });
    expect(await client.ask(encodePdbRequest(PORTED, 1))).toMatchObject({ code: PDB_CODE_OK, carrierId: 3 });
    expect(await client.ask(encodePdbRequest(UNKNOWN, 2))).toMatchObject({ code: PDB_CODE_NOT_FOUND });
    expect(await client.ask(encodePdbRequest(PORTED, 3))).toEqual({
      form: 'v1',
      id: 3,
      code: PDB_CODE_NOT_FOUND,
    });
    expect(await client.ask(legacy(PORTED))).toMatchObject({ carrierId: 0 });
    expect(charged).toEqual([
      { number: PORTED, carrierId: 3 },
      { number: PORTED, carrierId: 3 },
      { number: PORTED, carrierId: 3 },
    ]);
    expect(seen.answered.map(([, outcome]) => outcome)).toEqual(['found', 'not-found', 'refused', 'refused']);
  });

  it('answers nothing when the lookup or the charge fails, and says so to its observer', async () => {
    let failCharge = false;
    const { client, seen } = await start(new Map(), {
      lookup: (number) => {
        if (number === UNKNOWN) throw new Error('data unavailable');
        return number === VIRTUAL ? Promise.reject(new Error('upstream down')) : Promise.resolve(1);
      },
      charge: async () => {
        if (failCharge) throw new Error('store down');
        return true;
      },
    });
    client.send(legacy(UNKNOWN));
    client.send(legacy(VIRTUAL));
    expect(await client.ask(legacy(PORTED))).toMatchObject({ carrierId: 1 });
    failCharge = true;
    client.send(legacy(PORTED));
    expect(await client.next(300)).toBeUndefined();
    expect(seen.dropped).toEqual(['lookup-failed', 'lookup-failed', 'charge-failed']);
    expect(seen.failed).toEqual(['lookup', 'lookup', 'charge']);
  });

  it('drops an answer the protocol cannot carry instead of sending, or billing, a wrong one', async () => {
    const charged: unknown[] = [];
    const table = new Map([[PORTED, 70_000]]);
    const { client, seen } = await start(table, { charge: async (query) => charged.push(query) > 0 });
    client.send(legacy(PORTED));
    expect(await client.next(300)).toBeUndefined();
    await client.close();
    await server!.close();
    const synchronous = await start(table);
    synchronous.client.send(legacy(PORTED));
    expect(await synchronous.client.next(300)).toBeUndefined();
    expect([...seen.dropped, ...synchronous.seen.dropped]).toEqual(['lookup-failed', 'lookup-failed']);
    expect(charged).toEqual([]);
  });

  it('holds at most maxInFlight queries waiting for a slow lookup, and drops the others', async () => {
    const waiting: (() => void)[] = [];
    const { client, seen } = await start(new Map(), {
      maxInFlight: 2,
      lookup: () => new Promise<number>((resolve) => waiting.push(() => resolve(4))),
    });
    for (let id = 1; id <= 3; id++) client.send(encodePdbRequest(PORTED, id));
    await expect.poll(() => seen.dropped).toEqual(['busy']);
    waiting.forEach((answer) => answer());
    const answers = [await client.next(), await client.next()].map((packet) => packet?.[5]);
    expect(answers.sort()).toEqual([1, 2]);
    // Room again once those are answered.
    const next = client.ask(encodePdbRequest(PORTED, 4));
    await expect.poll(() => waiting.length).toBe(3);
    waiting[2]();
    expect(await next).toMatchObject({ id: 4, carrierId: 4 });
  });

  it('rejects the start when its port is taken', async () => {
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
    await expect(
      PdbServer.start({ port: taken.address().port, host: '127.0.0.1', lookup: () => 0 }),
    ).rejects.toThrow(/EADDRINUSE/);
    taken.close();
  });

  it('listens on IPv6 too', async () => {
    const v6 = await PdbServer.start({ port: 0, host: '::1', lookup: () => 2 });
    const socket = dgram.createSocket('udp6');
    const answer = new Promise<Buffer>((resolve) => socket.once('message', resolve));
    socket.send(legacy(PORTED), v6.address.port, '::1');
    expect([...(await answer)].slice(-2)).toEqual([0, 2]);
    socket.close();
    await v6.close();
  });
});
