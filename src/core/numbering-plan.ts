import { type Carrier, SegmentType as T, type SegmentType, hostCarrier, isVirtualType } from './carrier.js';
import { FIRST_PREFIX, isMobilePrefix } from './prefix.js';

/**
 * The national numbering plan for mobile numbers 13x–19x: which blocks MIIT (工业和信息化部) has
 * allocated, to whom, and for what. Segment files say where a 7-digit segment's numbers were
 * issued; this table says which carrier holds the block even where no file has the segment yet, and
 * it is the authority on virtual-operator (移动通信转售) blocks, which segment files often mistype.
 *
 * Sources: the first lists every allocated block below; the second confirms the carrier of the
 * ordinary and most resale blocks; the third gives the history.
 * - MIIT's allocations as collected by the ChinaMobilePhoneNumberRegex project (VincentSit,
 *   README and rules.json, 2014–2020; its changelog dates when each new block became public);
 * - the mobile number pattern and the zh carrier table of Google libphonenumber for +86
 *   (`1740[0-5]…|1(?:[38]\d|4[57]|[59][0-35-9]|6[25-7]|7[0-35-8])…`, carriers per 3/4-digit block);
 * - Wikipedia, 中国内地移动终端通讯号码 / Telephone numbers in China (the years 13x–18x opened), and
 *   the 2008 restructuring, which moved 中国联通's CDMA (133, 153) and 中国卫通's basic telecom
 *   business (1349) to 中国电信.
 * `since` is the year of first issue where the history is known, otherwise the month a block first
 * appeared in the public lists (the allocation may be a few months older); '' when unknown.
 *
 * A longer prefix overrides a shorter one: 134 is 中国移动 but 1349 is 中国电信's satellite block.
 */

/** What a block's numbers are for; segment types cannot say it, operators want to. */
export type BlockUse = 'mobile' | 'data-only' | 'iot' | 'resale' | 'satellite' | 'emergency' | 'reserved';

export interface PlanBlock {
  /** 3 to 5 leading digits: `139`, `1349`, `17400`. */
  readonly prefix: string;
  readonly allocated: boolean;
  /** The segment type a number of the block has; Unknown for a holder that is none of the four. */
  readonly type: SegmentType;
  /** The host network, -1 when unallocated or held by someone other than the four carriers. */
  readonly carrier: Carrier | -1;
  /** Who holds the block when it is not one of the four carriers. */
  readonly holder: string;
  readonly use: BlockUse;
  readonly since: string;
}

type Row = readonly [
  prefix: string,
  type: SegmentType | null,
  use: BlockUse,
  since?: string,
  holder?: string,
];

const M = T.Mobile;
const U = T.Unicom;
const C = T.Telecom;
const MIIT_EMERGENCY = '工业和信息化部应急通信保障中心';
const INMARSAT = '北京船舶通信导航有限公司 (海事卫星)';

