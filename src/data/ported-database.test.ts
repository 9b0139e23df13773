import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NOT_PORTED, packedCarrier } from '../core/ported-index.js';
import { PortedDatabase, readPortedState } from './ported-database.js';
import { FeedGapError, FeedRejectedError } from './ported-feed.js';

const newDir = () => mkdtemp(join(tmpdir(), 'mnpd-npdb-'));

function carrierOf(db: PortedDatabase, mobile: string): number {
  const packed = db.state.index.find(Number(mobile.slice(0, 7)), Number(mobile.slice(7)));
  return packed === NOT_PORTED ? -1 : packedCarrier(packed);
}

describe('PortedDatabase', () => {
  it('imports a full snapshot, persists it and reopens it', async () => {
    const dir = await newDir();
    const db = await PortedDatabase.open(dir);
    expect(db.state.index.size).toBe(0);
    expect(db.state.meta.lastSeq).toBe(0);
    const file = join(dir, 'full.csv');
    writeFileSync(file, 'mobile,carrier,ported_at\n13972565391,电信,2023-05-06\n13800000000,联通,\n');
    const result = await db.importFull(file, { seq: 41 });
    expect(result.changed).toBe(true);
    expect(result.report).toMatchObject({ rows: 2, valid: 2, invalid: 0 });
    expect(carrierOf(db, '13972565391')).toBe(2);
    expect(db.state.meta).toMatchObject({ lastSeq: 41, source: 'full.csv' });

    const reopened = await PortedDatabase.open(dir);
    expect(reopened.state.meta).toEqual(db.state.meta);
    expect(carrierOf(reopened, '13800000000')).toBe(1);
    expect((await readPortedState(dir))?.index.size).toBe(2);
  });

  it('applies deltas in seq order, ignores re-applied ones and refuses gaps', async () => {
    const dir = await newDir();
    const db = await PortedDatabase.open(dir);
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const first = write('d1.csv', '1,port,13972565391,电信,2023-05-06\n2,port,13800000000,联通,2023-05-07\n');
    const applied = await db.applyDelta(first);
    expect(applied.changed).toBe(true);
    expect(db.state.meta.lastSeq).toBe(2);
    const version = db.state.meta.dataVersion;

    const again = await db.applyDelta(first);
    expect(again.changed).toBe(false);
    expect(again.report?.alreadyApplied).toBe(2);
    expect(db.state.meta.dataVersion).toBe(version);

    const gap = write('d4.csv', '4,return,13972565391,,\n');
    await expect(db.applyDelta(gap)).rejects.toThrow(FeedGapError);
    expect(db.state.meta.lastSeq).toBe(2);

    await db.applyDelta(write('d3.csv', '3,port,15000000000,移动,2024-01-01\n'));
    await db.applyDelta(gap);
    expect(db.state.meta.lastSeq).toBe(4);
    expect(carrierOf(db, '13972565391')).toBe(-1);
    expect(carrierOf(db, '15000000000')).toBe(0);
  });

  it('leaves database and snapshot untouched when a feed is refused', async () => {
    const dir = await newDir();
    const db = await PortedDatabase.open(dir);
    const good = join(dir, 'good.csv');
    writeFileSync(good, '13972565391,电信\n');
    await db.importFull(good);
    const before = readFileSync(db.snapshotPath);
    const state = db.state;
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, '13800000000,联通\n13800000001,nobody\n');
    const error = await db.importFull(bad).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FeedRejectedError);
    expect((error as FeedRejectedError).report.problems).toEqual([
      { line: 2, reason: 'bad carrier "nobody"' },
    ]);
    expect(db.state).toBe(state);
    expect(readFileSync(db.snapshotPath).equals(before)).toBe(true);
    await expect(db.importFull(join(dir, 'missing.csv'))).rejects.toThrow(/missing.csv: no such file/);
    writeFileSync(bad, Buffer.from([0x31, 0xff, 0xfe, 0x0a]));
    await expect(db.importFull(bad)).rejects.toThrow(/not valid UTF-8/);
    expect(readdirSync(join(dir, 'npdb')).filter((name) => name.includes('tmp'))).toEqual([]);
  });

  it('refuses to open a corrupt snapshot', async () => {
    const dir = await newDir();
    const db = await PortedDatabase.open(dir);
    const file = join(dir, 'full.csv');
    writeFileSync(file, '13972565391,电信\n');
    await db.importFull(file);
    const bytes = readFileSync(db.snapshotPath);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(db.snapshotPath, bytes);
    await expect(PortedDatabase.open(dir)).rejects.toThrow(/ported.snapshot/);
  });

  it('swaps a new database in between two lookups, never blocking or mixing them', async () => {
    const dir = await newDir();
    const db = await PortedDatabase.open(dir);
    const count = 200_000;
    const numbers = Array.from({ length: count }, (_, i) => String(13_800_000_000 + i * 37));
    writeFileSync(join(dir, 'full.csv'), numbers.map((mobile) => `${mobile},联通`).join('\n'));
    await db.importFull(join(dir, 'full.csv'));
    writeFileSync(
      join(dir, 'delta.csv'),
      numbers.map((mobile, i) => `${i + 1},port,${mobile},电信,2024-01-01`).join('\n'),
    );

    let ticks = 0;
    const seen = new Set<number>();
    let running = true;
    const lookups = (async () => {
      while (running) {
        // One synchronous batch: every lookup in it must see the same database.
        const carriers = new Set<number>();
        for (let i = 0; i < count; i += 101) carriers.add(carrierOf(db, numbers[i]));
        expect(carriers.size).toBe(1);
        seen.add([...carriers][0]);
        ticks++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const applying = db.applyDelta(join(dir, 'delta.csv'));
    const ticksAtStart = ticks;
    await applying;
    const ticksDuringApply = ticks - ticksAtStart;
    running = false;
    await lookups;
    expect(ticksDuringApply).toBeGreaterThan(0);
    expect(seen).toEqual(new Set([1, 2]));
    expect(carrierOf(db, numbers[count - 1])).toBe(2);
  });

  it('runs changes one at a time, in the order they were asked for', async () => {
    const dir = await newDir();
    const db = await PortedDatabase.open(dir);
    const files = [1, 2, 3].map((seq) => {
      const file = join(dir, `d${seq}.csv`);
      writeFileSync(file, `${seq},port,1380000000${seq},电信,2024-01-0${seq}\n`);
      return file;
    });
    await Promise.all(files.map((file) => db.applyDelta(file)));
    expect(db.state.meta.lastSeq).toBe(3);
    expect(db.state.index.size).toBe(3);
  });
});
