import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { RequestParams } from './params.js';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../service/queries/query-service.js';
import { queryContext } from './request-context.js';

function request(headers: Record<string, string | string[]> = {}): FastifyRequest {
  return { headers, ip: '203.0.113.7', id: 'server-id', startedAt: 12.5 } as unknown as FastifyRequest;
}

function params(values: Record<string, string>): RequestParams {
  return { get: (name) => values[name], raw: (name) => values[name] };
}

describe('queryContext', () => {
  it('uses the server’s request id when the client gives no key', () => {
    expect(queryContext(request(), params({}))).toEqual({
      ip: '203.0.113.7',
      maskedIp: '203.0.113.0',
      requestId: 'server-id',
      idempotencyKey: null,
      ext: false,
      startedAt: 12.5,
    });
  });

  it('takes the requestId parameter, then the Idempotency-Key header', () => {
    expect(queryContext(request(), params({ requestId: 'r1' }))).toMatchObject({
      requestId: 'r1',
      idempotencyKey: 'q:r1',
    });
    expect(queryContext(request({ 'idempotency-key': 'h1' }), params({}))).toMatchObject({
      requestId: 'h1',
      idempotencyKey: 'q:h1',
    });
    expect(queryContext(request({ 'idempotency-key': 'h1' }), params({ requestId: 'r1' }))).toMatchObject({
      idempotencyKey: 'q:r1',
    });
  });

  it('falls back to the header when the requestId parameter is empty', () => {
    expect(
      queryContext(request({ 'idempotency-key': 'h1' }), params({ requestId: '' }))?.idempotencyKey,
    ).toBe('q:h1');
    expect(
      queryContext(request({ 'idempotency-key': '' }), params({ requestId: '' }))?.idempotencyKey,
    ).toBeNull();
  });

  it('ignores a repeated Idempotency-Key header rather than guessing', () => {
    expect(queryContext(request({ 'idempotency-key': ['a', 'b'] }), params({}))?.idempotencyKey).toBeNull();
  });

  it('refuses a key longer than MAX_IDEMPOTENCY_KEY_LENGTH rather than cutting it', () => {
    const longest = 'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH);
    expect(queryContext(request(), params({ requestId: longest }))?.requestId).toBe(longest);
    expect(queryContext(request(), params({ requestId: `${longest}1` }))).toBeUndefined();
    expect(queryContext(request({ 'idempotency-key': `${longest}2` }), params({}))).toBeUndefined();
  });

  it('drops control characters, which PostgreSQL text cannot hold', () => {
    const context = queryContext(request(), params({ requestId: 'a\u0000b\nc' }));
    expect(context).toMatchObject({ requestId: 'abc', idempotencyKey: 'q:abc' });
    expect(queryContext(request(), params({ requestId: '\u0000' }))?.idempotencyKey).toBeNull();
  });

  it.each([
    ['1', true],
    ['true', true],
    ['TRUE', true],
    ['yes', true],
    ['0', false],
    ['false', false],
    ['', false],
    ['on', false],
  ])('reads ext=%j as %s', (ext, expected) => {
    expect(queryContext(request(), params({ ext }))?.ext).toBe(expected);
  });
});
