/**
 * Request descriptions for the OpenAPI document. They document; they do not validate: a bad
 * parameter must get the contract's answer code, not a framework 400.
 */
const common = {
  format: { type: 'string', enum: ['json', 'xml'], description: 'xml for an XML answer' },
  callback: { type: 'string', description: 'JSONP: wrap the JSON answer in this function call' },
} as const;

const mobile = {
  type: 'string',
  description: '11-digit mobile number; +86, 0086, spaces, dashes and full-width digits are accepted',
};
const apikey = { type: 'string', description: 'the account key, 32 characters' };

/** A request signed as Aliyun's API gateway signs them, instead of a key in clear (README: Signed requests). */
const signatureHeaders = {
  type: 'object',
  properties: {
    'x-ca-key': { type: 'string', description: 'signed requests: the AppKey (then no apikey or APPCODE)' },
    'x-ca-timestamp': {
      type: 'string',
      description: 'signed requests: ms since 1970 UTC, within 15 minutes',
    },
    'x-ca-nonce': { type: 'string', description: 'signed requests: accepted once within 15 minutes' },
    'x-ca-signature-headers': {
      type: 'string',
      description: 'signed requests: the headers signed, including x-ca-timestamp and x-ca-nonce',
    },
    'x-ca-signature': {
      type: 'string',
      description: 'signed requests: base64 HMAC-SHA256 under the AppSecret; -10 when it does not hold',
    },
  },
} as const;

export function lookupQuerySchema(summary: string, withApikey: boolean) {
  return {
    summary,
    querystring: {
      type: 'object',
      properties: {
        ...(withApikey ? { apikey } : {}),
        mobile,
        ext: {
          type: 'string',
          description:
            '1: add province, city, zip, areaCode, type, virtual, portedAt, dataVersion, areaKnown, source (feed, segment, upstream:NAME, cache:NAME), checkedAt, requestId',
        },
        requestId: {
          type: 'string',
          description:
            'idempotency key: a retry with it returns the first answer without a second charge (24 h)',
        },
        ...common,
      },
    },
    headers: signatureHeaders,
  };
}

export function keyOnlySchema(summary: string) {
  return {
    summary,
    querystring: { type: 'object', properties: { apikey, ...common } },
    headers: signatureHeaders,
  };
}
