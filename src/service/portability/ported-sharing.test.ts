import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { PortedDatabase } from '../../data/ported-database.js';
import type { Database } from '../../store/schema.js';
import type { Store } from '../../store/store.js';
import { SqliteStore } from '../../store/sqlite.js';
import { availableEngines } from '../../test-support/test-databases.js';
import { storeEngines } from '../../store/test-support/store-engines.js';
import { type TestServer, startTestServer } from '../../test-support/test-server.js';
import { loginFirstOperator } from '../../http/console/test-support/console-users.js';
import { PortedSharing, UNSHARED_DIR } from './ported-sharing.js';
import { BEIJING, DELTA_FEED, FULL_FEED, SHANGHAI, YICHANG } from '../../http/test-support/fixtures.js';
import { type LookupBody, get, sleep } from '../../http/test-support/http-client.js';

const SECOND_DELTA = [`3,port,${YICHANG},电信,2024-07-01`, ''].join('\n');

/** Nodes look for each other's feeds this often in these tests. */
const FOLLOW_MS = '100';

describe.each(availableEngines('portability feeds shared by a cluster'))(
  'a cluster of nodes sharing portability feeds (%s)',
  (engine) => {
    const nodes: TestServer[] = [];
    afterAll(async () => {
      for (const node of nodes.reverse()) await node.close();
    });

    /** Another node on the first node's store. */
    async function joinCluster(first: TestServer): Promise<TestServer> {
      const url = first.config.databaseUrl ?? `sqlite:${first.dataDir}/mnpd.sqlite`;
      const node = await startTestServer('sqlite', {
        DATABASE_URL: url,
        MNPD_NPDB_SHARED: 'on',
        MNPD_NPDB_FOLLOW_MS: FOLLOW_MS,
        MNPD_INBOX_INTERVAL_MS: '100',
      });
      nodes.push(node);
      return node;
    }

    async function carrierOn(node: TestServer, apikey: string, mobile: string) {
      const { result } = (await get<LookupBody>(node.url, '/carrier', { apikey, mobile })).body;
      return result && { res: result.res, Now_isp: result.Now_isp };
    }

    async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 15_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      let last: T | undefined;
      while (Date.now() < deadline) {
        last = await read();
        if (JSON.stringify(last) === JSON.stringify(expected)) return;
        await sleep(50);
      }
      expect(last).toEqual(expected);
    }

    it('applies on every node what one node applied, and a node that joins later catches up', async () => {
      const first = await startTestServer(engine, {
        MNPD_NPDB_SHARED: 'on',
        MNPD_NPDB_FOLLOW_MS: FOLLOW_MS,
        MNPD_INBOX_INTERVAL_MS: '100',
      });
      nodes.push(first);
      const second = await joinCluster(first);
      // Every poll of `eventually` is a charged answer: enough for a slow machine.
      const { apikey } = await first.account({ name: 'cluster', balance: 100_000, qpsLimit: 10_000 });
      const operator = await loginFirstOperator(first);

      // A full snapshot, then a delta, uploaded to the first node's console.
      for (const [kind, content] of [
        ['full', FULL_FEED],
        ['delta', DELTA_FEED],
      ] as const) {
        const answer = await operator.postFile('/admin/data/ported', 'file', `${kind}.csv`, content, {
          kind,
          skipInvalid: 'false',
        });
        expect(answer.status, answer.text()).toBe(202);
        const id = answer.json<{ id: number }>().id;
        await eventually(
          async () => (await operator.get(`/admin/data/imports/${id}`)).json<{ status: string }>().status,
          'applied',
        );
      }
      const expected = {
        [YICHANG]: { res: '0', Now_isp: '移动' },
        [BEIJING]: { res: '1', Now_isp: '电信' },
        [SHANGHAI]: { res: '1', Now_isp: '联通' },
      };
      for (const [mobile, answer] of Object.entries(expected)) {
        expect(await carrierOn(first, apikey, mobile)).toEqual(answer);
        await eventually(() => carrierOn(second, apikey, mobile), answer);
      }

      // A delta dropped into the second node's inbox reaches the first node.
      const inbox = join(second.dataDir, 'inbox');
      await writeFile(join(inbox, 'delta-3.csv.part'), SECOND_DELTA);
      await rename(join(inbox, 'delta-3.csv.part'), join(inbox, 'delta-3.csv'));
      const ported = { res: '1', Now_isp: '电信' };
      await eventually(() => carrierOn(second, apikey, YICHANG), ported);
      await eventually(() => carrierOn(first, apikey, YICHANG), ported);

      // A node that joins now starts from the full snapshot and applies every delta after it.
      const third = await joinCluster(first);
      for (const [mobile, answer] of Object.entries({ ...expected, [YICHANG]: ported })) {
        await eventually(() => carrierOn(third, apikey, mobile), answer);
      }
      // Each node keeps the place it has reached in the log.
      for (const node of [second, third]) {
        expect(existsSync(join(node.dataDir, 'npdb', 'followed.json'))).toBe(true);
      }
    });
  },
);

