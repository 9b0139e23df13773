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

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeFeed(bytes: Uint8Array, file: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new FeedFileError(file, 'not valid UTF-8 text');
  }
}
