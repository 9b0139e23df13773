import { describe, expect, it } from 'vitest';
import { MAX_READS_PER_NODE, UploadReader } from './upload-reader.js';

/** A text file long enough to keep its reader busy for a moment. */
const longFile = Buffer.from(
  Array.from({ length: 300_000 }, (_, i) => `139${String(i).padStart(8, '0')}`).join('\n'),
);

describe('UploadReader', () => {
  it('reads one file per account and a few per node at a time, and refuses the rest as busy', async () => {
    const reader = new UploadReader();
    const first = reader.read(1, 'a.txt', longFile);
    await expect(reader.read(1, 'b.txt', Buffer.from('13972565391'))).rejects.toMatchObject({ code: 'busy' });
    const others = Array.from({ length: MAX_READS_PER_NODE }, (_, i) =>
      reader.read(2 + i, 'c.txt', longFile),
    );
    const settled = await Promise.allSettled([first, ...others]);
    expect(settled.map((result) => result.status)).toEqual([
      'fulfilled',
      ...Array.from({ length: MAX_READS_PER_NODE - 1 }, () => 'fulfilled'),
      'rejected',
    ]);
    // Done, the slots are free again.
    expect((await reader.read(1, 'd.txt', Buffer.from('13972565391'))).valid).toBe(1);
  });
});
