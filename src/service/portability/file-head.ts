import { open } from 'node:fs/promises';

/** Enough of a file's start to tell a full snapshot from a delta, and a delta's first seq. */
export const FEED_HEAD_BYTES = 4096;

/** The start of a file, as text: cheap to ask of a large feed again and again. */
export async function fileHead(path: string, bytes = FEED_HEAD_BYTES): Promise<string> {
  const handle = await open(path);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(bytes), 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
