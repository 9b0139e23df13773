/**
 * Segment updates on running servers: from the 2018 file to the 2025-02 file and back while HTTP
 * queries run (no failed request, answers change at one instant, rollback restores the earlier
 * answers), a broken file that changes nothing, corrections that survive an update, and two nodes
 * on one store (PostgreSQL, and SQLite) that each see what the other changed. Without the
 * reference files in ../shared/data the same runs on small files made here.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupMobile } from '../src/core/lookup.js';
import { diffSegments } from '../src/core/segment-diff.js';
import type { SegmentTable } from '../src/core/segment-table.js';
import { parseSegmentFile } from '../src/data/segment-source.js';
import {
  type BatchBody,
  type LookupBody,
  get,
  postJson,
  sleep,
} from '../src/http/test-support/http-client.js';
import { configFromEnv } from '../src/service/config.js';
import { cliActor } from '../src/service/operators/audit.js';
import { type RunningServer, startServer } from '../src/server/start-server.js';
import { SHARED_DATA_DIR } from '../src/test-support/phone-dat-image.js';
import { type TestServer, startTestServer } from '../src/test-support/test-server.js';
import { availableEngines, freshPostgresSchema } from '../src/test-support/test-databases.js';

const shared = (name: string) => fileURLToPath(new URL(name, SHARED_DATA_DIR));
const realFiles = [shared('phone-2018.dat'), shared('phone-2025-02.dat')];
const haveReal = realFiles.every((file) => existsSync(file));
if (!haveReal) console.log('segments live tests: reference files not here, running on small files made here');

const csvFile = (version: string, rows: string[]) =>
  Buffer.from([`# mnpd segments version ${version}`, ...rows].join('\n'));

/** The older and newer files, named as an operator would upload them. */
const [older, newer] = haveReal
  ? realFiles.map((file) => ({ name: file.split('/').pop()!, bytes: readFileSync(file) }))
  : [
      {
        name: 'older.csv',
        bytes: csvFile('1810', ['1397256,湖北,宜昌,443000,0717,移动', '1860000,广东,广州,510000,020,联通']),
      },
      {
        name: 'newer.csv',
        bytes: csvFile('2502', [
          '1397256,湖北,武汉,430000,027,移动',
          '1860000,广东,广州,510000,020,电信',
          '1983170,河北,沧州,061000,0317,移动',
        ]),
      },
    ];
const tableOf = (file: { name: string; bytes: Buffer }) => parseSegmentFile(file.name, file.bytes).table;
const olderTable = tableOf(older);
const newerTable = tableOf(newer);

/** Numbers whose answers differ between the files, and one that does not. */
function watchedNumbers(): string[] {
  const diff = diffSegments(olderTable, newerTable, 3);
  const changed = Object.values(diff.examples).flatMap((changes) => changes.map((c) => `${c.prefix}1234`));
  return [...new Set(['19831706690', '13972565391', ...changed])];
}
const watched = watchedNumbers();

/** The seed answer each file gives each watched number, by the file's version. */
function expectedBy(table: SegmentTable): Map<string, string> {
  return new Map(
    watched.map((mobile) => [mobile, JSON.stringify(seedOf(lookupMobile(mobile, { segments: table })))]),
  );
}
function seedOf(outcome: ReturnType<typeof lookupMobile>) {
  return outcome.code === 0 ? outcome.answer.seed : { code: outcome.code };
}
const expected = new Map([
  [olderTable.version, expectedBy(olderTable)],
  [newerTable.version, expectedBy(newerTable)],
]);

interface Observation {
  started: number;
  ended: number;
  version: string;
}

