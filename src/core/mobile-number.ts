import { ResultCode } from './result-codes.js';

/** Longer input is not a phone number however it is spelled; refusing it early bounds the work. */
export const MAX_MOBILE_INPUT_LENGTH = 64;

export type ParsedMobile =
  | { ok: true; mobile: string; prefix7: number; suffix4: number }
  | {
      ok: false;
      code: typeof ResultCode.MissingParameter | typeof ResultCode.BadLength | typeof ResultCode.NotMobile;
    };

const MISSING: ParsedMobile = { ok: false, code: ResultCode.MissingParameter };
const BAD_LENGTH: ParsedMobile = { ok: false, code: ResultCode.BadLength };
const NOT_MOBILE: ParsedMobile = { ok: false, code: ResultCode.NotMobile };

const DIGIT_0 = 0x30;
const FULLWIDTH_0 = 0xff10;

/** Characters people put between digits; they carry no meaning and are dropped. */
function isSeparator(c: number): boolean {
  return (
    c === 0x20 || // space
    c === 0x09 || // tab
    c === 0xa0 || // no-break space
    c === 0x3000 || // ideographic space
    c === 0x2d || // -
    c === 0xff0d || // －
    c === 0x2010 || // ‐
    c === 0x2011 ||
    c === 0x2012 ||
    c === 0x2013 || // –
    c === 0x2014 || // —
    c === 0x2e || // .
    c === 0x28 || // (
    c === 0x29 || // )
    c === 0xff08 || // （
    c === 0xff09 // ）
  );
}

function isAsciiDigits11(s: string): boolean {
  if (s.length !== 11) return false;
  for (let i = 0; i < 11; i++) {
    const c = s.charCodeAt(i) - DIGIT_0;
    if (c < 0 || c > 9) return false;
  }
  return true;
}

function fromDigits(mobile: string): ParsedMobile {
  // 1[3-9]xxxxxxxxx: the mobile number plan; everything else with 11 digits is a landline, a
  // service number or noise.
  const second = mobile.charCodeAt(1) - DIGIT_0;
  if (mobile.charCodeAt(0) !== DIGIT_0 + 1 || second < 3) return NOT_MOBILE;
  const prefix7 = +mobile.slice(0, 7);
  const suffix4 = +mobile.slice(7);
  return { ok: true, mobile, prefix7, suffix4 };
}

/**
 * Normalises what clients send as a mobile number: `13972565391`, `+86 139 7256 5391`,
 * `008613972565391`, `86-139-7256-5391`, full-width `１３９…`. Classification follows the contract:
 * nothing there → 1, not 11 digits after normalising → -2, 11 digits outside the mobile plan → -3.
 */
export function parseMobile(input: unknown): ParsedMobile {
  if (typeof input === 'number') {
    return Number.isSafeInteger(input) && input > 0 ? parseMobile(String(input)) : BAD_LENGTH;
  }
  if (input === undefined || input === null) return MISSING;
  if (typeof input !== 'string') return BAD_LENGTH;
  if (isAsciiDigits11(input)) return fromDigits(input);
  if (input.length > MAX_MOBILE_INPUT_LENGTH) return BAD_LENGTH;

  let digits = '';
  let plus = false;
  let foreign = false;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c >= DIGIT_0 && c <= DIGIT_0 + 9) digits += input[i];
    else if (c >= FULLWIDTH_0 && c <= FULLWIDTH_0 + 9)
      digits += String.fromCharCode(c - FULLWIDTH_0 + DIGIT_0);
    else if ((c === 0x2b || c === 0xff0b) && digits.length === 0 && !plus) plus = true;
    else if (!isSeparator(c)) foreign = true;
  }
  if (digits.length === 0 && !plus && !foreign) return MISSING;
  if (foreign) return BAD_LENGTH;

  if (plus) {
    // "+" announces a country code; only +86 is ours.
    if (!digits.startsWith('86')) return BAD_LENGTH;
    digits = digits.slice(2);
  } else if (digits.length === 15 && digits.startsWith('0086')) {
    digits = digits.slice(4);
  } else if (digits.length === 13 && digits.startsWith('86')) {
    digits = digits.slice(2);
  }
  return digits.length === 11 ? fromDigits(digits) : BAD_LENGTH;
}

/** For logs: `139****5391`. Never log a whole number. */
export function maskMobile(value: string): string {
  if (value.length <= 7) return '*'.repeat(value.length);
  return value.slice(0, 3) + '****' + value.slice(-4);
}
