/**
 * Everything the server says in codes, said in words: console error codes, API result codes,
 * `res` values, carriers and statuses. Pages never show a raw code without its meaning.
 */
import type { TFunction } from 'i18next';
import { ApiError } from '../api/client';
import { zh } from './zh';

/** The API's result codes (src/core/result-codes.ts), success first. */
export const RESULT_CODES = [0, 1, -1, -2, -3, -4, -5, -6, -7, -8, -9] as const;

function known(code: number | string): boolean {
  return (RESULT_CODES as readonly number[]).includes(Number(code));
}

/** A short name for charts and tables: `成功`, `余额不足` … */
export function codeName(t: TFunction, code: number | string): string {
  return known(code) ? t(`codes.short.${code}`) : t('codes.unknown', { code });
}

/** The API's own reason text for the code (as in the seed's contract). */
export function codeReason(t: TFunction, code: number | string): string {
  return known(code) ? t(`codes.reason.${code}`) : t('codes.unknown', { code });
}

/** What the code means for the caller and what to do about it. */
export function codeExplanation(t: TFunction, code: number | string): string {
  return known(code) ? t(`codes.explain.${code}`) : t('codes.unknown', { code });
}

/** The server words some answers with the API's Chinese reason text; said here in the current language. */
export function reasonText(t: TFunction, reason: string): string {
  const code = Object.entries(zh.codes.reason).find(([, text]) => text === reason)?.[0];
  return code === undefined ? reason : codeReason(t, code);
}

export function resText(t: TFunction, res: string | null | undefined): string {
  if (res === '0' || res === '1' || res === '3' || res === '4') return t(`res.${res}`);
  return t('common.none');
}

const CARRIER_WORDS = new Set([
  '未知',
  '移动',
  '联通',
  '电信',
  '广电',
  '电信虚拟',
  '联通虚拟',
  '移动虚拟',
  '广电虚拟',
]);

/** Carrier and segment-type names come from the server in Chinese; English mode translates them. */
export function carrierName(t: TFunction, name: string | null | undefined): string {
  if (!name) return t('common.none');
  return CARRIER_WORDS.has(name) ? t(`carrier.${name}`) : name;
}

export function waitText(t: TFunction, seconds: number): string {
  const whole = Math.max(1, Math.ceil(seconds));
  if (whole < 60) return t('duration.seconds', { count: whole });
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return rest === 0
    ? t('duration.minutes', { count: minutes })
    : t('duration.minutesSeconds', { m: minutes, s: rest });
}

/** One sentence for any failure a page can meet. */
export function errorText(t: TFunction, error: unknown): string {
  if (!(error instanceof ApiError)) return t('errors.client');
  switch (error.code) {
    case 'too_many_attempts': {
      const seconds = Number(error.extra.retryAfterSeconds);
      return t('errors.too_many_attempts', { wait: waitText(t, Number.isFinite(seconds) ? seconds : 60) });
    }
    case 'unexpected':
      return t('errors.unexpected', { status: error.status });
    default:
      return t(`errors.${error.code}`);
  }
}

/**
 * The server's own detail when it adds something the sentence cannot know (which line, which
 * field). The server words it in English: a console in another language keeps to its sentence.
 */
export function errorDetail(error: unknown, language = 'en'): string | undefined {
  if (!(error instanceof ApiError) || !language.startsWith('en')) return undefined;
  const telling = ['bad_request', 'invalid_file', 'conflict', 'invalid_cidr', 'too_many_numbers'];
  return telling.includes(error.code) && error.detail ? error.detail : undefined;
}

/** A ledger reason (`opening balance`, `charge`, `topup: …`, `adjustment: …`) with its kind in words. */
export function ledgerReasonParts(reason: string): { kind: string; note: string } | undefined {
  const match = /^(opening balance|charge|topup|adjustment|refund)\b:?\s*(.*)$/i.exec(reason);
  if (!match) return undefined;
  return { kind: match[1].toLowerCase().split(' ')[0], note: match[2] };
}

export function ledgerReasonText(t: TFunction, reason: string): string {
  const parts = ledgerReasonParts(reason);
  if (!parts) return reason;
  const kind = t(`detail.ledgerKinds.${parts.kind}`);
  return parts.note ? `${kind}：${parts.note}` : kind;
}

/** The words of a feed report's problem (the server writes them in English, in a fixed form). */
const FEED_PROBLEMS: [RegExp, string, (match: RegExpExecArray) => Record<string, string>][] = [
  [/^bad number (".*")$/, 'badNumber', (m) => ({ value: m[1] })],
  [/^bad carrier (".*")$/, 'badCarrier', (m) => ({ value: m[1] })],
  [/^bad date (".*") \(expected YYYY-MM-DD\)$/, 'badDate', (m) => ({ value: m[1] })],
  [/^has (\d+) columns, expected (.*)$/, 'columns', (m) => ({ count: m[1], expected: m[2] })],
  [/^bad seq (".*")$/, 'badSeq', (m) => ({ value: m[1] })],
  [/^seq (\d+) where (\d+) was expected/, 'seqOrder', (m) => ({ seq: m[1], expected: m[2] })],
  [/^bad op (".*")/, 'badOp', (m) => ({ value: m[1] })],
  [/^duplicate number, also on line (\S+)/, 'duplicate', (m) => ({ line: m[1] })],
];

export function feedProblemText(t: TFunction, reason: string): string {
  for (const [pattern, key, values] of FEED_PROBLEMS) {
    const match = pattern.exec(reason);
    if (match) return t(`feedProblems.${key}`, values(match));
  }
  return reason;
}
