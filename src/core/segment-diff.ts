import { type SegmentType, SEGMENT_TYPE_LABELS, carrierLabel, hostCarrier } from './carrier.js';
import { FIRST_PREFIX, LAST_PREFIX } from './prefix.js';
import { type Location, NO_SEGMENT, type SegmentTable, cellType } from './segment-table.js';

/**
 * What changes between two versions of the segment data, segment by segment. A segment present in
 * both versions can change in several ways at once (moved and changed carrier); each way is counted.
 * - `moved`: another province or city;
 * - `details`: same place, another zip or 区号;
 * - `carrier`: another host network;
 * - `type`: another segment type on the same host (电信 → 电信虚拟).
 */
export const SEGMENT_CHANGE_KINDS = ['added', 'removed', 'moved', 'details', 'carrier', 'type'] as const;
export type SegmentChangeKind = (typeof SEGMENT_CHANGE_KINDS)[number];

export type ChangeCounts = Record<SegmentChangeKind, number>;

export interface SegmentState {
  readonly type: string;
  readonly carrier: string;
  readonly area: string;
  readonly zip: string;
  readonly areaCode: string;
}

export interface SegmentChange {
  readonly prefix: number;
  /** Absent for an added segment. */
  readonly before?: SegmentState;
  /** Absent for a removed segment. */
  readonly after?: SegmentState;
}

export interface SegmentDiff {
  readonly before: { readonly version: string; readonly size: number };
  readonly after: { readonly version: string; readonly size: number };
  /** Segments present in both versions with nothing changed. */
  readonly unchanged: number;
  /** Segments present in both versions with at least one change. */
  readonly changed: number;
  readonly counts: ChangeCounts;
  /** By carrier label (the later version's, the earlier one's for a removed segment). */
  readonly byCarrier: Readonly<Record<string, ChangeCounts>>;
  /** By province, attributed as byCarrier is; '' for a segment without a province. */
  readonly byProvince: Readonly<Record<string, ChangeCounts>>;
  /** `移动 → 电信` and its count, most frequent first. */
  readonly carrierChanges: readonly { readonly from: string; readonly to: string; readonly count: number }[];
  /** Up to `examplesPerKind` of each kind, spread over the prefix range. */
  readonly examples: Readonly<Record<SegmentChangeKind, readonly SegmentChange[]>>;
}

export const DEFAULT_EXAMPLES_PER_KIND = 5;

function zeroCounts(): ChangeCounts {
  return { added: 0, removed: 0, moved: 0, details: 0, carrier: 0, type: 0 };
}

/** Small integer ids for places and full locations, shared by both tables, so comparing is integer work. */
class LocationIds {
  readonly #ids = new Map<string, number>();