/** Queries (single and batch) in a loop until stopped; every answer checked against its version. */
function load(server: TestServer, apikey: string, workers = 4) {
  const seen: Observation[] = [];
  const failures: string[] = [];
  let running = true;
  const check = (item: LookupBody, mobile: string, where: string): string | undefined => {
    if (item.code !== 0) {
      // -4 is an answer too, where a file lacks the segment and the plan allocates nothing.
      const known = [...expected.values()].some(
        (answers) => answers.get(mobile) === JSON.stringify({ code: item.code }),
      );
      if (!known) failures.push(`${where}: ${mobile} answered code ${item.code}`);
      return undefined;
    }
    const result = item.result as NonNullable<LookupBody['result']> & { dataVersion: { segments: string } };
    const version = result.dataVersion.segments;
    const { res, Mobile, Area, Init_isp, Now_isp } = result;
    const want = expected.get(version)?.get(Mobile);
    const got = JSON.stringify({ res, Mobile, Area, Init_isp, Now_isp });
    if (want !== got) failures.push(`${where}: ${Mobile} under ${version} answered ${got}, expected ${want}`);
    return version;
  };
  const worker = async (n: number) => {
    for (let i = 0; running; i++) {
      const started = performance.now();
      try {
        if ((i + n) % 2 === 0) {
          const mobile = watched[(i * 7 + n) % watched.length];
          const answer = await get<LookupBody>(server.url, '/carrier', { apikey, mobile, ext: '1' });
          const version = answer.status === 200 ? check(answer.body, mobile, 'single') : undefined;
          if (answer.status !== 200) failures.push(`single: HTTP ${answer.status}`);
          if (version) seen.push({ started, ended: performance.now(), version });
        } else {
          const answer = await postJson<BatchBody>(server.url, '/carrier/batch', {
            apikey,
            mobiles: watched,
            ext: 1,
          });
          if (answer.status !== 200 || answer.body.code !== 0) {
            failures.push(`batch: HTTP ${answer.status} code ${answer.body.code}`);
            continue;
          }
          const versions = new Set(
            answer.body.result!.map((item, j) => check(item, watched[j], 'batch')).filter(Boolean),
          );
          // One request reads one table: never a mix of two versions.
          if (versions.size > 1) failures.push(`batch answered from ${[...versions].join(' and ')}`);
          for (const version of versions) seen.push({ started, ended: performance.now(), version: version! });
        }
      } catch (error) {
        failures.push(`request failed: ${(error as Error).message}`);
      }
    }
  };
  const done = Promise.all(Array.from({ length: workers }, (_, n) => worker(n)));
  return {
    seen,
    failures,
    async stop() {
      running = false;
      await done;
    },
  };
}

/** From `from` to `to` at one instant: no answer of `from` began after an answer of `to` ended. */
function changedAtOneInstant(seen: Observation[], from: string, to: string, swappedAt: number) {
  const firstNewEnd = Math.min(...seen.filter((o) => o.version === to).map((o) => o.ended));
  const lateOld = seen.filter((o) => o.version === from && o.started > firstNewEnd);
  expect(lateOld).toEqual([]);
  // Once the update returned, every request started after it answers from the new version.
  expect(seen.filter((o) => o.started > swappedAt && o.version !== to)).toEqual([]);
  expect(seen.some((o) => o.version === to)).toBe(true);
  expect(seen.some((o) => o.version === from)).toBe(true);
}

async function watchedAnswers(server: TestServer, apikey: string): Promise<string> {
  const answer = await postJson<BatchBody>(server.url, '/carrier/batch', { apikey, mobiles: watched });
  return JSON.stringify(answer.body.result);
}