/** `null` type: not allocated (reserved or never opened). */
const ROWS: readonly Row[] = [
  ['130', U, 'mobile', '1995'],
  ['131', U, 'mobile', '1998'],
  ['132', U, 'mobile'],
  // CDMA, 中国联通's until the 2008 restructuring handed CDMA to 中国电信.
  ['133', C, 'mobile'],
  ['134', M, 'mobile'],
  // 中国卫通's satellite block; 中国电信's since the 2008 restructuring.
  ['1349', C, 'satellite'],
  ['135', M, 'mobile', '1999'],
  ['136', M, 'mobile', '1999'],
  ['137', M, 'mobile', '1999'],
  ['138', M, 'mobile', '1997'],
  ['139', M, 'mobile', '1994'],
  ['140', null, 'reserved'],
  ['141', null, 'reserved'],
  ['1410', C, 'iot', '2018-12'],
  ['142', null, 'reserved'],
  ['143', null, 'reserved'],
  ['144', null, 'reserved'],
  ['1440', M, 'iot', '2018-12'],
  ['1441', M, 'iot', '2020-05'],
  ['145', U, 'data-only', '2008'],
  ['146', U, 'iot', '2018-12'],
  ['147', M, 'data-only', '2008'],
  ['148', M, 'iot', '2018-12'],
  ['149', C, 'data-only', '2018-12'],
  ['150', M, 'mobile', '2006'],
  ['151', M, 'mobile', '2006'],
  ['152', M, 'mobile', '2006'],
  // CDMA like 133.
  ['153', C, 'mobile', '2006'],
  ['154', null, 'reserved'],
  ['155', U, 'mobile', '2006'],
  ['156', U, 'mobile', '2006'],
  ['157', M, 'mobile', '2006'],
  ['158', M, 'mobile', '2006'],
  ['159', M, 'mobile', '2006'],
  ['160', null, 'reserved'],
  ['161', null, 'reserved'],
  ['162', T.TelecomVirtual, 'resale', '2019-12'],
  ['163', null, 'reserved'],
  ['164', null, 'reserved'],
  ['165', T.MobileVirtual, 'resale', '2019-01'],
  ['166', U, 'mobile', '2017-08'],
  ['167', T.UnicomVirtual, 'resale', '2018-12'],
  ['168', null, 'reserved'],
  ['169', null, 'reserved'],
  // 170 was the first resale block (pilot licences from 2013-12), split among the three hosts.
  ['1700', T.TelecomVirtual, 'resale', '2013-12'],
  ['1701', T.TelecomVirtual, 'resale', '2013-12'],
  ['1702', T.TelecomVirtual, 'resale', '2013-12'],
  ['1703', T.MobileVirtual, 'resale', '2013-12'],
  ['1704', T.UnicomVirtual, 'resale', '2013-12'],
  ['1705', T.MobileVirtual, 'resale', '2013-12'],
  ['1706', T.MobileVirtual, 'resale', '2013-12'],
  ['1707', T.UnicomVirtual, 'resale', '2013-12'],
  ['1708', T.UnicomVirtual, 'resale', '2013-12'],
  ['1709', T.UnicomVirtual, 'resale', '2013-12'],
  ['171', T.UnicomVirtual, 'resale', '2016-04'],
  ['172', M, 'mobile', '2020-04'],
  ['173', C, 'mobile'],
  ['174', null, 'reserved'],
  // 天通 satellite service of 中国电信.
  ['17400', C, 'satellite', '2018-12'],
  ['17401', C, 'satellite', '2018-12'],
  ['17402', C, 'satellite', '2018-12'],
  ['17403', C, 'satellite', '2018-12'],
  ['17404', C, 'satellite', '2018-12'],
  ['17405', C, 'satellite', '2018-12'],
  ['17406', T.Unknown, 'emergency', '2018-12', MIIT_EMERGENCY],
  ['17407', T.Unknown, 'emergency', '2018-12', MIIT_EMERGENCY],
  ['17408', T.Unknown, 'emergency', '2018-12', MIIT_EMERGENCY],
  ['17409', T.Unknown, 'emergency', '2018-12', MIIT_EMERGENCY],
  ['17410', T.Unknown, 'emergency', '2018-12', MIIT_EMERGENCY],
  ['17411', T.Unknown, 'emergency', '2018-12', MIIT_EMERGENCY],
  ['17412', T.Unknown, 'emergency', '2018-12', MIIT_EMERGENCY],
  ['1749', T.Unknown, 'satellite', '2018-12', INMARSAT],
  ['175', U, 'mobile', '2016-10'],
  ['176', U, 'mobile'],
  ['177', C, 'mobile'],
  ['178', M, 'mobile'],
  ['179', null, 'reserved'],
  ['180', C, 'mobile', '2008'],
  ['181', C, 'mobile', '2008'],
  ['182', M, 'mobile', '2008'],
  ['183', M, 'mobile', '2008'],
  ['184', M, 'mobile', '2008'],
  ['185', U, 'mobile', '2008'],
  ['186', U, 'mobile', '2008'],
  ['187', M, 'mobile', '2008'],
  ['188', M, 'mobile', '2008'],
  ['189', C, 'mobile', '2008'],
  ['190', C, 'mobile', '2019-12'],
  ['191', C, 'mobile', '2018-12'],
  // 中国广电 received 192 with its 5G licence (2019-06); its commercial service opened in 2022-06.
  ['192', T.Broadnet, 'mobile', '2020-04'],
  ['193', C, 'mobile', '2019-12'],
  ['194', null, 'reserved'],
  ['195', M, 'mobile', '2019-12'],
  ['196', U, 'mobile', '2019-12'],
  ['197', M, 'mobile', '2019-12'],
  ['198', M, 'mobile', '2017-08'],
  ['199', C, 'mobile', '2017-08'],
];

