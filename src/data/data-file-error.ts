/**
 * A data file (segments, portability feed) that cannot be read at all: the message names the
 * file and what is broken. Odd rows are reported instead (ReadReport, FeedReport), never thrown.
 */
export class DataFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'DataFileError';
  }
}
