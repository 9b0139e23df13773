/** What an operator types for a correction, read into a SegmentCorrection, or refused. */
import { SEGMENT_TYPE_LABELS, type SegmentType, parseCarrier } from '../../core/carrier.js';
import { shortCityName, shortProvinceName } from '../../core/region-name.js';
import { type SegmentCorrection, correctionProblem } from '../../core/segment-overrides.js';
import { ServiceError } from '../service-error.js';

export interface OverrideInput {
  /** `1700000`, or a range `1700000-1700999`. */
  prefixes: string;
  province?: string | null;
  city?: string | null;
  zip?: string | null;
  areaCode?: string | null;
  /** A type label (`电信虚拟`), a type code 0..8, or a carrier (`移动`, `cmcc`): its own segments. */
  type?: string | null;
  note?: string | null;
}

export const MAX_OVERRIDE_NOTE = 200;
const ZIP = /^\d{6}$/;
const AREA_CODE = /^0\d{2,3}$/;
const CARRIER_TYPES = [1, 2, 3, 7] as const;

/** `1700000` or `1700000-1700999` (spaces and an en dash allowed); undefined when neither. */
export function readPrefixRange(text: string): { first: number; last: number } | undefined {
  const match = /^\s*(\d{7})\s*(?:[-–~]\s*(\d{7})\s*)?$/.exec(text);
  if (!match) return undefined;
  const first = Number(match[1]);
  return { first, last: match[2] === undefined ? first : Number(match[2]) };
}

export function readSegmentType(text: string): SegmentType | undefined {
  const value = text.trim();
  if (/^[0-8]$/.test(value)) return Number(value) as SegmentType;
  const labelled = SEGMENT_TYPE_LABELS.indexOf(value);
  if (labelled >= 0) return labelled as SegmentType;
  const carrier = parseCarrier(value);
  return carrier === undefined ? undefined : CARRIER_TYPES[carrier];
}

/** Empty or absent is "keep the data's value". */
function given(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

export function readOverride(input: OverrideInput): SegmentCorrection & { note: string } {
  const range = readPrefixRange(String(input.prefixes ?? ''));
  if (!range) throw new ServiceError('invalid', 'prefixes: a 7-digit prefix or a range FIRST-LAST');
  const province = given(input.province);
  const city = given(input.city);
  const zip = given(input.zip);
  const areaCode = given(input.areaCode);
  const typeText = given(input.type);
  if (zip !== null && !ZIP.test(zip)) throw new ServiceError('invalid', 'zip: 6 digits');
  if (areaCode !== null && !AREA_CODE.test(areaCode))
    throw new ServiceError('invalid', 'area code: 0 and 2 or 3 digits (010, 0717)');
  let type: number | null = null;
  if (typeText !== null) {
    const read = readSegmentType(typeText);
    if (read === undefined)
      throw new ServiceError('invalid', `type: a carrier or one of ${SEGMENT_TYPE_LABELS.join(', ')}`);
    type = read;
  }
  const note = given(input.note) ?? '';
  if (note.length > MAX_OVERRIDE_NOTE)
    throw new ServiceError('invalid', `note: at most ${MAX_OVERRIDE_NOTE} characters`);
  const correction = {
    firstPrefix: range.first,
    lastPrefix: range.last,
    // As the readers store them: 锡林郭勒盟 and 锡林郭勒 are one place.
    province: province === null ? null : shortProvinceName(province),
    city: city === null ? null : shortCityName(city),
    zip,
    areaCode,
    type,
  };
  const problem = correctionProblem(correction);
  if (problem) throw new ServiceError('invalid', problem);
  return { ...correction, note };
}
