import type { FastifyReply } from 'fastify';
import { XMLBuilder } from 'fast-xml-parser';
import type { RequestParams } from './params.js';

/** A JSONP callback must be a plain (dotted) identifier: anything else could run script. */
const CALLBACK = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;
const MAX_CALLBACK_LENGTH = 64;

export type AnswerFormat = { kind: 'json' } | { kind: 'xml' } | { kind: 'jsonp'; callback: string };

const xml = new XMLBuilder({ arrayNodeName: 'item', suppressEmptyNode: false, processEntities: true });

/** The format a request asks for; undefined when its callback name is unusable. */
export function answerFormat(params: RequestParams): AnswerFormat | undefined {
  const callback = params.get('callback');
  if (callback !== undefined && callback !== '') {
    return callback.length <= MAX_CALLBACK_LENGTH && CALLBACK.test(callback)
      ? { kind: 'jsonp', callback }
      : undefined;
  }
  return params.get('format')?.toLowerCase() === 'xml' ? { kind: 'xml' } : { kind: 'json' };
}

/**
 * Characters XML 1.0 cannot carry (most controls, lone surrogates, U+FFFE and U+FFFF), each as
 * U+FFFD: a client's requestId or a logged number may hold any of them, and one would make the
 * whole answer unreadable to an XML parser.
 */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlSafe(text: string): string {
  return text.replace(NOT_XML, '\uFFFD');
}

function toXml(body: object): string {
  // Arrays become <item> elements; the builder only names them when they are wrapped.
  const wrap = (value: unknown): unknown =>
    Array.isArray(value)
      ? { item: value.map(wrap) }
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, wrap(inner)]))
        : typeof value === 'string'
          ? xmlSafe(value)
          : value;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<response>${xml.build(wrap(body))}</response>\n`;
}

/** Sends an answer body as JSON, XML or JSONP; `status` stays 200 for every answer with a code. */
export function sendAnswer(
  reply: FastifyReply,
  format: AnswerFormat,
  body: object,
  status = 200,
): FastifyReply {
  reply.code(status);
  switch (format.kind) {
    case 'xml':
      return reply.type('application/xml; charset=utf-8').send(toXml(body));
    case 'jsonp':
      // The comment guards against content sniffing of the first bytes (Rosetta Flash).
      return reply
        .type('application/javascript; charset=utf-8')
        .header('X-Content-Type-Options', 'nosniff')
        .send(
          `/**/ typeof ${format.callback} === 'function' && ${format.callback}(${JSON.stringify(body)});`,
        );
    default:
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
  }
}
