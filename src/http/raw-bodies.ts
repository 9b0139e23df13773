import type { FastifyRequest } from 'fastify';

/**
 * The bytes of a signed request's body, as the body parsers read them: a signature covers a body
 * other than a form through its Content-MD5, which only the bytes as sent can check. Kept only for
 * requests that carry a signature, and only as long as the request lives.
 */
const rawBodies = new WeakMap<FastifyRequest, string | Buffer>();

export function keepRawBodyIfSigned(request: FastifyRequest, body: string | Buffer): void {
  if (request.headers['x-ca-signature'] !== undefined) rawBodies.set(request, body);
}

export function rawBodyOf(request: FastifyRequest): string | Buffer | undefined {
  return rawBodies.get(request);
}
