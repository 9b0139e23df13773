import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  PDB_CODE_NOT_FOUND,
  PDB_CODE_NOT_NUMBER,
  PDB_CODE_OK,
  PDB_MAX_NUMBER_DIGITS,
  decodePdbAnswer,
  decodePdbPacket,
  encodePdbAnswer,
  encodePdbNotANumber,
  encodePdbRequest,
} from './pdb-protocol.js';

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(
    parts.flatMap((part) => (typeof part === 'string' ? [...Buffer.from(part, 'latin1')] : part)),
  );

describe('version-1 requests', () => {
  // The bytes Kamailio's pdb module sent for 8613972565391 with message id 0 (captured from
  // Kamailio 5.6 against a test server).
  const fromKamailio = bytes([1, 0, 0, 20, 0, 0], '8613972565391', [0]);

  it('decode as Kamailio sends them', () => {
    expect(decodePdbPacket(fromKamailio)).toEqual({
      kind: 'query',
      query: { form: 'v1', id: 0, number: '8613972565391' },
    });
    expect(decodePdbPacket(encodePdbRequest('8613972565391', 0xbeef))).toEqual({
      kind: 'query',
      query: { form: 'v1', id: 0xbeef, number: '8613972565391' },
    });
  });

  it('are answered with a reply header, the number, its NUL and the id as a big-endian int16', () => {
    const query = { form: 'v1', id: 0x1234, number: '8613972565391' } as const;
    expect([...encodePdbAnswer(query, 3)]).toEqual([
      ...bytes([1, 1, PDB_CODE_OK, 22, 0x12, 0x34], '8613972565391', [0, 0, 3]),
    ]);
    expect([...encodePdbAnswer(query, 1000)].slice(-2)).toEqual([0x03, 0xe8]);
    expect(decodePdbAnswer(encodePdbAnswer(query, 1000))).toEqual({
      form: 'v1',
      id: 0x1234,
      code: PDB_CODE_OK,
      number: '8613972565391',
      carrierId: 1000,
    });
  });

  it('say not found with code 3 and no payload, as pdb_server does', () => {
    const reply = encodePdbAnswer({ form: 'v1', id: 7, number: '8613972565391' }, 0);
    expect([...reply]).toEqual([1, 1, PDB_CODE_NOT_FOUND, 6, 0, 7]);
  });

  it('with letters, no NUL or an empty number are answered "not a number" (code 2)', () => {
    for (const payload of ['86139a2565391\0', '+8613972565391\0', '8613972565391', '\0']) {
      const packet = bytes([1, 0, 0, 6 + payload.length, 0, 9], payload);
      expect(decodePdbPacket(packet)).toEqual({ kind: 'not-a-number', id: 9 });
    }
    expect([...encodePdbNotANumber(9)]).toEqual([1, 1, PDB_CODE_NOT_NUMBER, 6, 0, 9]);
  });

  it('shorter than a header, not requests, or of a wrong length are dropped', () => {
    expect(decodePdbPacket(bytes([1, 0, 0, 5, 0]))).toEqual({ kind: 'malformed', reason: 'short-header' });
    const reply = encodePdbAnswer({ form: 'v1', id: 1, number: '86139' }, 1);
    expect(decodePdbPacket(reply)).toEqual({ kind: 'malformed', reason: 'not-a-request' });
    const claimsMore = bytes([1, 0, 0, 30, 0, 0], '8613972565391', [0]);
    expect(decodePdbPacket(claimsMore)).toEqual({ kind: 'malformed', reason: 'length-mismatch' });
  });

  it('ignore bytes after the NUL, as pdb_server reads the payload as a C string', () => {
    const packet = bytes([1, 0, 0, 22, 0, 0], '8613972565391', [0], 'xy');
    expect(decodePdbPacket(packet)).toEqual({
      kind: 'query',
      query: { form: 'v1', id: 0, number: '8613972565391' },
    });
  });

  it('with a number too long for its answer to fit a packet are dropped', () => {
    const longest = '8'.repeat(PDB_MAX_NUMBER_DIGITS);
    const fits = encodePdbRequest(longest, 1);
    expect(decodePdbPacket(fits)).toMatchObject({ kind: 'query' });
    expect(encodePdbAnswer({ form: 'v1', id: 1, number: longest }, 1).length).toBe(255);
    expect(decodePdbPacket(encodePdbRequest(`${longest}8`, 1))).toEqual({
      kind: 'malformed',
      reason: 'number-too-long',
    });
  });
});

describe('header-less (old) requests', () => {
  it('decode with or without their NUL', () => {
    for (const packet of [bytes('8613972565391', [0]), bytes('8613972565391')]) {
      expect(decodePdbPacket(packet)).toEqual({
        kind: 'query',
        query: { form: 'legacy', number: '8613972565391' },
      });
    }
  });

  it('are answered without a header: the number, its NUL and the id; 0 is not found', () => {
    const query = { form: 'legacy', number: '8613972565391' } as const;
    expect([...encodePdbAnswer(query, 12)]).toEqual([...bytes('8613972565391', [0, 0, 12])]);
    expect([...encodePdbAnswer(query, 0)]).toEqual([...bytes('8613972565391', [0, 0, 0])]);
    expect(decodePdbAnswer(encodePdbAnswer(query, 14))).toEqual({
      form: 'legacy',
      number: '8613972565391',
      carrierId: 14,
    });
  });

  it('with anything but digits before the NUL are dropped: the form cannot say why', () => {
    expect(decodePdbPacket(bytes('86139725a5391', [0]))).toEqual({
      kind: 'malformed',
      reason: 'legacy-not-a-number',
    });
  });
});

describe('any packet', () => {
  it('that is empty, longer than 255 bytes or of an unknown version is dropped', () => {
    expect(decodePdbPacket(new Uint8Array(0))).toEqual({ kind: 'malformed', reason: 'empty' });
    expect(decodePdbPacket(bytes('8'.repeat(256)))).toEqual({ kind: 'malformed', reason: 'oversize' });
    for (const first of [0, 2, 0x2b, 0xff]) {
      expect(decodePdbPacket(bytes([first, 0, 0, 20, 0, 0], '8613972565391', [0]))).toEqual({
        kind: 'malformed',
        reason: 'unknown-version',
      });
    }
  });

  it('decodes without throwing, and every query it finds is answerable', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 1000 }), (packet, id) => {
        const decoded = decodePdbPacket(packet);
        if (decoded.kind !== 'query') return;
        expect(decoded.query.number).toMatch(/^[0-9]+$/);
        expect(encodePdbAnswer(decoded.query, id).length).toBeLessThanOrEqual(255);
      }),
    );
  });

  it('refuses a carrier id that is not an int16', () => {
    expect(() => encodePdbAnswer({ form: 'legacy', number: '86' }, 40000)).toThrow(RangeError);
  });
});