function blockOf([prefix, type, use, since = '', holder = '']: Row): PlanBlock {
  return Object.freeze({
    prefix,
    allocated: type !== null,
    type: type ?? T.Unknown,
    carrier: type === null ? -1 : hostCarrier(type),
    holder,
    use,
    since,
  });
}

/** Every block of the plan, in prefix order; every 7-digit prefix falls in exactly one most specific block. */
export const NUMBERING_PLAN: readonly PlanBlock[] = Object.freeze(ROWS.map(blockOf));

/** The plan is resolved per 5-digit prefix (its finest block): 70,000 slots, built once. */
const SLOT_DIGITS = 5;
const SLOT_DIVISOR = 100;
const FIRST_SLOT = FIRST_PREFIX / SLOT_DIVISOR;
const SLOT_COUNT = 70_000;

/** What `plannedType` answers for a prefix no one holds. */
export const NOT_ALLOCATED = -1;

const blockAt = new Uint8Array(SLOT_COUNT);
const typeAt = new Int8Array(SLOT_COUNT);
{
  const specificLast = NUMBERING_PLAN.map((block, index) => ({ block, index })).sort(
    (a, b) => a.block.prefix.length - b.block.prefix.length,
  );
  const seen = new Set<string>();
  for (const { block, index } of specificLast) {
    if (!/^1[3-9]\d{1,3}$/.test(block.prefix) || seen.has(block.prefix)) {
      throw new Error(`numbering plan: bad or repeated block ${block.prefix}`);
    }
    seen.add(block.prefix);
    const width = 10 ** (SLOT_DIGITS - block.prefix.length);
    const first = Number(block.prefix) * width - FIRST_SLOT;
    blockAt.fill(index, first, first + width);
    typeAt.fill(block.allocated ? block.type : NOT_ALLOCATED, first, first + width);
  }
  // A block whose parent is missing would leave slots pointing at block 0 by accident.
  for (let tens = 13; tens <= 19; tens++) {
    for (let digit = 0; digit <= 9; digit++) {
      const three = `${tens}${digit}`;
      const covered =
        seen.has(three) ||
        Array.from({ length: 10 }, (_, d) => `${three}${d}`).every((four) => seen.has(four));
      if (!covered) throw new Error(`numbering plan: block ${three} is not described`);
    }
  }
}

/**
 * The segment type the plan gives a 7-digit prefix (Unknown for a holder that is none of the four
 * carriers), or NOT_ALLOCATED. For the lookup's hot path: one array read, no allocation; a prefix
 * outside 1300000–1999999 or not an integer answers NOT_ALLOCATED.
 */
export function plannedType(prefix7: number): number {
  const slot = Math.floor(prefix7 / SLOT_DIVISOR) - FIRST_SLOT;
  return isMobilePrefix(prefix7) ? typeAt[slot] : NOT_ALLOCATED;
}

/** The most specific block of the plan holding a 7-digit prefix; RangeError for a non-mobile prefix. */
export function planFor(prefix7: number): PlanBlock {
  if (!isMobilePrefix(prefix7)) throw new RangeError(`prefix ${prefix7} is not a mobile prefix`);
  return NUMBERING_PLAN[blockAt[Math.floor(prefix7 / SLOT_DIVISOR) - FIRST_SLOT]];
}

/**
 * The type a lookup answers for a segment a file types `fileType`. The plan decides virtual
 * operators: numbers of a resale block are virtual on the plan's host whatever the file says, and
 * resale numbers are issued only from resale blocks, so a file's virtual (or unknown) type inside any
 * other allocated block is read as the plan's. Elsewhere the file's type stands: where a file and the
 * plan name different carriers for a plain block, numbering-plan-vs-data.test.ts says which is right.
 */
export function typeUnderPlan(fileType: SegmentType, planned: number): SegmentType {
  if (planned === NOT_ALLOCATED) return fileType;
  const plan = planned as SegmentType;
  if (isVirtualType(plan)) return plan;
  return isVirtualType(fileType) || fileType === T.Unknown ? plan : fileType;
}
