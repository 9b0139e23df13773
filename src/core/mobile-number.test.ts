import { describe, expect, it } from 'vitest';
import { maskMobile, parseMobile } from './mobile-number.js';

const valid: [string, unknown, string][] = [
  ['plain', '13972565391', '13972565391'],
  ['+86 with spaces', '+86 139 7256 5391', '13972565391'],
  ['0086 prefix', '008613972565391', '13972565391'],
  ['86 with dashes', '86-139-7256-5391', '13972565391'],
  ['86 without separators', '8613972565391', '13972565391'],
  ['+86 glued', '+8613972565391', '13972565391'],
  ['full-width digits', '１３９７２５６５３９１', '13972565391'],
  ['full-width plus and dashes', '＋８６－１３９－７２５６－５３９１', '13972565391'],
  ['surrounding whitespace', '  13972565391\t', '13972565391'],
  ['ideographic space', '139\u30007256\u30005391', '13972565391'],
  ['parentheses and dots', '(139) 7256.5391', '13972565391'],
  ['JSON number', 13972565391, '13972565391'],
  ['lowest segment', '13000000000', '13000000000'],
  ['highest segment', '19999999999', '19999999999'],
];

const invalid: [string, unknown, number][] = [
  ['undefined', undefined, 1],
  ['null', null, 1],
  ['empty', '', 1],
  ['whitespace only', '   \t ', 1],
  ['dashes only', '---', 1],
  ['10 digits', '1397256539', -2],
  ['12 digits', '139725653911', -2],
  ['letters', 'abcdefghijk', -2],
  ['digits with a letter', '1397256539a', -2],
  ['NUL byte inside', '139725\u000065391', -2],
  ['NUL bytes only', '\u0000\u0000', -2],
  ['10 kB string', '1'.repeat(10_240), -2],
  ['10 kB of spaces', ' '.repeat(10_240), -2],
  ['foreign country code', '+1 415 555 0123', -2],
  ['plus in the middle', '139+72565391', -2],
  ['two plus signs', '++8613972565391', -2],
  ['13 digits not starting 86', '1234567890123', -2],
  ['object', { mobile: '13972565391' }, -2],
  ['array', ['13972565391'], -2],
  ['boolean', true, -2],
  ['negative number', -13972565391, -2],
  ['fractional number', 1397256539.1, -2],
  ['landline with 11 digits', '01012345678', -3],
  ['starts with 12', '12972565391', -3],
  ['starts with 10', '10086000000', -3],
  ['starts with 2', '23972565391', -3],
  ['+86 landline', '+86 010 1234 5678', -3],
];

describe('parseMobile', () => {
  it.each(valid)('accepts %s', (_name, input, expected) => {
    const parsed = parseMobile(input);
    expect(parsed).toEqual({
      ok: true,
      mobile: expected,
      prefix7: Number(expected.slice(0, 7)),
      suffix4: Number(expected.slice(7)),
    });
  });

  it.each(invalid)('classifies %s', (_name, input, code) => {
    expect(parseMobile(input)).toEqual({ ok: false, code });
  });
});

describe('maskMobile', () => {
  it('keeps only the first three and last four digits', () => {
    expect(maskMobile('13972565391')).toBe('139****5391');
    expect(maskMobile('123')).toBe('***');
  });
});
