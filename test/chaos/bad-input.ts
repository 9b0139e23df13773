/**
 * Bad input against a real node: the outside test's corpus (each with what it must answer), then
 * a fast-check fuzzer over raw requests. No 5xx, no crash, every balance move matched by code-0
 * answers; then the node's log is scanned for any whole 11-digit number and any secret.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { AccountService } from '../../src/service/accounts/account-service.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { type LoggedServer, isRunning, killServer, startServer } from '../serve.js';
import { type ConsoleSession, consoleLogin, multipart } from './console-session.js';
import { chaosDataDir, readLog } from './fixtures.js';
import { fuzzRequests } from './fuzz-requests.js';
import { ledgerAgrees } from './ledger.js';
import { type RawAnswer, type RequestParts, encodeRequest, rawRequest } from './raw-http.js';
import { type ScenarioTally, emptyTally } from './tally.js';

const ACCOUNT = 'chaos-input';
const PASSWORD = 'chaos-input-password-1';
const BALANCE = 100_000;
const M = '13972565391';
/** Fixed, so a run is repeatable; MNPD_CHAOS_FUZZ_SEED / _RUNS explore further. */
const FUZZ_RUNS = Number(process.env.MNPD_CHAOS_FUZZ_RUNS) || 1500;
const FUZZ_SEED = Number(process.env.MNPD_CHAOS_FUZZ_SEED) || 20_261_207;
const FUZZ_CONCURRENCY = 8;
/** Characters XML 1.0 cannot carry. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

interface Probe {
  name: string;
  request: RequestParts;
  /** What else this answer must be; a message when it is not. */
  check?: (answer: RawAnswer) => string | undefined;
  /** Charges this answer makes for its code-0 results (a replay makes none). */
  replay?: boolean;
}

const json = (answer: RawAnswer): { code?: number; result?: unknown } => {
  try {
    return JSON.parse(answer.body) as { code?: number; result?: unknown };
  } catch {
    return {};
  }
};
const code = (expected: number) => (answer: RawAnswer) =>
  json(answer).code === expected
    ? undefined
    : `expected code ${expected}, got HTTP ${answer.status} ${answer.body.slice(0, 120)}`;
const status = (expected: number) => (answer: RawAnswer) =>
  answer.status === expected
    ? undefined
    : `expected HTTP ${expected}, got ${answer.status} ${answer.body.slice(0, 120)}`;
const wellFormedXml = (answer: RawAnswer) => {
  if (NOT_XML.test(answer.body)) return 'the XML answer carries a character XML cannot';
  const valid = XMLValidator.validate(answer.body);
  return valid === true ? undefined : `the XML answer is not well-formed: ${valid.err.msg}`;
};

/** How many charges an answer stands for: its code-0 results. */
function codeZeroResults(answer: RawAnswer): number | undefined {
  const body = json(answer);
  if (body.code === undefined) return undefined;
  if (Array.isArray(body.result))
    return body.result.filter((item: { code?: number }) => item.code === 0).length;
  return body.code === 0 ? 1 : 0;
}

