import {
  CARRIER_NAMES,
  SEGMENT_TYPE_LABELS,
  SegmentType,
  carrierLabel,
  hostCarrier,
  isVirtualType,
} from './carrier.js';
import { NOT_ALLOCATED, plannedType, typeUnderPlan } from './numbering-plan.js';
import { NOT_PORTED, type PortedIndex, isoDateFromDay, packedCarrier, packedDay } from './ported-index.js';
import { type ParsedMobile, parseMobile } from './mobile-number.js';
import { ResultCode } from './result-codes.js';
import { NO_SEGMENT, type SegmentCell, type SegmentTable, cellType, makeLocation } from './segment-table.js';

/**
 * `"0"` not ported, `"1"` ported, `"3"` virtual operator on a big-three host network, `"4"` virtual
 * operator on 广电 or an unknown host.
 */
export type Res = '0' | '1' | '3' | '4';

/** The seed's `result` object, field names and order exactly as its clients read them. */
export interface SeedResult {
  res: Res;
  Mobile: string;
  Area: string;
  Init_isp: string;
  Now_isp: string;
}

/** Opt-in fields (`ext=1`), added after the seed's so its shape never changes. */
export interface ExtendedFields {
  province: string;
  city: string;
  zip: string;
  areaCode: string;
  type: string;
  virtual: boolean;
  portedAt: string | null;
  dataVersion: { segments: string; ported: string | null };
  /** False when the segment data lacks the number's segment and the numbering plan gave its carrier. */
  areaKnown: boolean;
  /**
   * Where the carrier now came from: `feed` (the portability database), `segment` (the number's
   * segment), `upstream:NAME` (a provider asked now) or `cache:NAME` (a provider's cached answer).
   */
  source: AnswerSource;
  /** When a provider checked the number (ISO time); null for local data. */
  checkedAt: string | null;
}

export type AnswerSource = 'feed' | 'segment' | `upstream:${string}` | `cache:${string}`;

export interface LookupAnswer {
  seed: SeedResult;
  ext: ExtendedFields;
}

export type LookupOutcome =
  | { code: typeof ResultCode.Ok; answer: LookupAnswer }
  | {
      code:
        | typeof ResultCode.MissingParameter
        | typeof ResultCode.BadLength
        | typeof ResultCode.NotMobile
        | typeof ResultCode.NoData;
    };

/** The data a lookup reads; swapped as a whole when new data is loaded. */
export interface LookupSources {
  readonly segments: SegmentTable;
  /** The portability database; without it every number is on its segment's carrier. */
  readonly ported?: { readonly index: PortedIndex; readonly version: string };
  /**
   * A number of an allocated block whose segment the data lacks answers its carrier from the
   * numbering plan, with an empty Area (default). `false` answers -4 for it instead.
   */
  readonly planFallback?: boolean;
}

const NO_DATA = { code: ResultCode.NoData } as const;
const UNKNOWN_LOCATION = makeLocation('', '', '', '');

/** Whether a number of this segment cell and plan answers at all: data, or an allocated block. */
function answerable(cell: SegmentCell, planned: number, sources: LookupSources): boolean {
  return cell !== NO_SEGMENT || (planned !== NOT_ALLOCATED && sources.planFallback !== false);
}

type Mobile = Extract<ParsedMobile, { ok: true }>;

/**
 * Answers one number: where it was issued and on which network (segment table), and which network
 * serves it now (portability database). Virtual-operator numbers cannot be ported and keep their
 * host network.
 */
export function lookupMobile(input: unknown, sources: LookupSources): LookupOutcome {
  const parsed = parseMobile(input);
  if (!parsed.ok) return { code: parsed.code };
  const cell = sources.segments.cellAt(parsed.prefix7);
  const planned = plannedType(parsed.prefix7);
  if (!answerable(cell, planned, sources)) return NO_DATA;
  const packed = sources.ported ? sources.ported.index.find(parsed.prefix7, parsed.suffix4) : NOT_PORTED;
  return answerOf(parsed, cell, planned, packed, sources);
}

/**
 * `lookupMobile` for many numbers at once, same answers in the same order. The portability index
 * is searched for all of them in one `findMany`, whose memory reads overlap (see PortedIndex).
 */
export function lookupMobiles(inputs: readonly unknown[], sources: LookupSources): LookupOutcome[] {
  const outcomes: LookupOutcome[] = new Array(inputs.length);
  const found: { at: number; parsed: Mobile; cell: SegmentCell; planned: number }[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const parsed = parseMobile(inputs[i]);
    if (!parsed.ok) {
      outcomes[i] = { code: parsed.code };
      continue;
    }
    const cell = sources.segments.cellAt(parsed.prefix7);
    const planned = plannedType(parsed.prefix7);
    if (answerable(cell, planned, sources)) found.push({ at: i, parsed, cell, planned });
    else outcomes[i] = NO_DATA;
  }
  const packed = new Int32Array(found.length).fill(NOT_PORTED);
  if (sources.ported && found.length > 0) {
    sources.ported.index.findMany(
      found.map(({ parsed }) => parsed.prefix7),
      found.map(({ parsed }) => parsed.suffix4),
      packed,
    );
  }
  found.forEach(
    ({ at, parsed, cell, planned }, j) =>
      (outcomes[at] = answerOf(parsed, cell, planned, packed[j], sources)),
  );
  return outcomes;
}

/**
 * The answer for an answerable number (`cell` NO_SEGMENT: its block is allocated and the plan
 * answers), given its `find` result.
 */
function answerOf(
  parsed: Mobile,
  cell: SegmentCell,
  planned: number,
  packed: number,
  sources: LookupSources,
): LookupOutcome {
  const { segments, ported } = sources;
  const areaKnown = cell !== NO_SEGMENT;
  const type = areaKnown ? typeUnderPlan(cellType(cell), planned) : (planned as SegmentType);
  const location = areaKnown ? segments.locationOf(cell) : UNKNOWN_LOCATION;
  const host = hostCarrier(type);
  const virtual = isVirtualType(type);
  const knownHost = host >= 0 && type !== SegmentType.BroadnetVirtual;
  const initIsp = carrierLabel(host);
  let nowIsp = initIsp;
  let portedAt: string | null = null;
  let source: AnswerSource = 'segment';
  let res: Res = virtual ? (knownHost ? '3' : '4') : knownHost ? '0' : '4';
  if (!virtual && packed !== NOT_PORTED) {
    nowIsp = CARRIER_NAMES[packedCarrier(packed)];
    portedAt = isoDateFromDay(packedDay(packed)) ?? null;
    source = 'feed';
    // A number back on its original carrier is not ported, whatever the database remembers.
    if (knownHost) res = nowIsp === initIsp ? '0' : '1';
  }

  return {
    code: ResultCode.Ok,
    answer: {
      seed: { res, Mobile: parsed.mobile, Area: location.area, Init_isp: initIsp, Now_isp: nowIsp },
      ext: {
        province: location.province,
        city: location.city,
        zip: location.zip,
        areaCode: location.areaCode,
        type: SEGMENT_TYPE_LABELS[type],
        virtual,
        portedAt,
        dataVersion: { segments: segments.version, ported: ported?.version ?? null },
        areaKnown,
        source,
        checkedAt: null,
      },
    },
  };
}
