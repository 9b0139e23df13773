import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { requestParams } from './params.js';

function fromRequest(query: unknown, body: unknown) {
  return requestParams({ query, body } as unknown as FastifyRequest);
}

describe('requestParams', () => {
  it('reads the query string', () => {
    const params = fromRequest({ apikey: 'k', mobile: '13972565391' }, undefined);
    expect(params.get('apikey')).toBe('k');
    expect(params.get('mobile')).toBe('13972565391');
    expect(params.get('other')).toBeUndefined();
  });

  it('reads a form or JSON body, which wins over the query string', () => {
    const params = fromRequest({ mobile: 'query', apikey: 'q' }, { mobile: 'body' });
    expect(params.get('mobile')).toBe('body');
    expect(params.get('apikey')).toBe('q');
  });

  it('reads JSON numbers as text', () => {
    const params = fromRequest({}, { mobile: 13972565391, ext: 1, zero: 0 });
    expect(params.get('mobile')).toBe('13972565391');
    expect(params.get('ext')).toBe('1');
    expect(params.get('zero')).toBe('0');
  });

  it('counts values that are not text or finite numbers as missing, falling back to the query', () => {
    const params = fromRequest(
      { a: 'q', b: 'q', c: 'q', d: 'q', e: 'q' },
      { a: null, b: { x: 1 }, c: true, d: Number.NaN, e: [] },
    );
    for (const name of ['a', 'b', 'c', 'd', 'e']) expect(params.get(name)).toBe('q');
    expect(fromRequest({}, { a: null, b: Infinity }).get('a')).toBeUndefined();
    expect(fromRequest({}, { b: Infinity }).get('b')).toBeUndefined();
  });

  it('keeps the first value of a repeated parameter', () => {
    expect(fromRequest({ mobile: ['1', '2'] }, undefined).get('mobile')).toBe('1');
    expect(fromRequest({}, { mobile: ['1', '2'] }).get('mobile')).toBe('1');
    expect(fromRequest({}, { mobile: [13972565391] }).get('mobile')).toBe('13972565391');
  });

  it('ignores a body that is not an object', () => {
    for (const body of [undefined, null, 'text', 42, ['13972565391'], Buffer.from('x')]) {
      const params = fromRequest({ mobile: 'q' }, body);
      expect(params.get('mobile')).toBe('q');
    }
  });

  it('tolerates a missing query object', () => {
    expect(fromRequest(undefined, { mobile: 'b' }).get('mobile')).toBe('b');
    expect(fromRequest(null, undefined).get('mobile')).toBeUndefined();
  });

  it('cuts overlong values to 64 KiB', () => {
    const long = 'x'.repeat(100_000);
    expect(fromRequest({ a: long }, undefined).get('a')).toHaveLength(64 * 1024);
    expect(fromRequest({}, { a: long }).get('a')).toHaveLength(64 * 1024);
  });

  it('gives raw body values as sent (for the mobiles array)', () => {
    const mobiles = ['13972565391', 13800138000];
    const params = fromRequest({ mobiles: 'from-query', only: 'q' }, { mobiles });
    expect(params.raw('mobiles')).toBe(mobiles);
    expect(params.raw('only')).toBe('q');
    expect(params.raw('none')).toBeUndefined();
  });

  it('does not read inherited properties as parameters', () => {
    const params = fromRequest({}, {});
    expect(params.get('toString')).toBeUndefined();
    expect(params.get('constructor')).toBeUndefined();
    expect(params.get('__proto__')).toBeUndefined();
  });
});
