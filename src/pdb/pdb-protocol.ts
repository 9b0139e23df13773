/**
 * The wire format of Kamailio's number-portability queries (`utils/pdbt/docs/network_protocol.txt`
 * and `common.h` in Kamailio's source), both forms a client may send:
 *
 * - version 1: a 6-byte header `version (1), type (0 request, 1 reply), code, length (of the whole
 *   packet), id (2 bytes)`, then the number in international form and its NUL. The reply has the
 *   same header with type 1, the request's id, a code (1 OK, 2 not a number, 3 not found) and, when
 *   OK, the number, its NUL and the carrier id as a big-endian int16.
 * - the older header-less form: the number and its NUL; the reply is the number, its NUL and the
 *   carrier id, 0 when the number is not found. A first byte that is not a known version marks it.
 *
 * Pure: bytes in, bytes out. What happens to a packet that follows neither form is decided here
 * (see `PdbMalformedReason`), so the server and the tests agree on it.
 */

export const PDB_VERSION_1 = 1;
export const PDB_TYPE_REQUEST = 0;
export const PDB_TYPE_REPLY = 1;
export const PDB_CODE_OK = 1;
export const PDB_CODE_NOT_NUMBER = 2;
export const PDB_CODE_NOT_FOUND = 3;
export const PDB_HEADER_BYTES = 6;
/** The header's length field is one byte, so no packet of the protocol is longer. */
export const PDB_MAX_PACKET_BYTES = 255;
/** The longest number a version-1 request can carry with its NUL and a reply its carrier id. */
export const PDB_MAX_NUMBER_DIGITS = PDB_MAX_PACKET_BYTES - PDB_HEADER_BYTES - 1 - 2;

const NUL = 0;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** A question the server answers by looking the number up. */
export type PdbQuery = { form: 'v1'; id: number; number: string } | { form: 'legacy'; number: string };

/**
 * Why a packet gets no answer at all:
 * - `empty`, `oversize` (longer than the protocol can express);
 * - `short-header`: starts like version 1 but has no whole header, so there is no id to answer;
 * - `not-a-request`: a version-1 reply or unknown type; answering replies could start a loop
 *   between two servers;
 * - `length-mismatch`: the header's length is not the packet's;
 * - `unknown-version`: the first byte is neither version 1 nor a digit of the old form;
 * - `legacy-not-a-number`: the old form with something other than digits before the NUL; that
 *   form has no way to say so, and the client would not recognise an answer for other digits;
 * - `number-too-long`: so long that the answer would not fit in a packet (no real number is).
 */
export type PdbMalformedReason =
  | 'empty'
  | 'oversize'
  | 'short-header'
  | 'not-a-request'
  | 'length-mismatch'
  | 'unknown-version'
  | 'legacy-not-a-number'
  | 'number-too-long';

export type PdbPacket =
  | { kind: 'query'; query: PdbQuery }
  /** A whole version-1 request whose payload is not digits and a NUL: answered with code 2. */
  | { kind: 'not-a-number'; id: number }
  | { kind: 'malformed'; reason: PdbMalformedReason };

const malformed = (reason: PdbMalformedReason): PdbPacket => ({ kind: 'malformed', reason });

/** Reads one datagram. Never throws: every byte sequence is a query, a not-a-number or malformed. */
export function decodePdbPacket(packet: Uint8Array): PdbPacket {
  if (packet.length === 0) return malformed('empty');
  if (packet.length > PDB_MAX_PACKET_BYTES) return malformed('oversize');
  if (packet[0] === PDB_VERSION_1) return decodeVersion1(packet);
  if (isDigit(packet[0])) return decodeLegacy(packet);
  return malformed('unknown-version');
}

function decodeVersion1(packet: Uint8Array): PdbPacket {
  if (packet.length < PDB_HEADER_BYTES) return malformed('short-header');
  if (packet[1] !== PDB_TYPE_REQUEST) return malformed('not-a-request');
  if (packet[3] !== packet.length) return malformed('length-mismatch');
  // Kept as the two bytes were sent: the reply carries them back unchanged.
  const id = (packet[4] << 8) | packet[5];
  const number = digitsBeforeNul(packet, PDB_HEADER_BYTES);
  if (number === undefined || number.length === 0) return { kind: 'not-a-number', id };
  if (number.length > PDB_MAX_NUMBER_DIGITS) return malformed('number-too-long');
  return { kind: 'query', query: { form: 'v1', id, number } };
}