for (const engine of availableEngines('segments live tests')) {
  describe(`segment updates on a running server (${engine})`, () => {
    let server: TestServer;
    let apikey: string;
    beforeAll(async () => {
      server = await startTestServer(engine);
      // The load is not rate limited: it measures answers, and a fast machine sends more than 200 a second.
      ({ apikey } = await server.account({ name: 'load', balance: 10_000_000, qpsLimit: 1_000_000 }));
    });
    afterAll(() => server.close());

    it('goes from the older file to the newer and back under load, with no failed or mixed answer', async () => {
      const segments = server.server.deps.segments;
      const actor = cliActor();
      await segments.update(actor, older.name, older.bytes);
      const before = await watchedAnswers(server, apikey);

      let running = load(server, apikey);
      // On a busy machine 300 ms may pass without one answer: wait for answers of each side.
      const answered =
        (under: { seen: Observation[] }, version: string, after = 0) =>
        () =>
          under.seen.some((o) => o.version === version && o.started > after);
      await eventually(answered(running, olderTable.version), 'answers from the older file');
      const report = await segments.update(actor, newer.name, newer.bytes);
      const updatedAt = performance.now();
      await eventually(answered(running, newerTable.version, updatedAt), 'answers from the newer file');
      await running.stop();
      expect(running.failures).toEqual([]);
      changedAtOneInstant(running.seen, olderTable.version, newerTable.version, updatedAt);
      expect(report.diff.before.version).toBe(olderTable.version);
      expect(report.diff.counts.added).toBeGreaterThan(0);

      running = load(server, apikey);
      await eventually(answered(running, newerTable.version), 'answers from the newer file');
      await segments.rollback(actor);
      const rolledBackAt = performance.now();
      await eventually(answered(running, olderTable.version, rolledBackAt), 'answers after the rollback');
      await running.stop();
      expect(running.failures).toEqual([]);
      changedAtOneInstant(running.seen, newerTable.version, olderTable.version, rolledBackAt);
      expect(await watchedAnswers(server, apikey)).toBe(before);

      const ready = await get<{ segments: { version: string; versionId: number } }>(server.url, '/readyz');
      expect(ready.body.segments).toMatchObject({
        version: olderTable.version,
        versionId: segments.inUse.versionId,
      });
    });

    it('changes nothing for a broken file', async () => {
      const segments = server.server.deps.segments;
      const before = await watchedAnswers(server, apikey);
      const inUse = segments.inUse;
      // Cut short mid-entry, as an interrupted copy leaves it.
      const cut = newer.bytes.subarray(0, newer.bytes.length - 5);
      const broken = haveReal ? cut : Buffer.from('2502\xff\xff\x00\x00', 'latin1');
      await expect(segments.update(cliActor(), 'broken.dat', broken)).rejects.toMatchObject({
        code: 'invalid_file',
      });
      expect(segments.inUse).toEqual(inUse);
      expect(await watchedAnswers(server, apikey)).toBe(before);
    });

    it('keeps a correction across an update', async () => {
      const segments = server.server.deps.segments;
      await segments.setOverride(cliActor(), { prefixes: '1983170', province: '河北', city: '唐山' });
      const area = async () =>
        (await get<LookupBody>(server.url, '/carrier', { apikey, mobile: '19831706690' })).body.result?.Area;
      expect(await area()).toBe('河北-唐山');
      const report = await segments.update(cliActor(), newer.name, newer.bytes);
      expect(report.overridesNowAgreeing).toEqual([]);
      expect(await area()).toBe('河北-唐山');
    });
  });
}

/** Two servers on one store, each with its own data directory, following each other quickly. */
async function twoNodes(engine: 'sqlite' | 'postgres') {
  const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'mnpd-node-')));
  const postgres = engine === 'postgres' ? await freshPostgresSchema() : undefined;
  const databaseUrl = postgres?.url ?? `sqlite:${join(dirs[0], 'shared.sqlite')}`;
  const servers: RunningServer[] = [];
  for (const dir of dirs) {
    const config = configFromEnv({
      MNPD_PORT: '0',
      MNPD_HOST: '127.0.0.1',
      MNPD_DATA_DIR: dir,
      DATABASE_URL: databaseUrl,
      MNPD_SEGMENTS_FOLLOW_MS: '100',
    });
    servers.push(await startServer(config, { logger: false }));
  }
  return {
    servers,
    async close() {
      for (const server of servers) await server.close();
      await postgres?.drop();
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    },
  };
}

async function eventually(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(50);
  }
}

for (const engine of availableEngines('segments cluster tests')) {
  describe(`two nodes on one ${engine} store`, () => {
    it('each sees an update and a correction made on the other', async () => {
      const nodes = await twoNodes(engine);
      try {
        const [a, b] = nodes.servers.map((server) => server.deps);
        const report = await a.segments.update(cliActor(), older.name, older.bytes);
        await eventually(() => b.segments.inUse.versionId === report.applied!.id, 'node b loads the update');
        expect(b.sources.segments.version).toBe(olderTable.version);

        await b.segments.setOverride(cliActor(), { prefixes: '1397256', city: '黄石' });
        await eventually(() => a.segments.inUse.overrides === 1, 'node a loads the correction');
        const cell = a.sources.segments.cellAt(1397256);
        expect(a.sources.segments.locationOf(cell).city).toBe('黄石');

        await b.segments.rollback(cliActor(), 'default');
        await eventually(() => a.segments.inUse.versionId === null, 'node a follows the rollback');
      } finally {
        await nodes.close();
      }
    });
  });
}
