/**
 * What a fresh install answers for random well-formed mobile numbers, fixed seed: the share
 * answering -4 and the share answering with an empty Area, for (a) the previous embedded default
 * (libphonenumber), (b) the 2025-02 default without the numbering plan's fallback, (c) the 2025-02
 * default with it. Two samples: any 11 digits 13x–19x, and only numbers libphonenumber's +86 mobile
 * pattern accepts (the first figures, 38 % and 5.7 % -4, were taken on that sample). Then
 * what libphonenumber would still add to the 2025-02 data.
 */
import { isValidPhoneNumber } from 'libphonenumber-js/max';
import { type LookupSources, lookupMobile } from '../src/core/lookup.js';
import { NOT_ALLOCATED, plannedType } from '../src/core/numbering-plan.js';
import { FIRST_PREFIX, LAST_PREFIX } from '../src/core/prefix.js';
import { NO_SEGMENT } from '../src/core/segment-table.js';
import { buildDefaultSegments } from '../src/data/default-segments.js';
import { SeededRandom } from '../src/data/ported-generator.js';
import { buildLibphonenumberSegments } from './libphonenumber-segments.js';

const NUMBERS = 100_000;
const SEED = 20250201;
/** How far either side of a libphonenumber-only prefix the 2025-02 data's nearest segment is looked for. */
const NEIGHBOUR_REACH = 10;

function sample(accept: (mobile: string) => boolean): string[] {
  const random = new SeededRandom(SEED);
  const numbers: string[] = [];
  while (numbers.length < NUMBERS) {
    const mobile = `1${3 + random.nextInt(7)}${String(random.nextInt(1e9)).padStart(9, '0')}`;
    if (accept(mobile)) numbers.push(mobile);
  }
  return numbers;
}

function shares(label: string, numbers: readonly string[], sources: LookupSources): void {
  let noData = 0;
  let emptyArea = 0;
  for (const mobile of numbers) {
    const outcome = lookupMobile(mobile, sources);
    if (outcome.code === -4) noData++;
    else if (outcome.code === 0 && outcome.answer.seed.Area === '') emptyArea++;
  }
  const percent = (count: number) => `${((count / numbers.length) * 100).toFixed(2)} %`.padStart(8);
  console.log(`${label.padEnd(48)} -4 ${percent(noData)}   empty Area ${percent(emptyArea)}`);
}

const libphonenumber = buildLibphonenumberSegments();
const current = buildDefaultSegments().table;

const samples = {
  'any 11 digits 13x–19x': sample(() => true),
  "valid for libphonenumber's +86 mobile pattern": sample((mobile) => isValidPhoneNumber(mobile, 'CN')),
};
for (const [name, numbers] of Object.entries(samples)) {
  console.log(`\n-- ${NUMBERS} random numbers, ${name}, seed ${SEED}`);
  shares('(a) previous default (libphonenumber)', numbers, {
    segments: libphonenumber,
    planFallback: false,
  });
  shares('(b) 2025-02 default, no plan fallback', numbers, { segments: current, planFallback: false });
  shares('(c) 2025-02 default with the plan fallback', numbers, { segments: current });
}

let onlyLibphonenumber = 0;
let onlyLibphonenumberAllocated = 0;
let onlyLibphonenumberNearSameArea = 0;
let onlyCurrent = 0;
let onlyCurrentAllocated = 0;
let both = 0;
let sameArea = 0;
const nearestArea = (prefix: number, step: number) => {
  for (let p = prefix + step, n = 0; n < NEIGHBOUR_REACH; p += step, n++) {
    const cell = current.cellAt(p);
    if (cell !== NO_SEGMENT) return current.locationOf(cell).area;
  }
  return undefined;
};
for (let prefix = FIRST_PREFIX; prefix <= LAST_PREFIX; prefix++) {
  const old = libphonenumber.cellAt(prefix);
  const now = current.cellAt(prefix);
  const allocated = plannedType(prefix) !== NOT_ALLOCATED;
  if (old !== NO_SEGMENT && now !== NO_SEGMENT) {
    both++;
    if (libphonenumber.locationOf(old).area === current.locationOf(now).area) sameArea++;
  } else if (old !== NO_SEGMENT) {
    onlyLibphonenumber++;
    if (allocated) onlyLibphonenumberAllocated++;
    const area = libphonenumber.locationOf(old).area;
    if (area === nearestArea(prefix, -1) || area === nearestArea(prefix, 1)) onlyLibphonenumberNearSameArea++;
  } else if (now !== NO_SEGMENT) {
    onlyCurrent++;
    if (allocated) onlyCurrentAllocated++;
  }
}
console.log('\n-- libphonenumber against the 2025-02 data');
console.log(
  `prefixes only libphonenumber has   ${onlyLibphonenumber} (${onlyLibphonenumberAllocated} in allocated blocks)`,
);
console.log(
  `  of which with the Area of the 2025-02 data's nearest segment (±${NEIGHBOUR_REACH}): ${onlyLibphonenumberNearSameArea}`,
);
console.log(
  `prefixes only the 2025-02 data has  ${onlyCurrent} (${onlyCurrentAllocated} in allocated blocks)`,
);
console.log(
  `prefixes both have                  ${both}, same Area ${sameArea} (${((sameArea / both) * 100).toFixed(1)} %)`,
);