function corpus(apikey: string, customer: ConsoleSession, operator: ConsoleSession): Probe[] {
  const get = (target: string): RequestParts => ({ method: 'GET', target });
  const post = (
    target: string,
    type: string | undefined,
    body: string | Buffer,
    headers: [string, string][] = [],
  ) => ({
    method: 'POST',
    target,
    headers: [...headers, ...(type ? ([['Content-Type', type]] as [string, string][]) : [])],
    body,
  });
  const k = encodeURIComponent(apikey);
  const long = 'r'.repeat(128);
  const boundary = 'chaoscut';
  const cutMultipart = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\n1397256`;
  const deep = (depth: number, inner: string) => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
  return [
    {
      name: 'a batch with one number and an array nested 20,000 deep',
      request: post(
        '/carrier/batch',
        'application/json',
        `{"apikey":"${apikey}","mobiles":["${M}",${deep(20_000, '')}]}`,
      ),
      check: code(1),
    },
    {
      name: 'a mobile nested 15,000 deep',
      request: post(
        '/carrier',
        'application/json',
        `{"apikey":"${apikey}","mobile":${deep(15_000, `"${M}"`)}}`,
      ),
      check: code(1),
    },
    { name: 'api%6Bey=', request: get(`/carrier?api%6Bey=${k}&mobile=${M}&requestId=enc-1`) },
    { name: '%61pikey=', request: get(`/carrier?%61pikey=${k}&mobile=${M}&requestId=enc-2`) },
    { name: 'apikey[]=', request: get(`/carrier?apikey[]=${k}&mobile=${M}`) },
    { name: 'apikey[a]=', request: get(`/carrier?apikey[a]=${k}&mobile=${M}`) },
    { name: '__proto__=', request: get(`/carrier?__proto__=${k}&mobile=${M}`) },
    { name: 'mob%69le=%31…', request: get(`/carrier?apikey=${k}&mob%69le=%31${M.slice(1)}&requestId=enc-3`) },
    {
      name: "a mobile of =cmd|' /C calc'!A0",
      request: get(`/carrier?apikey=${k}&mobile=${encodeURIComponent("=cmd|' /C calc'!A0")}`),
      check: code(-2),
    },
    {
      name: 'a batch of formulas',
      request: post(
        '/carrier/batch',
        'application/json',
        JSON.stringify({ apikey, mobiles: ['=1+1', '@SUM(1+1)', '+1', '-1', '\t=1', M] }),
      ),
    },
    {
      name: 'a requestId of 200 characters',
      request: get(`/carrier?apikey=${k}&mobile=${M}&requestId=${'x'.repeat(200)}`),
      check: code(1),
    },
    {
      name: 'two requestIds sharing 128 characters (1)',
      request: get(`/carrier?apikey=${k}&mobile=${M}&requestId=${long}a`),
      check: code(1),
    },
    {
      name: 'two requestIds sharing 128 characters (2)',
      request: get(`/carrier?apikey=${k}&mobile=15000001234&requestId=${long}b`),
      check: code(1),
    },
    {
      name: 'a requestId used once',
      request: get(`/carrier?apikey=${k}&mobile=${M}&requestId=reused-1`),
      check: code(0),
    },
    {
      name: 'the same requestId, the same number',
      request: get(`/carrier?apikey=${k}&mobile=${M}&requestId=reused-1`),
      check: code(0),
      replay: true,
    },
    {
      name: 'the same requestId, another number',
      request: get(`/carrier?apikey=${k}&mobile=15000001234&requestId=reused-1`),
      check: code(-7),
    },
    {
      name: 'XML with U+FFFE in the requestId',
      request: get(`/carrier?apikey=${k}&mobile=${M}&format=xml&ext=1&requestId=%EF%BF%BEx1`),
      check: wellFormedXml,
    },
    {
      name: 'records as XML after it',
      request: get(`/records?apikey=${k}&format=xml`),
      check: wellFormedXml,
    },
    {
      name: 'a form body as text/plain',
      request: post('/carrier', 'text/plain', `apikey=${k}&mobile=${M}`),
      check: code(0),
    },
    {
      name: 'a form body without Content-Type',
      request: post('/carrier', undefined, `apikey=${k}&mobile=${M}`),
      check: code(0),
    },
    {
      name: 'a form body as multipart',
      request: post(
        '/carrier',
        `multipart/form-data; boundary=${boundary}`,
        multipart(boundary, { apikey, mobile: M }, []),
      ),
      check: code(0),
    },
    {
      name: 'a JSON body cut short',
      request: post('/carrier', 'application/json', `{"apikey":"${apikey}","mob`),
      check: code(1),
    },
    {
      name: 'a body over the limit',
      request: post(
        '/carrier',
        'application/x-www-form-urlencoded',
        `apikey=${k}&mobile=${'1'.repeat(300_000)}`,
      ),
      check: status(413),
    },
    { name: 'a broken percent escape', request: get(`/carrier?apikey=${k}&mobile=%E0%A4%A`) },
    { name: 'records with limit=5000', request: get(`/records?apikey=${k}&limit=5000`), check: code(1) },
    {
      name: 'batch upload: multipart cut short',
      request: post(
        '/console/api/me/batches',
        `multipart/form-data; boundary=${boundary}`,
        cutMultipart,
        customer.headers,
      ),
      check: status(400),
    },
    {
      name: 'batch upload: not multipart',
      request: post('/console/api/me/batches', 'application/json', '{"file":"x"}', customer.headers),
      check: status(400),
    },
    {
      name: 'portability upload: multipart cut short',
      request: post(
        '/console/api/admin/data/ported',
        `multipart/form-data; boundary=${boundary}`,
        cutMultipart,
        operator.headers,
      ),
      check: status(400),
    },
    {
      name: 'portability upload: not multipart',
      request: post('/console/api/admin/data/ported', 'text/plain', 'hello', operator.headers),
      check: status(400),
    },
    {
      name: 'portability upload: multipart without a boundary',
      request: post('/console/api/admin/data/ported', 'multipart/form-data', cutMultipart, operator.headers),
      check: status(400),
    },
    {
      name: 'reload with a wrong operator password',
      request: {
        method: 'POST',
        target: '/admin/ported/reload',
        headers: [['Authorization', `Basic ${Buffer.from('admin:wrong').toString('base64')}`]],
      },
    },
    {
      name: 'a request the HTTP parser refuses',
      request: { method: 'POST', target: `/carrier?apikey=${k}`, headers: [['Content-Length', 'abc']] },
      check: status(400),
    },
  ];
}

async function balanceOf(url: string, apikey: string): Promise<number> {
  const answer = (await (await fetch(`${url}/balance?apikey=${apikey}`)).json()) as {
    result?: { balance?: string };
  };
  return Number(answer.result?.balance);
}

/** Every string in the node's JSON log lines (numbers like times are not input, and are left out). */
function loggedStrings(log: string): string[] {
  const strings: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') strings.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      walk(JSON.parse(line));
    } catch {
      strings.push(line);
    }
  }
  return strings;
}

