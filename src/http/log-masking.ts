import { maskMobile } from '../core/mobile-number.js';

/**
 * A request's URL as the log keeps it. Names and values are read as the server reads them,
 * percent-decoded (`api%6Bey` is an apikey, `mob%69le=%313972565391` a number), and then: a key's
 * value is never shown, a number is shown as `139****5391`, and what looks like a key anywhere
 * else (a `__proto__` or `apikey[]` parameter, a path) is hidden too.
 */

/** Parameters whose value is a secret, however they are bracketed or cased. */
const SECRET_NAME = /^(apikey|appcode|appsecret|secret|token|signature|password)(\[.*\])?$/i;
/** Parameters whose value is a mobile number or a list of them. */
const NUMBER_NAME = /^(mobile|mobiles)(\[.*\])?$/i;
/** A mobile number anywhere else (a path, another parameter). */
const BARE_NUMBERS = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g;
/** A run long enough to be a key (apikeys are 32 characters): never worth showing in a log. */
const KEY_LIKE = /[A-Za-z0-9_-]{24,}/g;
/** Control characters would let a value forge log lines. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;
/** Longest value shown; the rest of a long one says nothing a log needs. */
const MAX_SHOWN = 64;

/** Percent-decoded as a query string is, or undefined when the encoding is broken. */
function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function hideKeysAndNumbers(text: string): string {
  return text.replace(KEY_LIKE, '***').replace(BARE_NUMBERS, '$1****$2');
}

function maskedParameter(part: string): string {
  const equals = part.indexOf('=');
  const rawName = equals < 0 ? part : part.slice(0, equals);
  const name = (decoded(rawName) ?? rawName).replace(CONTROL, '').slice(0, MAX_SHOWN);
  if (equals < 0) return hideKeysAndNumbers(name);
  const rawValue = part.slice(equals + 1);
  if (rawValue === '') return `${name}=`;
  const value = decoded(rawValue);
  if (SECRET_NAME.test(name) || value === undefined) return `${name}=***`;
  const text = value.replace(CONTROL, '');
  if (NUMBER_NAME.test(name)) return `${name}=${maskMobile(text.slice(0, 20))}`;
  return `${hideKeysAndNumbers(name)}=${hideKeysAndNumbers(text).slice(0, MAX_SHOWN)}`;
}

/** `/carrier?apikey=7c11…&mobile=13972565391` → `/carrier?apikey=***&mobile=139****5391`. */
export function maskUrl(url: string): string {
  const question = url.indexOf('?');
  const path = hideKeysAndNumbers(question < 0 ? url : url.slice(0, question));
  if (question < 0) return path;
  return `${path}?${url
    .slice(question + 1)
    .split('&')
    .map(maskedParameter)
    .join('&')}`;
}
