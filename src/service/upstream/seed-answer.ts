import { type Carrier, parseCarrier } from '../../core/carrier.js';
import {
  type UpstreamAnswer,
  type UpstreamOutcome,
  operatorTrouble,
  refused,
  scrubDetail,
  transient,
} from './outcome.js';
import type { BalanceOutcome } from './provider.js';
import type { UpstreamReply } from './upstream-http.js';

/**
 * Reads the seed contract's answers (`{code, reason, result}`), which qxt800, its resellers, the
 * Aliyun-market `/isp` and mnpd itself all give. Codes as the seed's table defines them, plus -6,
 * mnpd's own "rate limited".
 */
export function seedOutcome(reply: UpstreamReply, mobile: string): UpstreamOutcome {
  const body = parseJson(reply.text);
  const code = body === undefined ? undefined : seedCode(body);
  if (code === undefined) {
    if (reply.status >= 200 && reply.status < 300)
      return transient('garbage', 'answer is not the seed’s JSON', `HTTP ${reply.status}`);
    return statusOutcome(reply.status);
  }
  const reason =
    typeof (body as { reason?: unknown }).reason === 'string' ? (body as { reason: string }).reason : '';
  if (code === 0) return answerOutcome((body as { result?: unknown }).result, mobile);
  return codeOutcome(code, `code ${code} ${reason}`);
}

/** What an HTTP status alone says, when the body is not the seed's. */
export function statusOutcome(status: number, detail = `HTTP ${status}`): UpstreamOutcome {
  const code = `HTTP ${status}`;
  if (status === 401) return operatorTrouble('bad-key', detail, code);
  if (status === 402) return operatorTrouble('no-balance', detail, code);
  if (status === 403) return operatorTrouble('no-permission', detail, code);
  if (status === 429) return transient('rate-limited', detail, code);
  if (status >= 500) return transient('http-status', detail, code);
  return operatorTrouble(
    'misconfigured',
    `${detail}: the provider does not take this request (check url and kind)`,
    code,
  );
}

function codeOutcome(code: number, detail: string): UpstreamOutcome {
  const text = String(code);
  switch (code) {
    case -4:
      return { kind: 'not-found', code: text };
    case 1:
    case -2:
    case -3:
      return refused(text, detail);
    case -1:
      return operatorTrouble('bad-key', detail, text);
    case -5:
      return operatorTrouble('no-balance', detail, text);
    case -9:
      return operatorTrouble('ip-refused', detail, text);
    case -6:
      return transient('rate-limited', detail, text);
    default:
      return transient('upstream-error', detail, text);
  }
}

function answerOutcome(result: unknown, mobile: string): UpstreamOutcome {
  if (typeof result !== 'object' || result === null)
    return transient('garbage', 'code 0 without a result', '0');
  const { res, Mobile, Area, Init_isp, Now_isp } = result as Record<string, unknown>;
  const resText = String(res);
  const carrier = typeof Now_isp === 'string' ? parseCarrier(Now_isp) : undefined;
  if (!['0', '1', '3', '4'].includes(resText) || carrier === undefined) {
    return transient(
      'garbage',
      `code 0 with res ${scrubDetail(resText)} and Now_isp ${scrubDetail(String(Now_isp))}`,
      '0',
    );
  }
  if (Mobile !== undefined && String(Mobile) !== mobile)
    return transient('garbage', 'answer for another number', '0');
  const answer: UpstreamAnswer = { carrier, ported: resText === '1' };
  const original: Carrier | undefined = typeof Init_isp === 'string' ? parseCarrier(Init_isp) : undefined;
  if (original !== undefined) answer.originalCarrier = original;
  if (resText === '3' || resText === '4') answer.virtual = true;
  if (typeof Area === 'string' && Area.trim()) {
    const [province, city] = Area.trim().split('-', 2);
    if (province) answer.province = province;
    if (city) answer.city = city;
  }
  return { kind: 'answer', answer, code: '0' };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The seed writes `code` as a number on success and sometimes as a string (`"-8"`) on failure. */
function seedCode(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const code = (body as { code?: unknown }).code;
  const value = typeof code === 'string' && /^-?\d+$/.test(code.trim()) ? Number(code) : code;
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** Reads the seed's `/balance` answer: `{"code":0,"result":{"feeType":"预付费","balance":"12048"}}`. */
export function seedBalanceOutcome(reply: UpstreamReply): BalanceOutcome {
  const body = parseJson(reply.text);
  const code = body === undefined ? undefined : seedCode(body);
  if (code === undefined) {
    const failure =
      reply.status >= 200 && reply.status < 300
        ? transient('garbage', 'balance answer is not the seed’s JSON', `HTTP ${reply.status}`)
        : statusOutcome(reply.status);
    return { ok: false, failure };
  }
  if (code !== 0) return { ok: false, failure: codeOutcome(code, `balance: code ${code}`) };
  const result = (body as { result?: { feeType?: unknown; balance?: unknown } }).result;
  const balance = Number(result?.balance);
  if (
    typeof result?.feeType !== 'string' ||
    !Number.isSafeInteger(balance) ||
    String(result.balance).trim() === ''
  ) {
    return {
      ok: false,
      failure: transient('garbage', 'balance answer without feeType and a whole balance', '0'),
    };
  }
  return { ok: true, balance: { feeType: result.feeType, balance } };
}
