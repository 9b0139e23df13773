import { randomBytes } from 'node:crypto';
import type { TestServer } from '../../test-support/test-server.js';
import { cliActor } from '../../service/operators/audit.js';
import { newSecret } from '../../service/accounts/secrets.js';
import type { BalanceBody, RecordRow, RecordsBody } from './http-client.js';
import { get } from './http-client.js';

/** The numbers of the test segment CSV (src/test-support/test-server.ts) and what they answer. */
export const YICHANG = '13972565391';
export const BEIJING = '13800138000';
export const SHANGHAI = '15000000000';
export const GUANGZHOU_UNICOM = '18600000000';
export const SHENZHEN_TELECOM = '18900000000';
export const TELECOM_VIRTUAL = '17000000001';
export const BROADNET = '19200000001';
/** A valid mobile number of a block no carrier holds (154), which the test CSV lacks: -4. */
export const NO_DATA = '15400000000';
/** Ten digits: -2. */
export const TOO_SHORT = '1397256539';
/** Eleven digits outside the mobile plan: -3. */
export const NOT_MOBILE = '12345678901';

export const REASON = {
  0: 'Succ',
  1: '请求参数缺失',
  [-1]: 'apikey不正确',
  [-2]: '查询的手机号码长度不对',
  [-3]: '请填写正确的手机号码',
  [-4]: '未查询到相关信息',
  [-5]: '当前余额不足',
  [-6]: '请求过于频繁',
  [-8]: '系统错误,请稍候再试',
  [-9]: 'ip地址鉴权失败',
} as const;

export type Code = keyof typeof REASON;

/** The body of an answer that is only a code. */
export function codeOnly(code: Code): { code: number; reason: string } {
  return { code, reason: REASON[code] };
}

/** The seed's answer for a number of the test CSV that is not ported. */
export function seedAnswer(
  mobile: string,
  area: string,
  isp: string,
  res = '0',
  nowIsp = isp,
): { code: 0; reason: 'Succ'; result: Record<string, string> } {
  return {
    code: 0,
    reason: 'Succ',
    result: { res, Mobile: mobile, Area: area, Init_isp: isp, Now_isp: nowIsp },
  };
}

export const YICHANG_ANSWER = seedAnswer(YICHANG, '湖北-宜昌', '移动');

/** The fields `ext=1` appends to YICHANG_ANSWER's result (before the request id), as JSON has them. */
export const YICHANG_EXTENDED = {
  province: '湖北',
  city: '宜昌',
  zip: '443000',
  areaCode: '0717',
  type: '移动',
  virtual: false,
  portedAt: null,
  dataVersion: { segments: '2502', ported: null },
  areaKnown: true,
  source: 'segment',
  checkedAt: null,
};

/** A fresh, unique account name: accounts of one server share a namespace. */
export function uniqueName(prefix = 'acct'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** A 32-character key that no account has. */
export function unknownApikey(): string {
  return newSecret();
}

/** Adds an APPCODE (the Aliyun-market key) to an account; returns it in clear. */
export async function addAppcode(server: TestServer, accountId: number): Promise<string> {
  return (await server.server.deps.accounts.issueKey(cliActor(), accountId, 'appcode', 'appcode')).secret;
}

/** The balance as `/balance` reports it (a string). */
export async function balanceOf(server: TestServer, apikey: string): Promise<string> {
  const answer = await get<BalanceBody>(server.url, '/balance', { apikey });
  if (answer.body.code !== 0) throw new Error(`balance answered ${answer.text}`);
  return answer.body.result!.balance;
}

/** Every query-log row of an account, newest first, read through `/records` page by page. */
export async function allRecords(server: TestServer, apikey: string, limit = 1000): Promise<RecordRow[]> {
  const rows: RecordRow[] = [];
  let before: number | null = null;
  do {
    const query: Record<string, string> = { apikey, limit: String(limit) };
    if (before !== null) query.before = String(before);
    const answer = await get<RecordsBody>(server.url, '/records', query);
    if (answer.body.code !== 0) throw new Error(`records answered ${answer.text}`);
    rows.push(...answer.body.result!.rows);
    before = answer.body.result!.next;
  } while (before !== null);
  return rows;
}

/** Changes to keys and IP rules take effect at once in this process. */
export function forgetCachedKeys(server: TestServer): void {
  server.server.deps.keys.invalidate();
}

/** A full portability snapshot: 宜昌 moved to 联通, 北京 to 电信. */
export const FULL_FEED = [
  'mobile,carrier,ported_at',
  `${YICHANG},联通,2024-05-01`,
  `${BEIJING},电信,2023-01-15`,
  '',
].join('\n');
/** The delta after FULL_FEED: 上海 moves to 联通 (seq 1), 宜昌 goes back to 移动 (seq 2). */
export const DELTA_FEED = [
  'seq,op,mobile,carrier,ported_at',
  `1,port,${SHANGHAI},联通,2024-06-01`,
  `2,return,${YICHANG},,2024-06-02`,
].join('\n');
