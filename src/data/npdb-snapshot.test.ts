import { chmod, mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PortedIndex, PortedIndexBuilder } from '../core/ported-index.js';
import { PREFIX_COUNT } from '../core/prefix.js';
import {
  type NpdbMeta,
  SNAPSHOT_FORMAT_VERSION,
  SnapshotError,
  readSnapshot,
  writeSnapshot,
} from './npdb-snapshot.js';

const META: NpdbMeta = {
  dataVersion: '20250301T120000Z',
  lastSeq: 42,
  createdAt: '2025-03-01T12:00:00.000Z',
  source: 'full-2025-03-01.csv (携号转网)',
};

function sampleIndex(): PortedIndex {
  const builder = new PortedIndexBuilder();
  builder.add(1_397_256, 5391, 2, 3617);
  builder.add(1_397_256, 12, 1, 0);
  builder.add(1_300_000, 0, 3, 65_535);
  builder.add(1_999_999, 9999, 0, 1);
  return builder.build().index;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mnpd-snapshot-'));
});
afterEach(async () => {
  await chmod(dir, 0o700).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function expectRefused(path: string, message: RegExp): Promise<void> {
  const error = await readSnapshot(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SnapshotError);
  expect((error as Error).message).toMatch(message);
  // Every refusal names the file it refused.
  expect((error as Error).message).toContain(path);
}

/** Positions inside a written snapshot: end of header JSON, start of the arrays, the CRC. */
async function writeSample(index = sampleIndex()) {
  const path = join(dir, 'npdb.snapshot');
  await writeSnapshot(path, index, META);
  const bytes = await readFile(path);
  const headerEnd = 16 + bytes.readUInt32LE(12);
  const offsetsAt = (headerEnd + 7) & ~7;
  return {
    path,
    bytes,
    headerEnd,
    offsetsAt,
    keysAt: offsetsAt + (PREFIX_COUNT + 1) * 4,
    crcAt: bytes.length - 4,
  };
}

/** Rewrites the trailing CRC so that only the deliberate damage is left to detect. */
function withValidCrc(bytes: Buffer): Buffer {
  const crc32 = (zlib as unknown as { crc32: (data: Uint8Array) => number }).crc32;
  bytes.writeUInt32LE(crc32(bytes.subarray(0, bytes.length - 4)) >>> 0, bytes.length - 4);
  return bytes;
}

function headerJsonOf(bytes: Buffer): Record<string, unknown> {
  return JSON.parse(bytes.subarray(16, 16 + bytes.readUInt32LE(12)).toString('utf8')) as Record<
    string,
    unknown
  >;
}

/** A file with the given header JSON and the payload of `bytes`, CRC recomputed. */
function withHeader(bytes: Buffer, header: Record<string, unknown>): Buffer {
  const oldEnd = (16 + bytes.readUInt32LE(12) + 7) & ~7;
  const json = Buffer.from(JSON.stringify(header));
  const head = Buffer.alloc((16 + json.length + 7) & ~7);
  bytes.copy(head, 0, 0, 12);
  head.writeUInt32LE(json.length, 12);
  json.copy(head, 16);
  return withValidCrc(Buffer.concat([head, bytes.subarray(oldEnd)]));
}

describe('NPDB snapshot round trip', () => {
  it('preserves a non-empty index and its meta', async () => {
    const index = sampleIndex();
    const { path } = await writeSample(index);
    const loaded = await readSnapshot(path);
    expect(loaded.meta).toEqual(META);
    expect([...loaded.index.entries()]).toEqual([...index.entries()]);
    expect(loaded.index.find(1_397_256, 5391)).toBe(index.find(1_397_256, 5391));
    // Zero-copy views into one freshly allocated buffer.
    const { offsets, keys, days } = loaded.index.arrays();
    expect(keys.buffer).toBe(offsets.buffer);
    expect(days.buffer).toBe(offsets.buffer);
  });

  it('preserves an empty index', async () => {
    const path = join(dir, 'empty.snapshot');
    await writeSnapshot(path, PortedIndex.empty(), META);
    const loaded = await readSnapshot(path);
    expect(loaded.index.size).toBe(0);
    expect(loaded.meta).toEqual(META);
  });

  it('replaces an existing snapshot and leaves no temporary files', async () => {
    const { path } = await writeSample();
    await writeSnapshot(path, PortedIndex.empty(), { ...META, lastSeq: 43 });
    expect((await readSnapshot(path)).meta.lastSeq).toBe(43);
    expect(await readdir(dir)).toEqual(['npdb.snapshot']);
  });
});

describe('NPDB snapshot refuses damaged files', () => {
  it('refuses a truncated file, wherever it is cut', async () => {
    const { path, bytes, headerEnd, offsetsAt, keysAt, crcAt } = await writeSample();
    for (const length of [
      0,
      5,
      8,
      12,
      15,
      16,
      headerEnd - 1,
      offsetsAt + 100,
      keysAt + 3,
      crcAt,
      bytes.length - 1,
    ]) {
      await writeFile(path, bytes.subarray(0, length));
      await expectRefused(path, /truncated/);
    }
  });

  it('refuses a flipped byte in the header, the payload or the checksum', async () => {
    const { path, bytes, headerEnd, keysAt, crcAt } = await writeSample();
    for (const at of [20, headerEnd - 2, keysAt - 10, keysAt + 1, bytes.length - 6, crcAt, crcAt + 3]) {
      const damaged = Buffer.from(bytes);
      damaged[at] ^= 0x01;
      await writeFile(path, damaged);
      await expectRefused(path, /checksum mismatch/);
    }
  });

  it('refuses a file that is not a snapshot', async () => {
    const path = join(dir, 'npdb.snapshot');
    await writeFile(path, 'mobile,carrier\n13972565391,电信\n');
    await expectRefused(path, /not an NPDB snapshot \(bad magic/);
    await writeFile(path, 'MN');
    await expectRefused(path, /truncated/);
    await writeFile(path, 'xy');
    await expectRefused(path, /bad magic/);
    const { bytes } = await writeSample();
    bytes.write('MNPDNPX9', 0, 'latin1');
    await writeFile(path, bytes);
    await expectRefused(path, /bad magic/);
  });

  it('refuses a format version from the future', async () => {
    const { path, bytes } = await writeSample();
    bytes.writeUInt32LE(SNAPSHOT_FORMAT_VERSION + 1, 8);
    await writeFile(path, withValidCrc(bytes));
    await expectRefused(path, /unsupported NPDB snapshot format version 2 \(this mnpd reads version 1\)/);
  });

  it('refuses a header that does not match the sizes, even with a valid checksum', async () => {
    const { path, bytes } = await writeSample();
    const header = headerJsonOf(bytes);
    await writeFile(path, withHeader(bytes, { ...header, count: 5 }));
    await expectRefused(path, /header inconsistent with the file size/);
    await writeFile(path, withHeader(bytes, { ...header, prefixCount: PREFIX_COUNT - 1 }));
    await expectRefused(path, /header inconsistent/);
    await writeFile(path, withHeader(bytes, { ...header, meta: { ...META, lastSeq: -1 } }));
    await expectRefused(path, /invalid header: meta.lastSeq/);
    const big = Buffer.from(bytes);
    big.writeUInt32LE(0x7fffffff, 12);
    await writeFile(path, withValidCrc(big));
    await expectRefused(path, /header length 2147483647 is implausible/);
  });

  it('refuses an index whose invariants are broken, even with a valid checksum', async () => {
    const { path, bytes, keysAt } = await writeSample();
    // Entries 1 and 2 are suffixes 12 and 5391 of prefix 1397256: make them equal.
    bytes.writeUInt16LE(bytes.readUInt16LE(keysAt + 4), keysAt + 2);
    await writeFile(path, withValidCrc(bytes));
    await expectRefused(path, /index invariant broken: .*not strictly increasing/);
  });

  it('says when the file cannot be opened', async () => {
    await expectRefused(join(dir, 'missing.snapshot'), /cannot open NPDB snapshot/);
  });
});

describe('NPDB snapshot writes atomically', () => {
  it('keeps the existing snapshot when the index fails mid-write', async () => {
    const { path, bytes } = await writeSample();
    const failing = new Proxy(PortedIndex.empty(), {
      get(target, property, receiver) {
        if (property === 'arrays') {
          return () => {
            throw new Error('index exploded');
          };
        }
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    await expect(writeSnapshot(path, failing, META)).rejects.toThrow(
      /could not write NPDB snapshot: index exploded/,
    );
    expect((await readFile(path)).equals(bytes)).toBe(true);
    expect(await readdir(dir)).toEqual(['npdb.snapshot']);
  });

  it('keeps the target when the rename fails, and leaves no temporary file', async () => {
    // A directory in the snapshot's place makes the final rename fail after everything was written.
    const path = join(dir, 'npdb.snapshot');
    await mkdir(path);
    await writeFile(join(path, 'keep'), 'x');
    await expect(writeSnapshot(path, sampleIndex(), META)).rejects.toThrow(SnapshotError);
    expect(await readdir(dir)).toEqual(['npdb.snapshot']);
    expect(await readdir(path)).toEqual(['keep']);
  });

  it('refuses meta that a reader would refuse, before touching the disk', async () => {
    const { path, bytes } = await writeSample();
    await expect(writeSnapshot(path, sampleIndex(), { ...META, lastSeq: 1.5 })).rejects.toThrow(
      /meta.lastSeq/,
    );
    expect((await readFile(path)).equals(bytes)).toBe(true);
    expect(await readdir(dir)).toEqual(['npdb.snapshot']);
  });

  // Root ignores directory permissions, so this case only means something for other users.
  it.skipIf(process.getuid?.() === 0)(
    'keeps the existing snapshot when the directory is read-only',
    async () => {
      const { path, bytes } = await writeSample();
      await chmod(dir, 0o500);
      await expect(writeSnapshot(path, PortedIndex.empty(), META)).rejects.toThrow(SnapshotError);
      await chmod(dir, 0o700);
      expect((await readFile(path)).equals(bytes)).toBe(true);
      expect(await readdir(dir)).toEqual(['npdb.snapshot']);
    },
  );

  it('can write and read the file again after a refused write', async () => {
    const { path } = await writeSample();
    await truncate(path, 10);
    await expectRefused(path, /truncated/);
    await writeSnapshot(path, sampleIndex(), META);
    expect((await readSnapshot(path)).index.size).toBe(4);
  });
});
