import { CARRIER_NAMES } from '../core/carrier.js';
import type { LookupOutcome } from '../core/lookup.js';
import { ResultCode } from '../core/result-codes.js';

/**
 * The carrier ids mnpd's pdb endpoint answers, the network that serves a number now (after
 * porting), as a switch routes by it. The protocol reserves 0 for "not found", 1–999 for carriers
 * and 1000 for a carrier found but of no interest; a virtual-operator number is its host network's
 * id plus 10, so `id % 10` is the network a call to it travels on.
 *
 * | id | meaning |
 * | --- | --- |
 * | 0 | not found: not a Chinese mobile number, or a segment without data (version 1 answers code 3) |
 * | 1 | 移动 |
 * | 2 | 联通 |
 * | 3 | 电信 |
 * | 4 | 广电 |
 * | 11 | 移动虚拟 (a virtual operator on 移动's network) |
 * | 12 | 联通虚拟 |
 * | 13 | 电信虚拟 |
 * | 14 | 广电虚拟 |
 * | 1000 | a mobile segment whose carrier is not known |
 */
export const PdbCarrierId = {
  NotFound: 0,
  Mobile: 1,
  Unicom: 2,
  Telecom: 3,
  Broadnet: 4,
  MobileVirtual: 11,
  UnicomVirtual: 12,
  TelecomVirtual: 13,
  BroadnetVirtual: 14,
  Unknown: 1000,
} as const;
export type PdbCarrierId = (typeof PdbCarrierId)[keyof typeof PdbCarrierId];

const VIRTUAL_OFFSET = 10;
/** Mainland China's country code, which a number in international form starts with. */
const CHINA_COUNTRY_CODE = '86';
const NATIONAL_MOBILE_DIGITS = 11;

/** The id of a lookup's outcome: its current network, its virtual flag, or not found. */
export function pdbCarrierIdOf(outcome: LookupOutcome): PdbCarrierId {
  if (outcome.code !== ResultCode.Ok) return PdbCarrierId.NotFound;
  const network = (CARRIER_NAMES as readonly string[]).indexOf(outcome.answer.seed.Now_isp);
  if (network < 0) return PdbCarrierId.Unknown;
  return (network + 1 + (outcome.answer.ext.virtual ? VIRTUAL_OFFSET : 0)) as PdbCarrierId;
}

/**
 * The 11-digit national number of a query in international form (`8613972565391`), or undefined
 * when it is not a Chinese number of that length: a switch asks in international form, the
 * lookup takes national numbers.
 */
export function nationalMobileOf(international: string): string | undefined {
  if (!international.startsWith(CHINA_COUNTRY_CODE)) return undefined;
  const national = international.slice(CHINA_COUNTRY_CODE.length);
  return national.length === NATIONAL_MOBILE_DIGITS ? national : undefined;
}
