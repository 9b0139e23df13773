import { type SegmentType, isSegmentType } from './carrier.js';
import { FIRST_PREFIX, LAST_PREFIX, PREFIX_COUNT, isMobilePrefix } from './prefix.js';

/** Where a segment's numbers were issued. `area` is the contract's `省-市` form, derived once. */
export interface Location {
  readonly province: string;
  readonly city: string;
  readonly zip: string;
  readonly areaCode: string;
  readonly area: string;
}

/** `省-市`; a location without a city answers with its province alone. */
export function formatArea(province: string, city: string): string {
  if (!province) return city;
  return city ? `${province}-${city}` : province;
}

export function makeLocation(province: string, city: string, zip: string, areaCode: string): Location {
  return { province, city, zip, areaCode, area: formatArea(province, city) };
}

/** 0 means "no segment"; otherwise the low 4 bits are the type and the rest the location + 1. */
export type SegmentCell = number;
export const NO_SEGMENT: SegmentCell = 0;

export function cellType(cell: SegmentCell): SegmentType {
  return (cell & 0xf) as SegmentType;
}

export interface SegmentRow {
  readonly prefix: number;
  readonly type: SegmentType;
  readonly location: Location;
}

/** A SegmentTable as plain data: what a worker thread hands back (the cells are never changed in place). */
export interface PackedSegmentTable {
  readonly version: string;
  readonly source: string;
  readonly locations: readonly Location[];
  readonly cells: Uint32Array;
}

/**
 * Every 7-digit prefix 1300000–1999999 as one slot of a flat Uint32Array: a lookup is one array
 * read, no search. 700k slots cost 2.8 MB whatever the file, which is the point.
 */
export class SegmentTable {
  readonly #cells: Uint32Array;
  readonly #locations: readonly Location[];
  readonly size: number;

  constructor(
    /** The data version, e.g. `2502` from a phone.dat header. */
    readonly version: string,
    /** Where the data came from, for `data info` and the API's extended fields. */
    readonly source: string,
    locations: readonly Location[],
    cells: Uint32Array,
  ) {
    if (cells.length !== PREFIX_COUNT) throw new Error(`segment table needs ${PREFIX_COUNT} cells`);
    let size = 0;
    for (const cell of cells) {
      if (cell === NO_SEGMENT) continue;
      size++;
      if ((cell >>> 4) - 1 >= locations.length || !isSegmentType(cell & 0xf)) {
        throw new Error('segment table cell points outside its locations or types');
      }
    }
    this.#cells = cells;
    this.#locations = locations;
    this.size = size;
  }

  /**
   * The cell for a 7-digit prefix, NO_SEGMENT when the table has no data for it or the prefix is
   * not an integer of 1300000–1999999.
   */
  cellAt(prefix7: number): SegmentCell {
    const i = prefix7 - FIRST_PREFIX;
    // `>>> 0` round-trips only for integers in 0..2^32-1: a fraction or NaN must not index the array.
    return i >>> 0 === i && i < PREFIX_COUNT ? this.#cells[i] : NO_SEGMENT;
  }

  locationOf(cell: SegmentCell): Location {
    return this.#locations[(cell >>> 4) - 1];
  }

  /** The same data under another name, e.g. a prebuilt copy of the embedded default. */
  relabel(version: string, source: string): SegmentTable {
    return new SegmentTable(version, source, this.#locations, this.#cells);
  }

  /** The table as plain data, to rebuild it elsewhere (another thread) with `SegmentTable.unpack`. */
  pack(): PackedSegmentTable {
    return { version: this.version, source: this.source, locations: this.#locations, cells: this.#cells };
  }

  static unpack(packed: PackedSegmentTable): SegmentTable {
    const locations = packed.locations.map((l) => makeLocation(l.province, l.city, l.zip, l.areaCode));
    return new SegmentTable(packed.version, packed.source, locations, packed.cells);
  }

  get locations(): readonly Location[] {
    return this.#locations;
  }

  /** Present segments in prefix order. */
  *rows(): Generator<SegmentRow> {
    for (let i = 0; i < PREFIX_COUNT; i++) {
      const cell = this.#cells[i];
      if (cell !== NO_SEGMENT) {
        yield { prefix: FIRST_PREFIX + i, type: cellType(cell), location: this.locationOf(cell) };
      }
    }
  }
}

/** Collects rows from any reader; identical locations are stored once. */
export class SegmentTableBuilder {
  readonly #cells = new Uint32Array(PREFIX_COUNT);
  readonly #locations: Location[] = [];
  readonly #locationIds = new Map<string, number>();

  /** Returns false when the prefix was already set (the later row wins). */
  set(prefix7: number, type: SegmentType, location: Location): boolean {
    if (!isMobilePrefix(prefix7)) {
      throw new RangeError(
        `prefix ${prefix7} is not a mobile prefix (an integer ${FIRST_PREFIX}–${LAST_PREFIX})`,
      );
    }
    if (!isSegmentType(type)) throw new RangeError(`segment type ${type} is not 0..8`);
    const key = `${location.province}|${location.city}|${location.zip}|${location.areaCode}`;
    let id = this.#locationIds.get(key);
    if (id === undefined) {
      id = this.#locations.length;
      this.#locations.push(location);
      this.#locationIds.set(key, id);
    }
    const slot = prefix7 - FIRST_PREFIX;
    const fresh = this.#cells[slot] === NO_SEGMENT;
    this.#cells[slot] = ((id + 1) << 4) | type;
    return fresh;
  }

  has(prefix7: number): boolean {
    return isMobilePrefix(prefix7) && this.#cells[prefix7 - FIRST_PREFIX] !== NO_SEGMENT;
  }

  build(version: string, source: string): SegmentTable {
    return new SegmentTable(version, source, this.#locations.slice(), this.#cells.slice());
  }
}
