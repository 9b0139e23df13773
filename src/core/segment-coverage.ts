import { carrierLabel } from './carrier.js';
import { NOT_ALLOCATED, planFor, plannedType } from './numbering-plan.js';
import { FIRST_PREFIX } from './prefix.js';
import { NO_SEGMENT, type SegmentTable } from './segment-table.js';

/** Segments (7-digit prefixes) in a 3-digit block. */
const SEGMENTS_PER_BLOCK = 10_000;
const FIRST_BLOCK = FIRST_PREFIX / SEGMENTS_PER_BLOCK;
const LAST_BLOCK = 199;

/** How much of one 3-digit block the segment data covers, against what the numbering plan allocates. */
export interface BlockCoverage {
  /** `139` */
  readonly block: string;
  /** The carriers the plan allocates the block to (`移动`; `电信, 移动, 联通` for 170), '' if none. */
  readonly carriers: string;
  /** Segments the plan allocates: 10,000 for a whole block, 1,000 per 4-digit block, 100 per 5-digit one. */
  readonly allocated: number;
  /** Segments the data has, allocated or not. */
  readonly present: number;
  /** Allocated segments the data lacks: their numbers answer from the plan, with an empty Area. */
  readonly missing: number;
  /** Segments the data has where the plan allocates nothing. */
  readonly outsidePlan: number;
}

export interface SegmentCoverage {
  readonly blocks: readonly BlockCoverage[];
  readonly totals: Omit<BlockCoverage, 'block' | 'carriers'>;
}

function blockCoverage(table: SegmentTable, block: number): BlockCoverage {
  let allocated = 0;
  let present = 0;
  let outsidePlan = 0;
  const carriers = new Set<string>();
  const first = block * SEGMENTS_PER_BLOCK;
  for (let prefix = first; prefix < first + SEGMENTS_PER_BLOCK; prefix++) {
    const inPlan = plannedType(prefix) !== NOT_ALLOCATED;
    const inData = table.cellAt(prefix) !== NO_SEGMENT;
    if (inPlan) allocated++;
    if (inData) present++;
    if (inData && !inPlan) outsidePlan++;
    // Blocks of the plan are at least 100 segments long: one look per 100 finds every carrier.
    if (inPlan && prefix % 100 === 0) carriers.add(carrierLabel(planFor(prefix).carrier));
  }
  return {
    block: String(block),
    carriers: [...carriers].join(', '),
    allocated,
    present,
    missing: allocated - (present - outsidePlan),
    outsidePlan,
  };
}

/** Coverage of every 3-digit block 130–199, in order, with totals; pure, one pass over 700k prefixes. */
export function segmentCoverage(table: SegmentTable): SegmentCoverage {
  const blocks: BlockCoverage[] = [];
  for (let block = FIRST_BLOCK; block <= LAST_BLOCK; block++) blocks.push(blockCoverage(table, block));
  const sum = (field: 'allocated' | 'present' | 'missing' | 'outsidePlan') =>
    blocks.reduce((total, block) => total + block[field], 0);
  return {
    blocks,
    totals: {
      allocated: sum('allocated'),
      present: sum('present'),
      missing: sum('missing'),
      outsidePlan: sum('outsidePlan'),
    },
  };
}
