import { type SegmentType, isSegmentType } from './carrier.js';
import { NOT_ALLOCATED, plannedType } from './numbering-plan.js';
import { isMobilePrefix } from './prefix.js';
import {
  type Location,
  NO_SEGMENT,
  type SegmentTable,
  SegmentTableBuilder,
  cellType,
  makeLocation,
} from './segment-table.js';

/**
 * An operator's correction of the prefixes `firstPrefix..lastPrefix`: each field given replaces the
 * data's, a null field keeps it. A prefix the data lacks gets the correction's fields, '' for the
 * rest, and the plan's type when the correction gives none.
 */
export interface SegmentCorrection {
  readonly firstPrefix: number;
  readonly lastPrefix: number;
  readonly province: string | null;
  readonly city: string | null;
  readonly zip: string | null;
  readonly areaCode: string | null;
  readonly type: number | null;
}

/** The most prefixes one correction may cover: one 3-digit block. */
export const MAX_CORRECTION_PREFIXES = 10_000;

/** Why a correction cannot be applied, or undefined when it can. */
export function correctionProblem(correction: SegmentCorrection): string | undefined {
  const { firstPrefix, lastPrefix, type } = correction;
  if (!isMobilePrefix(firstPrefix) || !isMobilePrefix(lastPrefix))
    return 'prefixes are 7 digits, 1300000–1999999';
  if (firstPrefix > lastPrefix) return 'the first prefix comes after the last';
  if (lastPrefix - firstPrefix + 1 > MAX_CORRECTION_PREFIXES)
    return `a correction covers at most ${MAX_CORRECTION_PREFIXES} prefixes`;
  if (type !== null && !isSegmentType(type)) return `segment type ${type} is not 0..8`;
  const fields = [correction.province, correction.city, correction.zip, correction.areaCode, type];
  if (fields.every((field) => field === null)) return 'a correction changes at least one field';
  return undefined;
}

function corrected(
  correction: SegmentCorrection,
  prefix: number,
  was: { type: SegmentType; location: Location } | undefined,
): { type: SegmentType; location: Location } {
  const planned = plannedType(prefix);
  const type = (correction.type ?? was?.type ?? (planned === NOT_ALLOCATED ? 0 : planned)) as SegmentType;
  const location = makeLocation(
    correction.province ?? was?.location.province ?? '',
    correction.city ?? was?.location.city ?? '',
    correction.zip ?? was?.location.zip ?? '',
    correction.areaCode ?? was?.location.areaCode ?? '',
  );
  return { type, location };
}

/**
 * The table with the corrections applied, in order (a later one wins where they overlap); the
 * table itself when there are none. Pure: one pass over the table's segments.
 */
export function applyCorrections(
  table: SegmentTable,
  corrections: readonly SegmentCorrection[],
): SegmentTable {
  if (corrections.length === 0) return table;
  const builder = new SegmentTableBuilder();
  for (const row of table.rows()) builder.set(row.prefix, row.type, row.location);
  const current = (prefix: number) => {
    const cell = table.cellAt(prefix);
    return cell === NO_SEGMENT ? undefined : { type: cellType(cell), location: table.locationOf(cell) };
  };
  const applied = new Map<number, { type: SegmentType; location: Location }>();
  for (const correction of corrections) {
    for (let prefix = correction.firstPrefix; prefix <= correction.lastPrefix; prefix++) {
      const next = corrected(correction, prefix, applied.get(prefix) ?? current(prefix));
      applied.set(prefix, next);
      builder.set(prefix, next.type, next.location);
    }
  }
  const noun = corrections.length === 1 ? 'correction' : 'corrections';
  return builder.build(table.version, `${table.source} + ${corrections.length} ${noun}`);
}

/** True when the table already says what the correction says, for every prefix it covers. */
export function correctionAgrees(table: SegmentTable, correction: SegmentCorrection): boolean {
  for (let prefix = correction.firstPrefix; prefix <= correction.lastPrefix; prefix++) {
    const cell = table.cellAt(prefix);
    if (cell === NO_SEGMENT) return false;
    const location = table.locationOf(cell);
    const same =
      (correction.type === null || correction.type === cellType(cell)) &&
      (correction.province === null || correction.province === location.province) &&
      (correction.city === null || correction.city === location.city) &&
      (correction.zip === null || correction.zip === location.zip) &&
      (correction.areaCode === null || correction.areaCode === location.areaCode);
    if (!same) return false;
  }
  return true;
}
