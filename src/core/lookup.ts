import {
  CARRIER_NAMES,
  SEGMENT_TYPE_LABELS,
  SegmentType,
  carrierLabel,
  hostCarrier,
  isVirtualType,
} from './carrier.js';
import { NOT_PORTED, type PortedIndex, isoDateFromDay, packedCarrier, packedDay } from './ported-index.js';
import { parseMobile } from './mobile-number.js';
import { ResultCode } from './result-codes.js';
import { NO_SEGMENT, type SegmentTable, cellType } from './segment-table.js';

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
}

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
}

const NO_DATA = { code: ResultCode.NoData } as const;

/**
 * Answers one number: where it was issued and on which network (segment table), and which network
 * serves it now (portability database). Virtual-operator numbers cannot be ported and keep their
 * host network.
 */
export function lookupMobile(input: unknown, sources: LookupSources): LookupOutcome {
  const parsed = parseMobile(input);
  if (!parsed.ok) return { code: parsed.code };
  const { segments } = sources;
  const cell = segments.cellAt(parsed.prefix7);
  if (cell === NO_SEGMENT) return NO_DATA;

  const type = cellType(cell);
  const location = segments.locationOf(cell);
  const host = hostCarrier(type);
  const virtual = isVirtualType(type);
  const knownHost = host >= 0 && type !== SegmentType.BroadnetVirtual;
  const initIsp = carrierLabel(host);
  let nowIsp = initIsp;
  let portedAt: string | null = null;
  let res: Res = virtual ? (knownHost ? '3' : '4') : knownHost ? '0' : '4';
  const { ported } = sources;
  if (ported && !virtual) {
    const packed = ported.index.find(parsed.prefix7, parsed.suffix4);
    if (packed !== NOT_PORTED) {
      nowIsp = CARRIER_NAMES[packedCarrier(packed)];
      portedAt = isoDateFromDay(packedDay(packed)) ?? null;
      // A number back on its original carrier is not ported, whatever the database remembers.
      if (knownHost) res = nowIsp === initIsp ? '0' : '1';
    }
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
      },
    },
  };
}
