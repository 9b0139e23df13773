import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type ServerConfig, configFromEnv } from '../service/config.js';
import type { NewAccountInput } from '../service/accounts/account-service.js';
import { cliActor } from '../service/operators/audit.js';
import { type RunningServer, startServer } from '../server/start-server.js';
import type { Account } from '../store/store.js';
import { type Engine, freshPostgresSchema } from './test-databases.js';

/** A small segment file so servers start at once; the numbers tests use are in it. */
export const TEST_SEGMENTS_CSV = [
  '# mnpd segments version 2502',
  'prefix,province,city,zip,area_code,isp',
  '1397256,湖北,宜昌,443000,0717,移动',
  '1380013,北京,北京,100000,010,移动',
  '1500000,上海,上海,200000,021,移动',
  '1860000,广东,广州,510000,020,联通',
  '1890000,广东,深圳,518000,0755,电信',
  '1700000,北京,北京,100000,010,电信虚拟',
  '1920000,湖北,武汉,430000,027,广电',
].join('\n');

export interface TestServer {
  server: RunningServer;
  /** `http://127.0.0.1:PORT` */
  url: string;
  dataDir: string;
  config: ServerConfig;
  /** An account with one apikey (returned in clear, as `mnpd account create` prints it). */
  account(input: Partial<NewAccountInput> & { name: string }): Promise<{ account: Account; apikey: string }>;
  close(): Promise<void>;
}

/**
 * A real server on a free loopback port with its own data directory and store (SQLite file, or a
 * fresh PostgreSQL schema). `env` overrides MNPD_* settings as the environment would.
 */
export async function startTestServer(
  engine: Engine = 'sqlite',
  env: Record<string, string> = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mnpd-http-'));
  const segments = join(dataDir, 'segments.csv');
  writeFileSync(segments, TEST_SEGMENTS_CSV);
  const postgres = engine === 'postgres' ? await freshPostgresSchema() : undefined;
  const config = configFromEnv({
    MNPD_PORT: '0',
    MNPD_HOST: '127.0.0.1',
    MNPD_DATA_DIR: dataDir,
    MNPD_SEGMENTS: segments,
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
    ...env,
  });
  const server = await startServer(config, { logger: false });
  const { accounts } = server.deps;
  return {
    server,
    url: server.url,
    dataDir,
    config,
    async account(input) {
      const fields = { feeType: 'prepaid' as const, balance: 100, ...input };
      return accounts.open(cliActor(), fields, 'test');
    },
    async close() {
      await server.close();
      await postgres?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * One test server for a whole test file, or for the describe block it is called in: started before
 * its first test, closed after its last. The returned object stands for the server (a proxy), so
 * tests read `server.url` as usual.
 */
export function serverForThisFile(engine: Engine = 'sqlite', env: Record<string, string> = {}): TestServer {
  let current: TestServer | undefined;
  beforeAll(async () => {
    current = await startTestServer(engine, env);
  });
  afterAll(async () => {
    await current?.close();
  });
  return new Proxy({} as TestServer, {
    get: (_target, property) => {
      if (!current) throw new Error('the test server is used before beforeAll started it');
      return Reflect.get(current, property);
    },
  });
}
