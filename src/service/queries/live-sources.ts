import type { LookupSources } from '../../core/lookup.js';
import type { SegmentTable } from '../../core/segment-table.js';
import { EMPTY_META } from '../../data/npdb-empty.js';
import type { PortedDatabase, PortedState } from '../../data/ported-database.js';

/**
 * The data lookups read now. The portability database swaps its state in one assignment; this
 * rebuilds the sources object only when that state changed, so a request costs no allocation.
 */
export class LiveSources {
  #sources: LookupSources;
  #portedState: PortedState | undefined;

  constructor(
    readonly segments: SegmentTable,
    readonly ported: PortedDatabase,
  ) {
    this.#sources = this.#build();
  }

  #build(): LookupSources {
    this.#portedState = this.ported.state;
    const { index, meta } = this.#portedState;
    // Without a portability database the answers say so: no ported data version.
    if (meta.dataVersion === EMPTY_META.dataVersion) return { segments: this.segments };
    return { segments: this.segments, ported: { index, version: meta.dataVersion } };
  }

  current(): LookupSources {
    if (this.ported.state !== this.#portedState) this.#sources = this.#build();
    return this.#sources;
  }
}
