/** A feed file that cannot be read as text at all. */
export class FeedFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'FeedFileError';
  }
}
