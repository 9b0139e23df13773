/** How many odd rows a report lists one by one; beyond it they are only counted. */
export const MAX_REPORTED_ROWS = 100;

export interface ReportedRow {
  /** `line 12`, `index entry 3 (prefix 1300002)`, `record at byte 8` … */
  readonly where: string;
  readonly problem: string;
}

/**
 * What a reader noticed but could live with: odd rows are reported, never fatal. Counts are kept
 * per kind of problem so a summary stays short on files with thousands of them.
 */
export class ReadReport {
  readonly rows: ReportedRow[] = [];
  readonly countsByProblem = new Map<string, number>();
  total = 0;

  add(where: string, problem: string, kind = problem): void {
    this.total++;
    this.countsByProblem.set(kind, (this.countsByProblem.get(kind) ?? 0) + 1);
    if (this.rows.length < MAX_REPORTED_ROWS) this.rows.push({ where, problem });
  }

  /** One line per kind, most frequent first: `9 × card type 0 (unknown carrier)`. */
  summary(): string[] {
    return [...this.countsByProblem].sort((a, b) => b[1] - a[1]).map(([kind, count]) => `${count} × ${kind}`);
  }
}
