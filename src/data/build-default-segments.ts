/** Run by `npm run build`: prebuilds the embedded default segments next to the compiled code. */
import { buildDefaultSegments, PREBUILT_DIR, writePrebuiltDefault } from './default-segments.js';

const read = buildDefaultSegments();
writePrebuiltDefault(read);
console.log(`mnpd: embedded default segments prebuilt (${read.table.size} prefixes) in ${PREBUILT_DIR}`);