  of(table: SegmentTable, key: (location: Location) => string): Map<Location, number> {
    return new Map(table.locations.map((location) => [location, this.#idOf(key(location))]));
  }

  #idOf(key: string): number {
    let id = this.#ids.get(key);
    if (id === undefined) this.#ids.set(key, (id = this.#ids.size));
    return id;
  }
}

const placeKey = (location: Location) => `${location.province}|${location.city}`;
const fullKey = (location: Location) => `${placeKey(location)}|${location.zip}|${location.areaCode}`;

function stateOf(table: SegmentTable, prefix: number): SegmentState {
  const cell = table.cellAt(prefix);
  const type = cellType(cell);
  const location = table.locationOf(cell);
  return {
    type: SEGMENT_TYPE_LABELS[type],
    carrier: carrierLabel(hostCarrier(type)),
    area: location.area,
    zip: location.zip,
    areaCode: location.areaCode,
  };
}

/** `count` prefixes evenly spaced through `prefixes` (sorted), first and last included. */
function spread(prefixes: readonly number[], count: number): number[] {
  if (prefixes.length <= count) return [...prefixes];
  if (count <= 1) return prefixes.slice(0, count);
  return Array.from(
    { length: count },
    (_, i) => prefixes[Math.round((i * (prefixes.length - 1)) / (count - 1))],
  );
}

/** Compares two segment tables; pure, one pass over the 700,000 prefixes. */
export function diffSegments(
  before: SegmentTable,
  after: SegmentTable,
  examplesPerKind = DEFAULT_EXAMPLES_PER_KIND,
): SegmentDiff {
  const places = new LocationIds();
  const fulls = new LocationIds();
  const placeBefore = places.of(before, placeKey);
  const placeAfter = places.of(after, placeKey);
  const fullBefore = fulls.of(before, fullKey);
  const fullAfter = fulls.of(after, fullKey);

  const counts = zeroCounts();
  const byCarrier: Record<string, ChangeCounts> = {};
  const byProvince: Record<string, ChangeCounts> = {};
  const transitions = new Map<string, number>();
  const prefixesOf: Record<SegmentChangeKind, number[]> = {
    added: [],
    removed: [],
    moved: [],
    details: [],
    carrier: [],
    type: [],
  };
  let unchanged = 0;
  let changed = 0;

  const note = (kind: SegmentChangeKind, prefix: number, type: SegmentType, location: Location) => {
    counts[kind]++;
    (byCarrier[carrierLabel(hostCarrier(type))] ??= zeroCounts())[kind]++;
    (byProvince[location.province] ??= zeroCounts())[kind]++;
    prefixesOf[kind].push(prefix);
  };

  for (let prefix = FIRST_PREFIX; prefix <= LAST_PREFIX; prefix++) {
    const was = before.cellAt(prefix);
    const now = after.cellAt(prefix);
    if (was === NO_SEGMENT && now === NO_SEGMENT) continue;
    if (was === NO_SEGMENT) {
      note('added', prefix, cellType(now), after.locationOf(now));
      continue;
    }
    const oldLocation = before.locationOf(was);
    if (now === NO_SEGMENT) {
      note('removed', prefix, cellType(was), oldLocation);
      continue;
    }
    const newLocation = after.locationOf(now);
    const oldType = cellType(was);
    const newType = cellType(now);
    const moved = placeBefore.get(oldLocation) !== placeAfter.get(newLocation);
    const details = !moved && fullBefore.get(oldLocation) !== fullAfter.get(newLocation);
    const oldCarrier = hostCarrier(oldType);
    const newCarrier = hostCarrier(newType);
    if (!moved && !details && oldType === newType) {
      unchanged++;
      continue;
    }
    changed++;
    if (moved) note('moved', prefix, newType, newLocation);
    if (details) note('details', prefix, newType, newLocation);
    if (oldCarrier !== newCarrier) {
      note('carrier', prefix, newType, newLocation);
      const key = `${carrierLabel(oldCarrier)}\u0000${carrierLabel(newCarrier)}`;
      transitions.set(key, (transitions.get(key) ?? 0) + 1);
    } else if (oldType !== newType) {
      note('type', prefix, newType, newLocation);
    }
  }

  const examples = {} as Record<SegmentChangeKind, SegmentChange[]>;
  for (const kind of SEGMENT_CHANGE_KINDS) {
    examples[kind] = spread(prefixesOf[kind], examplesPerKind).map((prefix) => ({
      prefix,
      ...(kind === 'added' ? {} : { before: stateOf(before, prefix) }),
      ...(kind === 'removed' ? {} : { after: stateOf(after, prefix) }),
    }));
  }
  const carrierChanges = [...transitions]
    .map(([key, count]) => {
      const [from, to] = key.split('\u0000');
      return { from, to, count };
    })
    .sort((a, b) => b.count - a.count);

  return {
    before: { version: before.version, size: before.size },
    after: { version: after.version, size: after.size },
    unchanged,
    changed,
    counts,
    byCarrier,
    byProvince,
    carrierChanges,
    examples,
  };
}
