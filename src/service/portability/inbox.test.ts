import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../store/open-store.js';
import type { Store } from '../../store/store.js';
import { type InboxOutcome, processInbox, watchInbox } from './inbox.js';
import { openPortability } from './open-portability.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

async function setUp() {
  const dir = await mkdtemp(join(tmpdir(), 'mnpd-inbox-'));
  await mkdir(join(dir, 'inbox'));
  const store = await openStore(undefined, dir);
  stores.push(store);
  const { db, service } = await openPortability({ dataDir: dir, store, shared: false });
  return {
    dir,
    db,
    service,
    store,
    drop: (name: string, text: string) => writeFileSync(join(dir, 'inbox', name), text),
  };
}

const summary = (outcomes: InboxOutcome[]) => outcomes.map(({ file, kind, status }) => [file, kind, status]);

describe('the inbox drop folder', () => {
  it('applies files in order, a delta waiting for its predecessor, and files them with reports', async () => {
    const { dir, db, service, store, drop } = await setUp();
    drop('1-full.csv', 'mobile,carrier\n13972565391,电信\n13800000000,联通\n');
    drop('2-delta-b.csv', '3,return,13972565391,,\n');
    drop(
      '3-delta-a.csv',
      'seq,op,mobile,carrier,ported_at\n1,port,15000000000,电信,2024-01-01\n2,port,15000000001,电信,\n',
    );
    drop('4-bad.csv', '13972565391,电信\nnot-a-number,移动\n');
    drop('5-later.csv.part', 'being written');
    drop('.hidden', 'ignored');

    const outcomes = await processInbox(service, dir);
    expect(summary(outcomes)).toEqual([
      ['1-full.csv', 'full', 'applied'],
      ['2-delta-b.csv', 'delta', 'applied'],
      ['3-delta-a.csv', 'delta', 'applied'],
      ['4-bad.csv', 'full', 'failed'],
    ]);
    expect(db.state.meta.lastSeq).toBe(3);
    expect(db.state.index.size).toBe(3);
    expect(readdirSync(join(dir, 'inbox')).sort()).toEqual(['.hidden', '5-later.csv.part']);
    const archived = readdirSync(join(dir, 'archive'));
    expect(archived.filter((name) => name.endsWith('-1-full.csv'))).toHaveLength(1);
    expect(archived.filter((name) => name.endsWith('.report.json'))).toHaveLength(3);
    const failed = readdirSync(join(dir, 'failed'));
    const report = JSON.parse(
      readFileSync(
        join(
          dir,
          'failed',
          failed.find((name) => name.endsWith('.report.json'))!,
        ),
        'utf8',
      ),
    );
    expect(report.status).toBe('failed');
    expect(report.report.problems).toEqual([{ line: 2, reason: 'bad number "not-a-number"' }]);
    // Every file applied or refused is in the import history, as the drop folder's; the delta
    // that waited for its predecessor is recorded once, when it was applied.
    const history = (await store.listDataImports()).rows.reverse();
    expect(history.map((row) => [row.fileName, row.origin, row.operator, row.status])).toEqual([
      ['1-full.csv', 'inbox', 'inbox', 'applied'],
      ['3-delta-a.csv', 'inbox', 'inbox', 'applied'],
      ['4-bad.csv', 'inbox', 'inbox', 'rejected'],
      ['2-delta-b.csv', 'inbox', 'inbox', 'applied'],
    ]);
  });

  it('keeps a delta with a gap in the inbox, and files a re-applied one as unchanged', async () => {
    const { dir, db, service, store, drop } = await setUp();
    drop('d1.csv', '1,port,15000000000,电信,2024-01-01\n');
    await processInbox(service, dir);
    drop('d1-again.csv', '1,port,15000000000,电信,2024-01-01\n');
    drop('d5.csv', '5,port,15000000001,电信,2024-01-01\n');
    const outcomes = await processInbox(service, dir);
    expect(summary(outcomes)).toEqual([
      ['d1-again.csv', 'delta', 'unchanged'],
      ['d5.csv', 'delta', 'waiting'],
    ]);
    expect(outcomes[1].message).toMatch(/waiting for seq 2–4/);
    expect(existsSync(join(dir, 'inbox', 'd5.csv'))).toBe(true);
    expect(db.state.meta.lastSeq).toBe(1);
    // A waiting file is not an import yet: nothing of it in the history.
    expect((await store.listDataImports()).rows.map((row) => row.fileName)).toEqual([
      'd1-again.csv',
      'd1.csv',
    ]);
  });

  it('is watched: a dropped file is applied without a call', async () => {
    const { dir, db, service, drop } = await setUp();
    const seen: InboxOutcome[] = [];
    const applied = new Promise<void>((resolve) => {
      const watcher = watchInbox(service, dir, {
        intervalMs: 20,
        onOutcome: (outcome) => {
          seen.push(outcome);
          watcher.close();
          resolve();
        },
      });
    });
    drop('full.csv', '13972565391,电信\n');
    await applied;
    expect(summary(seen)).toEqual([['full.csv', 'full', 'applied']]);
    expect(db.state.index.size).toBe(1);
  });

  it('refuses at once a waiting delta with invalid rows, and reads a valid waiting one only once', async () => {
    const { dir, service, store, drop } = await setUp();
    drop('d5-bad.csv', '5,port,15000000001,电信,2024-01-01\n6,port,not-a-number,电信,\n');
    drop('d7.csv', '7,port,15000000002,电信,2024-01-01\n');
    const reads = vi.spyOn(service, 'checkWaitingDelta');
    const checked = new Map<string, string>();
    const first = await processInbox(service, dir, { checked });
    expect(summary(first)).toEqual([
      ['d5-bad.csv', 'delta', 'failed'],
      ['d7.csv', 'delta', 'waiting'],
    ]);
    expect(first[0].report?.problems).toEqual([{ line: 2, reason: 'bad number "not-a-number"' }]);
    expect(readdirSync(join(dir, 'failed')).some((name) => name.endsWith('-d5-bad.csv'))).toBe(true);
    expect((await store.listDataImports()).rows.map((row) => [row.fileName, row.status])).toEqual([
      ['d5-bad.csv', 'rejected'],
    ]);
    // Unchanged, the waiting file is not read through again; changed, it is.
    expect(summary(await processInbox(service, dir, { checked }))).toEqual([['d7.csv', 'delta', 'waiting']]);
    expect(reads).toHaveBeenCalledTimes(2);
    drop('d7.csv', '7,port,15000000002,电信,2024-01-01\n8,port,15000000003,电信,\n');
    await processInbox(service, dir, { checked });
    expect(reads).toHaveBeenCalledTimes(3);
  });
});