export async function badInput(): Promise<{ tally: ScenarioTally; problems: string[] }> {
  const tally = emptyTally(`bad-input corpus and ${FUZZ_RUNS.toLocaleString('en-US')} fuzzed raw requests`);
  const { dataDir, segments } = chaosDataDir('input');
  let node: LoggedServer | undefined;
  let store: Store | undefined;
  const problems: string[] = [];
  try {
    const setup = await openStore(undefined, dataDir);
    const { apikey } = await new AccountService(setup).open(
      { kind: 'system', name: 'chaos' },
      { name: ACCOUNT, feeType: 'prepaid', balance: BALANCE, password: PASSWORD },
      'chaos',
    );
    await setup.close();
    const logFile = join(dataDir, 'serve.log');
    node = await startServer(
      { MNPD_DATA_DIR: dataDir, MNPD_SEGMENTS: segments, MNPD_BODY_LIMIT: '262144' },
      logFile,
    );
    const server = node;
    const operatorPassword = /operator login:\s+admin \/ (\S+)/.exec(readLog(logFile))?.[1];
    if (!operatorPassword) throw new Error(`no operator login printed:\n${readLog(logFile)}`);
    const customer = await consoleLogin(server.url, 'customer', ACCOUNT, PASSWORD);
    const operator = await consoleLogin(server.url, 'operator', 'admin', operatorPassword);

    const counted = (answer: RawAnswer) => {
      tally.probes++;
      if (answer.status >= 500 && !(answer.status === 503 && json(answer).code === -8)) tally.serverErrors++;
    };
    for (const probe of corpus(apikey, customer, operator)) {
      const before = await balanceOf(server.url, apikey);
      const answer = await rawRequest(server.port, encodeRequest(probe.request));
      counted(answer);
      const charged = before - (await balanceOf(server.url, apikey));
      const results = probe.replay ? 0 : codeZeroResults(answer);
      if (results !== undefined && charged > results) tally.doubleCharges += charged - results;
      if (results !== undefined && charged < results) tally.lostCharges += results - charged;
      const finding = answer.status === 0 ? 'no answer' : probe.check?.(answer);
      if (finding) problems.push(`${probe.name}: ${finding}`);
      console.log(
        `chaos: bad input: ${probe.name}: HTTP ${answer.status} ${answer.body.slice(0, 80).replace(/\s+/g, ' ')}` +
          ` (charged ${charged})${finding ? ` — ${finding}` : ''}`,
      );
    }
    const corpusProbes = tally.probes;

    const requests = fc.sample(
      fuzzRequests({ apikey, customer: customer.headers, operator: operator.headers }),
      {
        numRuns: FUZZ_RUNS,
        seed: FUZZ_SEED,
      },
    );
    let unanswered = 0;
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const request = requests[next++];
        const answer = await rawRequest(server.port, encodeRequest(request));
        counted(answer);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status === 0) unanswered++;
        if (answer.status >= 500 && problems.length < 20) {
          problems.push(`fuzz: HTTP ${answer.status} for ${JSON.stringify(request).slice(0, 300)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: FUZZ_CONCURRENCY }, worker));
    console.log(
      `chaos: bad input: ${corpusProbes} corpus probes, ${requests.length} fuzzed (seed ${FUZZ_SEED}): ` +
        `statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}, ${unanswered} without an answer`,
    );
    if (!isRunning(server)) {
      tally.crashes++;
      problems.push('the node exited under bad input');
    }
    server.child.kill('SIGTERM');
    await server.exited;
    store = await openStore(undefined, dataDir);
    const ledger = await ledgerAgrees(store, ACCOUNT, BALANCE);
    if (!ledger.agrees) {
      tally.doubleCharges += Math.max(0, ledger.unexplained);
      tally.lostCharges += Math.max(0, -ledger.unexplained);
      problems.push(ledger.description);
    }

    // The log: no whole 11-digit number, no secret, whatever was sent.
    const secrets = [apikey, PASSWORD, operatorPassword, customer.csrfToken, operator.csrfToken];
    const strings = loggedStrings(readLog(logFile));
    // Request ids are UUIDs, whose last group is now and then all digits: not a number anyone sent.
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
    const numbered = strings
      .map((text) => text.replace(uuid, 'uuid'))
      .filter((text) => /(?<!\d)\d{11}(?!\d)/.test(text));
    const numbers = numbered.flatMap((text) => text.match(/(?<!\d)\d{11}(?!\d)/g) ?? []);
    for (const text of numbered.slice(0, 5)) console.log(`chaos: bad input: logged: ${text.slice(0, 300)}`);
    const leaked = secrets.filter((secret) => strings.some((text) => text.includes(secret)));
    console.log(
      `chaos: bad input: log scan of ${strings.length} logged strings: ${numbers.length} whole 11-digit numbers` +
        `${numbers.length ? ` (${[...new Set(numbers)].slice(0, 5).join(', ')})` : ''}, ${leaked.length} secrets`,
    );
    if (numbers.length > 0)
      problems.push(`the log holds whole 11-digit numbers: ${[...new Set(numbers)].slice(0, 5).join(', ')}`);
    if (leaked.length > 0) problems.push(`the log holds ${leaked.length} secrets`);
    return { tally, problems };
  } finally {
    if (node) await killServer(node);
    await store?.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