describe('following the log when a feed cannot be applied', () => {
  async function* chunksOf(text: string) {
    yield Buffer.from(text);
  }

  it('skips a feed refused for its rows, and tries again one that failed for another reason', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mnpd-follow-'));
    const file = join(dataDir, 'mnpd.sqlite');
    const store = new SqliteStore(file);
    await store.migrate();
    const raw = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) });
    try {
      const ported = await PortedDatabase.open(dataDir);
      const sharing = new PortedSharing(store, ported, 'this-node', { enabled: true });
      const other = { node: 'other-node', skipInvalid: false };
      await store.addPortedFeed({ ...other, kind: 'full', fileName: 'full.csv' }, chunksOf(FULL_FEED));
      // A carrier no one knows: refused here as it would be anywhere.
      await store.addPortedFeed(
        { ...other, kind: 'delta', fileName: 'bad.csv' },
        chunksOf('1,port,13800138000,卫通,\n'),
      );
      const lost = await store.addPortedFeed(
        { ...other, kind: 'delta', fileName: 'delta.csv' },
        chunksOf(DELTA_FEED),
      );
      const chunk = await store.portedFeedChunk(lost.id, 0);
      // Its file cannot be read for now (as when the store goes away while it is downloaded).
      await raw.deleteFrom('ported_feed_chunks').where('feed_id', '=', lost.id).execute();

      await sharing.follow();
      const followed = () => JSON.parse(readFileSync(join(dataDir, 'npdb', 'followed.json'), 'utf8')).feedId;
      expect(followed()).toBe(lost.id - 1);
      expect(ported.state.meta.lastSeq).toBe(0);
      expect(ported.state.index.size).toBe(2);

      await raw
        .insertInto('ported_feed_chunks')
        .values({ feed_id: lost.id, chunk_no: 0, data: chunk! })
        .execute();
      await sharing.follow();
      expect(followed()).toBe(lost.id);
      expect(ported.state.meta.lastSeq).toBe(2);
    } finally {
      await raw.destroy();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a feed applied while the store cannot record it', () => {
  /**
   * The store, with its feed log refusing writes while `down` is set; with `lostAnswer`, a write
   * commits but its answer is lost, as when a node stops between recording a feed and forgetting it.
   */
  function flaky(store: Store) {
    const state = { down: true, lostAnswer: false };
    const proxy = new Proxy(store, {
      get(target, name, receiver) {
        if (name === 'addPortedFeed' && state.down)
          return () => Promise.reject(new Error('the store is away'));
        if (name === 'addPortedFeed' && state.lostAnswer) {
          return async (...args: Parameters<Store['addPortedFeed']>) => {
            await target.addPortedFeed(...args);
            throw new Error('the answer was lost');
          };
        }
        const value = Reflect.get(target, name, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    return { store: proxy, state };
  }

  it('is kept, shared in order once the store answers, and holds back following until then', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mnpd-unshared-'));
    const laterDir = await mkdtemp(join(tmpdir(), 'mnpd-unshared-later-'));
    const store = new SqliteStore(join(dataDir, 'mnpd.sqlite'));
    await store.migrate();
    try {
      const { store: unreliable, state } = flaky(store);
      const ported = await PortedDatabase.open(dataDir);
      const sharing = new PortedSharing(unreliable, ported, 'this-node', { enabled: true });
      const kept = () => readdirSync(join(dataDir, 'npdb', UNSHARED_DIR)).sort();
      const file = async (name: string, text: string) => {
        const path = join(dataDir, name);
        await writeFile(path, text);
        return path;
      };

      // A delta kept, then a full snapshot that replaces it among the kept feeds.
      await sharing.applyDelta(await file('early.csv', '1,port,13800138000,联通,2024-01-01\n'));
      expect(kept()).toEqual(['000000000001.feed', '000000000001.json']);
      const full = await sharing.importFull(await file('full.csv', FULL_FEED));
      expect(full.changed).toBe(true);
      expect(full.notShared).toMatch(/the store is away; kept/);
      const delta = await sharing.applyDelta(await file('delta.csv', DELTA_FEED));
      expect(delta.notShared).toMatch(/the store is away/);
      expect(kept()).toEqual([
        '000000000002.feed',
        '000000000002.json',
        '000000000003.feed',
        '000000000003.json',
      ]);
      expect(await store.portedFeedsAfter(0, 10)).toEqual([]);

      // Another node records a feed meanwhile: not followed while ours wait, or the order would differ.
      await store.addPortedFeed(
        { node: 'other-node', kind: 'delta', fileName: 'next.csv', skipInvalid: false },
        (async function* () {
          yield Buffer.from(SECOND_DELTA);
        })(),
      );
      await sharing.follow();
      expect(ported.state.meta.lastSeq).toBe(2);
      expect(existsSync(join(dataDir, 'npdb', 'followed.json'))).toBe(false);

      state.down = false;
      await sharing.follow();
      expect(kept()).toEqual([]);
      const feeds = await store.portedFeedsAfter(0, 10);
      // The full snapshot pruned what was recorded before it, the other node's delta included.
      expect(feeds.map((feed) => [feed.node, feed.kind, feed.fileName])).toEqual([
        ['this-node', 'full', 'full.csv'],
        ['this-node', 'delta', 'delta.csv'],
      ]);

      // A feed recorded whose record this node never heard of: recorded again, it is recorded once.
      state.lostAnswer = true;
      const third = await sharing.applyDelta(await file('third.csv', SECOND_DELTA));
      expect(third.notShared).toMatch(/the answer was lost/);
      state.lostAnswer = false;
      await sharing.follow();
      expect(kept()).toEqual([]);
      expect((await store.portedFeedsAfter(0, 10)).map((feed) => feed.fileName)).toEqual([
        'full.csv',
        'delta.csv',
        'third.csv',
      ]);

      // A node that joins now ends up with what this node has.
      const later = await PortedDatabase.open(laterDir);
      await new PortedSharing(store, later, 'later-node', { enabled: true }).follow();
      expect(later.state.meta.lastSeq).toBe(ported.state.meta.lastSeq);
      expect(later.state.index.size).toBe(ported.state.index.size);
      for (const mobile of [YICHANG, BEIJING, SHANGHAI]) {
        const at = (db: PortedDatabase) =>
          db.state.index.find(Number(mobile.slice(0, 7)), Number(mobile.slice(7)));
        expect(at(later)).toEqual(at(ported));
      }
    } finally {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
      await rm(laterDir, { recursive: true, force: true });
    }
  });
});

describe.each(storeEngines.filter((engine) => !engine.skipReason))(
  'two nodes following each other every millisecond on $name',
  (engine) => {
    /** Rounds of the race; before the fix a round lost a feed more often than not. */
    const ROUNDS = 4;

    it('share every feed, however the follower and an import interleave', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const database = await engine.create();
        const [storeA, storeB] = [database.open(), database.open()];
        await storeA.migrate();
        await storeB.migrate();
        const [dirA, dirB] = [
          await mkdtemp(join(tmpdir(), 'mnpd-race-a-')),
          await mkdtemp(join(tmpdir(), 'mnpd-race-b-')),
        ];
        const [dbA, dbB] = [await PortedDatabase.open(dirA), await PortedDatabase.open(dirB)];
        const a = new PortedSharing(storeA, dbA, 'node-a', { enabled: true, followMs: 1 });
        const b = new PortedSharing(storeB, dbB, 'node-b', { enabled: true, followMs: 1 });
        const problems: string[] = [];
        const log = {
          info: () => {},
          warn: (_fields: object, message?: string) => problems.push(`${message}`),
          error: (_fields: object, message?: string) => problems.push(`${message}`),
        };
        // Both follow all the time: node a's own look at its kept feeds runs beside its imports.
        a.start(log);
        b.start(log);
        try {
          await writeFile(join(dirA, 'full.csv'), FULL_FEED);
          await writeFile(join(dirA, 'delta.csv'), DELTA_FEED);
          await sleep(Math.random() * 10);
          expect((await a.importFull(join(dirA, 'full.csv'))).notShared).toBeUndefined();
          await sleep(Math.random() * 10);
          expect((await a.applyDelta(join(dirA, 'delta.csv'))).notShared).toBeUndefined();
          for (let waited = 0; dbB.state.meta.lastSeq !== 2 && waited < 10_000; waited += 5) await sleep(5);
          expect({ round, lastSeq: dbB.state.meta.lastSeq, size: dbB.state.index.size, problems }).toEqual({
            round,
            lastSeq: 2,
            size: dbA.state.index.size,
            problems: [],
          });
        } finally {
          await a.close();
          await b.close();
          await storeA.close();
          await storeB.close();
          await database.dispose();
        }
      }
    });
  },
);
