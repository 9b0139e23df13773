import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PortedIndex } from '../core/ported-index.js';
import { NOT_PORTED, applyChanges, dayFromIsoDate, packedCarrier, packedDay } from '../core/ported-index.js';
import { DataFileError } from './data-file-error.js';
import {
  FEED_CHUNK_BYTES,
  FeedFile,
  FeedGapError,
  FeedRejectedError,
  detectFeedKind,
  parseDeltaFeed,
  parseFullFeed,
} from './ported-feed.js';

function lookup(index: PortedIndex, mobile: string): [number, number] | undefined {
  const packed = index.find(Number(mobile.slice(0, 7)), Number(mobile.slice(7)));
  return packed === NOT_PORTED ? undefined : [packedCarrier(packed), packedDay(packed)];
}

function rejection(run: () => unknown): FeedRejectedError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FeedRejectedError);
    return error as FeedRejectedError;
  }
  throw new Error('the feed was accepted');
}

describe('parseFullFeed', () => {
  it('reads every spelling of carriers and dates, quotes, CRLF, a BOM and a header', () => {
    const text =
      '\ufeffmobile,carrier,ported_at\r\n13972565391,电信,2023-05-06\r\n"13800000000","cmcc",""\r\n\r\n' +
      '15000000000,CUCC\n18900000000,中国广电,2019-11-27\n+86 139 0000 0000,ctcc,2020-01-01\n';
    const { index, report } = parseFullFeed(text, 'full.csv');
    expect(report).toEqual({ kind: 'full', rows: 5, valid: 5, invalid: 0, problems: [] });
    expect(index.size).toBe(5);
    expect(lookup(index, '13972565391')).toEqual([2, dayFromIsoDate('2023-05-06')]);
    expect(lookup(index, '13800000000')).toEqual([0, 0]);
    expect(lookup(index, '15000000000')).toEqual([1, 0]);
    expect(lookup(index, '18900000000')).toEqual([3, dayFromIsoDate('2019-11-27')]);
    expect(lookup(index, '13900000000')).toEqual([2, dayFromIsoDate('2020-01-01')]);
    expect(lookup(index, '13900000001')).toBeUndefined();
  });

  const broken = [
    '13972565391,电信,2023-05-06',
    '13972565392,卫通,2023-05-06',
    '13972565393,移动,2023-02-30',
    '1397256539,移动,2023-01-01',
    '13972565395',
    '13972565396,移动,2023/01/01',
    '13972565391,联通,2024-01-01',
    '12345678901,移动',
    '13972565397,移动,2023-01-01,extra',
    '13972565398,联通,2024-01-01',
  ].join('\n');

  it('rejects a file with any invalid row, naming lines and reasons', () => {
    const error = rejection(() => parseFullFeed(broken, 'full.csv'));
    expect(error.report.invalid).toBe(8);
    expect(error.report.valid).toBe(2);
    expect(error.report.problems).toEqual([
      { line: 2, reason: 'bad carrier "卫通"' },
      { line: 3, reason: 'bad date "2023-02-30" (expected YYYY-MM-DD)' },
      { line: 4, reason: 'bad number "1397256539"' },
      { line: 5, reason: 'has 1 columns, expected mobile,carrier[,ported_at]' },
      { line: 6, reason: 'bad date "2023/01/01" (expected YYYY-MM-DD)' },
      { line: 8, reason: 'bad number "12345678901"' },
      { line: 9, reason: 'has 4 columns, expected mobile,carrier[,ported_at]' },
      { line: 7, reason: 'duplicate number, also on line 1 (the later row is kept)' },
    ]);
    expect(error.message).toMatch(/full.csv: 8 invalid rows, nothing applied \(first: line 2: bad carrier/);
  });

  it('applies the valid rows with skipInvalid and reports the rest', () => {
    const { index, report } = parseFullFeed(broken, 'full.csv', { skipInvalid: true });
    expect(report.invalid).toBe(8);
    expect(index.size).toBe(2);
    expect(lookup(index, '13972565391')).toEqual([1, dayFromIsoDate('2024-01-01')]);
    expect(lookup(index, '13972565398')?.[0]).toBe(1);
  });

  it('refuses a full file without one valid row even with skipInvalid: it would empty the database', () => {
    const delta = '1,port,13972565391,电信,2024-01-01\n2,return,13972565392,,\n';
    const error = rejection(() => parseFullFeed(delta, 'delta.csv', { skipInvalid: true }));
    expect(error.report).toMatchObject({ valid: 0, invalid: 2 });
  });

  it('lists the first 100 problems and counts them all', () => {
    const rows = Array.from({ length: 250 }, (_, i) => `1380000${String(i).padStart(4, '0')},nobody`);
    const error = rejection(() => parseFullFeed(rows.join('\n'), 'x.csv'));
    expect(error.report.invalid).toBe(250);
    expect(error.report.problems).toHaveLength(100);
    expect(error.report.problems[99].line).toBe(100);
  });

  it('accepts an empty file as an empty database', () => {
    expect(parseFullFeed('', 'empty.csv').index.size).toBe(0);
    expect(parseFullFeed('mobile,carrier\n', 'empty.csv').index.size).toBe(0);
  });
});

describe('parseDeltaFeed', () => {
  const base = parseFullFeed('13972565391,电信,2023-05-06\n13800000000,联通,2022-01-01\n', 'base.csv').index;
  const delta = [
    'seq,op,mobile,carrier,ported_at',
    '11,port,15000000000,电信,2024-02-03',
    '12,return,13972565391,移动,2024-02-04',
    '13,port,13800000000,电信,2024-02-05',
    '14,port,15000000000,移动,2024-02-06',
    '15,return,13900000000,,',
  ].join('\n');

  it('applies ports, re-ports and returns in seq order', () => {
    const parsed = parseDeltaFeed(delta, 'd.csv', 10);
    expect(parsed.lastSeq).toBe(15);
    expect(parsed.report).toMatchObject({
      kind: 'delta',
      rows: 5,
      valid: 5,
      invalid: 0,
      firstSeq: 11,
      lastSeq: 15,
      alreadyApplied: 0,
    });
    const index = applyChanges(base, parsed.changes);
    expect(lookup(index, '15000000000')).toEqual([0, dayFromIsoDate('2024-02-06')]);
    expect(lookup(index, '13972565391')).toBeUndefined();
    expect(lookup(index, '13800000000')).toEqual([2, dayFromIsoDate('2024-02-05')]);
    expect(index.size).toBe(2);
  });

  it('changes nothing when re-applied, and applies only the new part of an overlapping file', () => {
    const again = parseDeltaFeed(delta, 'd.csv', 15);
    expect(again.changes.length).toBe(0);
    expect(again.lastSeq).toBe(15);
    expect(again.report.alreadyApplied).toBe(5);
    const overlap = parseDeltaFeed(delta, 'd.csv', 13);
    expect(overlap.changes.length).toBe(2);
    expect(overlap.report.alreadyApplied).toBe(3);
  });

  it('refuses a file that starts past the next seq', () => {
    expect(() => parseDeltaFeed(delta, 'd.csv', 8)).toThrow(FeedGapError);
    expect(() => parseDeltaFeed(delta, 'd.csv', 8)).toThrow(/starts at seq 11 but seq 9 is next/);
  });

  it('refuses a file past the next seq for its invalid rows first: it would wait for ever', () => {
    const broken = '11,port,15000000000,电信,2024-02-03\n12,port,not-a-number,电信,\n';
    expect(() => parseDeltaFeed(broken, 'd.csv', 8)).toThrow(FeedRejectedError);
    expect(() => parseDeltaFeed(broken, 'd.csv', 8, { skipInvalid: true })).toThrow(FeedGapError);
  });

  it('rejects gaps inside a file and every malformed row', () => {
    const error = rejection(() =>
      parseDeltaFeed(
        [
          '1,port,15000000000,电信,2024-02-03',
          '3,port,15000000001,电信,2024-02-03',
          '4,move,15000000002,电信,2024-02-03',
          'x,port,15000000003,电信,2024-02-03',
          '5,port,150000,电信,2024-02-03',
          '6,port,15000000005,电话,2024-02-03',
          '7,port,15000000006,电信,2024-13-01',
          '8,port,15000000007',
        ].join('\n'),
        'd.csv',
        0,
      ),
    );
    expect(error.report.problems.map((problem) => problem.line)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(error.report.problems.map((problem) => problem.reason)).toEqual([
      'seq 3 where 2 was expected (seqs rise by one)',
      'bad op "move" (expected port or return)',
      'bad seq "x"',
      'bad number "150000"',
      'bad carrier "电话"',
      'bad date "2024-13-01" (expected YYYY-MM-DD)',
      'has 3 columns, expected seq,op,mobile,carrier,ported_at',
    ]);
  });
});

describe('detectFeedKind', () => {
  it.each([
    ['mobile,carrier,ported_at\n', 'full'],
    ['13972565391,电信,2023-05-06\n', 'full'],
    ['seq,op,mobile,carrier,ported_at\n', 'delta'],
    ['1,port,13972565391,电信,2023-05-06\n', 'delta'],
    ['"7","return","13972565391","",""', 'delta'],
  ])('%j is a %s feed', (text, kind) => {
    expect(detectFeedKind(text)).toBe(kind);
  });
});

describe('feeds read from bytes', () => {
  it('decodes in chunks cut after newlines, keeping line numbers and multibyte characters whole', () => {
    // Enough rows that the file spans several chunks; carriers are multibyte (3 bytes a character).
    const rows = Math.ceil((FEED_CHUNK_BYTES * 2.5) / 19);
    const lines: string[] = [];
    for (let i = 0; i < rows; i++) lines.push(`1${String(3_000_000_000 + i * 7).slice(0, 10)},电信`);
    lines[rows - 1] = '13900000000,卫通';
    const bytes = Buffer.from(lines.join('\n'), 'utf8');
    expect(bytes.length).toBeGreaterThan(FEED_CHUNK_BYTES * 2);
    const error = rejection(() => parseFullFeed(bytes, 'big.csv'));
    expect(error.report.rows).toBe(rows);
    expect(error.report.problems).toEqual([{ line: rows, reason: 'bad carrier "卫通"' }]);
  });

  it('refuses bytes that are not UTF-8, naming where', () => {
    const bytes = Buffer.concat([Buffer.from('13972565391,电信\n'), Buffer.from([0xff, 0xfe, 0x0a])]);
    expect(() => parseFullFeed(bytes, 'bad.csv')).toThrow(DataFileError);
    expect(() => parseFullFeed(bytes, 'bad.csv')).toThrow(
      /bad.csv: not valid UTF-8 text \(between bytes 0 and 22\)/,
    );
  });
});

describe('feeds read from a file, a chunk at a time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mnpd-feed-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const ported = (i: number) => `139${String(10_000_000 + i * 13).slice(-8)}`;

  it('answers as the whole text does, whatever the chunk size, with line numbers kept', () => {
    const lines = ['\ufeffmobile,carrier,ported_at'];
    for (let i = 0; i < 500; i++)
      lines.push(`${ported(i)},${['移动', '联通', '电信', '广电'][i % 4]},2024-03-0${(i % 9) + 1}`);
    lines[300] = `${ported(299)},电信,2024-13-01`;
    const text = lines.join('\r\n') + '\r\n';
    const path = write('full.csv', text);
    const whole = rejection(() => parseFullFeed(text, 'full.csv', { skipInvalid: false }));
    // 7 bytes: smaller than one line, so lines are read across several chunks; 64: several lines each.
    for (const chunkBytes of [7, 64, 4096]) {
      const fromFile = rejection(() => parseFullFeed(FeedFile.open(path, chunkBytes), 'full.csv'));
      expect(fromFile.report).toEqual(whole.report);
      const kept = parseFullFeed(FeedFile.open(path, chunkBytes), 'full.csv', { skipInvalid: true });
      const expected = parseFullFeed(text, 'full.csv', { skipInvalid: true });
      expect(kept.report).toEqual(expected.report);
      expect(kept.index.arrays()).toEqual(expected.index.arrays());
    }
    expect(whole.report.problems).toEqual([
      { line: 301, reason: 'bad date "2024-13-01" (expected YYYY-MM-DD)' },
    ]);
  });

  it('reads a delta and lists duplicate numbers by line, as from text', () => {
    const delta = [
      '1,port,13972565391,电信,2024-01-02',
      '2,return,13972565391,,2024-02-03',
      '3,port,13800000000,联通,2024-03-04',
    ].join('\n');
    const path = write('delta.csv', delta);
    const fromFile = parseDeltaFeed(FeedFile.open(path, 16), 'delta.csv', 0);
    const fromText = parseDeltaFeed(delta, 'delta.csv', 0);
    expect(fromFile.report).toEqual(fromText.report);
    expect(fromFile.lastSeq).toBe(3);
    const duplicated = write('dup.csv', `${ported(1)},电信\n${ported(2)},联通\n${ported(1)},移动\n`);
    const error = rejection(() => parseFullFeed(FeedFile.open(duplicated, 10), 'dup.csv'));
    expect(error.report.problems).toEqual([
      { line: 3, reason: 'duplicate number, also on line 1 (the later row is kept)' },
    ]);
  });

  it('refuses a missing file and bytes that are not UTF-8, naming where', () => {
    expect(() => FeedFile.open(join(dir, 'nope.csv'))).toThrow(/nope.csv: no such file/);
    const path = write(
      'bad.csv',
      Buffer.concat([Buffer.from('13972565391,电信\n13972565392,电信\n'), Buffer.from([0xff, 0x0a])]),
    );
    expect(() => parseFullFeed(FeedFile.open(path, 20), 'bad.csv')).toThrow(
      /bad.csv: not valid UTF-8 text \(between bytes 38 and 40\)/,
    );
  });

  it('reads an empty file as an empty database', () => {
    const { index, report } = parseFullFeed(FeedFile.open(write('empty.csv', '')), 'empty.csv');
    expect(index.size).toBe(0);
    expect(report.rows).toBe(0);
  });
});
