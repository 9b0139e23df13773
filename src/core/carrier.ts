/**
 * Carriers and segment types. Segment type codes are those of the `phone.dat` layout, so files,
 * the segment table and the API agree on one numbering.
 */

/** The four network operators that own number ranges in mainland China. */
export const CARRIER_NAMES = ['移动', '联通', '电信', '广电'] as const;
export type CarrierName = (typeof CARRIER_NAMES)[number];

/** 0 移动, 1 联通, 2 电信, 3 广电: fits in two bits, which the ported-number index relies on. */
export type Carrier = 0 | 1 | 2 | 3;

/** What a segment is answered with when its carrier is not known. */
export const UNKNOWN_CARRIER_NAME = '未知';

export const SegmentType = {
  Unknown: 0,
  Mobile: 1,
  Unicom: 2,
  Telecom: 3,
  TelecomVirtual: 4,
  UnicomVirtual: 5,
  MobileVirtual: 6,
  Broadnet: 7,
  BroadnetVirtual: 8,
} as const;
export type SegmentType = (typeof SegmentType)[keyof typeof SegmentType];

export const SEGMENT_TYPE_LABELS: readonly string[] = [
  '未知',
  '移动',
  '联通',
  '电信',
  '电信虚拟',
  '联通虚拟',
  '移动虚拟',
  '广电',
  '广电虚拟',
];

/** Host network of each segment type, indexed by type; -1 when not known. */
const HOST_CARRIER: readonly (Carrier | -1)[] = [-1, 0, 1, 2, 2, 1, 0, 3, 3];

/** A carrier's name, or 未知 when the segment's carrier is not known. */
export function carrierLabel(carrier: Carrier | -1): string {
  return carrier === -1 ? UNKNOWN_CARRIER_NAME : CARRIER_NAMES[carrier];
}

export function isSegmentType(value: number): value is SegmentType {
  return Number.isInteger(value) && value >= 0 && value <= 8;
}

export function hostCarrier(type: SegmentType): Carrier | -1 {
  return HOST_CARRIER[type];
}

export function isVirtualType(type: SegmentType): boolean {
  return type === 4 || type === 5 || type === 6 || type === 8;
}

const CARRIER_ALIASES: ReadonlyMap<string, Carrier> = new Map<string, Carrier>([
  ['移动', 0],
  ['中国移动', 0],
  ['cmcc', 0],
  ['联通', 1],
  ['中国联通', 1],
  ['cucc', 1],
  ['电信', 2],
  ['中国电信', 2],
  ['ctcc', 2],
  ['广电', 3],
  ['中国广电', 3],
  ['cbn', 3],
]);

/** Reads a carrier as feeds and users write it: `移动`, `中国移动` or `cmcc` (any case). */
export function parseCarrier(text: string): Carrier | undefined {
  // Feeds spell carriers the canonical way millions of times: try that before normalising.
  return CARRIER_ALIASES.get(text) ?? CARRIER_ALIASES.get(text.trim().toLowerCase());
}
