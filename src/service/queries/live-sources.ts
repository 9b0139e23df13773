import type { LookupSources } from '../../core/lookup.js';
import type { SegmentTable } from '../../core/segment-table.js';
import { EMPTY_META } from '../../data/npdb-empty.js';
import type { PortedDatabase, PortedState } from '../../data/ported-database.js';

export interface LiveSourcesOptions {
  /** False: a number of an allocated block the segment data lacks answers -4, not its carrier. */
  planFallback?: boolean;
}

/**
 * The data lookups read now. The portability database swaps its state in one assignment, and so
 * does `replaceSegments`; the sources object is rebuilt only when one of them changed, so a
 * request costs no allocation, and a request reads one object: old data or new, never a mix.
 */
export class LiveSources {
  #segments: SegmentTable;
  #sources: LookupSources;
  #portedState: PortedState | undefined;
  readonly #planFallback: boolean;

  constructor(
    segments: SegmentTable,
    readonly ported: PortedDatabase,
    options: LiveSourcesOptions = {},
  ) {
    this.#segments = segments;
    this.#planFallback = options.planFallback ?? true;
    this.#sources = this.#build();
  }

  get segments(): SegmentTable {
    return this.#segments;
  }

  /** Requests from now on read `table`; one already answering keeps the table it started with. */
  replaceSegments(table: SegmentTable): void {
    this.#segments = table;
    this.#sources = this.#build();
  }

  #build(): LookupSources {
    this.#portedState = this.ported.state;
    const { index, meta } = this.#portedState;
    const segments = this.#segments;
    const planFallback = this.#planFallback;
    // Without a portability database the answers say so: no ported data version.
    if (meta.dataVersion === EMPTY_META.dataVersion) return { segments, planFallback };
    return { segments, planFallback, ported: { index, version: meta.dataVersion } };
  }

  current(): LookupSources {
    if (this.ported.state !== this.#portedState) this.#sources = this.#build();
    return this.#sources;
  }
}