function decodeLegacy(packet: Uint8Array): PdbPacket {
  // The old form may end at its NUL or, from some clients, with the last digit.
  const withNul = packet.includes(NUL) ? packet : Uint8Array.of(...packet, NUL);
  const number = digitsBeforeNul(withNul, 0);
  if (number === undefined) return malformed('legacy-not-a-number');
  if (number.length > PDB_MAX_NUMBER_DIGITS) return malformed('number-too-long');
  return { kind: 'query', query: { form: 'legacy', number } };
}

/** The ASCII digits from `start` up to the first NUL; undefined if anything else comes first or no NUL. */
function digitsBeforeNul(packet: Uint8Array, start: number): string | undefined {
  let number = '';
  for (let i = start; i < packet.length; i++) {
    const byte = packet[i];
    if (byte === NUL) return number;
    if (!isDigit(byte)) return undefined;
    number += String.fromCharCode(byte);
  }
  return undefined;
}

function isDigit(byte: number): boolean {
  return byte >= DIGIT_0 && byte <= DIGIT_9;
}

/**
 * The answer to a query. Carrier id 0 means not found: version 1 says so with code 3 and no
 * payload (as Kamailio's pdb_server does), the old form with the id 0.
 */
export function encodePdbAnswer(query: PdbQuery, carrierId: number): Uint8Array {
  if (!fitsCarrierId(carrierId))
    throw new RangeError(`carrier id ${carrierId} does not fit the protocol's int16`);
  if (query.form === 'v1' && carrierId === 0) return header(query.id, PDB_CODE_NOT_FOUND, PDB_HEADER_BYTES);
  const start = query.form === 'v1' ? PDB_HEADER_BYTES : 0;
  const reply = new Uint8Array(start + query.number.length + 1 + 2);
  if (query.form === 'v1') reply.set(header(query.id, PDB_CODE_OK, reply.length));
  for (let i = 0; i < query.number.length; i++) reply[start + i] = query.number.charCodeAt(i);
  const at = start + query.number.length + 1;
  reply[at] = (carrierId >> 8) & 0xff;
  reply[at + 1] = carrierId & 0xff;
  return reply;
}

/** Whether a value can be sent as a carrier id (a big-endian int16). */
export function fitsCarrierId(value: number): boolean {
  return Number.isInteger(value) && value >= -32768 && value <= 32767;
}

/** The version-1 answer to a request whose payload is not a number (code 2, no payload). */
export function encodePdbNotANumber(id: number): Uint8Array {
  return header(id, PDB_CODE_NOT_NUMBER, PDB_HEADER_BYTES);
}

function header(id: number, code: number, length: number): Uint8Array {
  return Uint8Array.of(PDB_VERSION_1, PDB_TYPE_REPLY, code, length, (id >> 8) & 0xff, id & 0xff);
}

/** Reads an answer as a client does: the number it repeats and the carrier id, or the code. */
export type PdbAnswer =
  | { form: 'v1'; id: number; code: number; number?: string; carrierId?: number }
  | { form: 'legacy'; number: string; carrierId: number };

/** The client's side of the codec, for tests and the benchmark; undefined for anything unreadable. */
export function decodePdbAnswer(packet: Uint8Array): PdbAnswer | undefined {
  if (packet.length >= PDB_HEADER_BYTES && packet[0] === PDB_VERSION_1) {
    if (packet[1] !== PDB_TYPE_REPLY || packet[3] !== packet.length) return undefined;
    const id = (packet[4] << 8) | packet[5];
    if (packet[2] !== PDB_CODE_OK) return { form: 'v1', id, code: packet[2] };
    const number = digitsBeforeNul(packet, PDB_HEADER_BYTES);
    if (number === undefined || packet.length !== PDB_HEADER_BYTES + number.length + 3) return undefined;
    return { form: 'v1', id, code: PDB_CODE_OK, number, carrierId: int16At(packet, packet.length - 2) };
  }
  const number = digitsBeforeNul(packet, 0);
  if (number === undefined || packet.length !== number.length + 3) return undefined;
  return { form: 'legacy', number, carrierId: int16At(packet, packet.length - 2) };
}

/** A version-1 request as Kamailio's pdb module sends it. */
export function encodePdbRequest(number: string, id: number): Uint8Array {
  const request = new Uint8Array(PDB_HEADER_BYTES + number.length + 1);
  request.set([PDB_VERSION_1, PDB_TYPE_REQUEST, 0, request.length, (id >> 8) & 0xff, id & 0xff]);
  for (let i = 0; i < number.length; i++) request[PDB_HEADER_BYTES + i] = number.charCodeAt(i);
  return request;
}

function int16At(packet: Uint8Array, at: number): number {
  const value = (packet[at] << 8) | packet[at + 1];
  return value >= 0x8000 ? value - 0x10000 : value;
}
