import { maskMobile } from '../core/mobile-number.js';

/** Query parameters whose values never reach a log whole. */
const SECRET_PARAMS = /([?&](?:apikey|appcode)=)[^&]*/gi;
const NUMBER_PARAMS = /([?&](?:mobile|mobiles)=)([^&]*)/gi;
/** A mobile number anywhere else in a URL (a path, another parameter). */
const BARE_NUMBERS = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g;

function decoded(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/** `/carrier?apikey=7c11…&mobile=13972565391` → `/carrier?apikey=***&mobile=139****5391`. */
export function maskUrl(url: string): string {
  return url
    .replace(SECRET_PARAMS, '$1***')
    .replace(
      NUMBER_PARAMS,
      (_match, name: string, value: string) => name + maskMobile(decoded(value).slice(0, 20)),
    )
    .replace(BARE_NUMBERS, '$1****$2');
}
