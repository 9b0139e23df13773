/**
 * The OpenAPI descriptions of the job routes. They document; they do not validate (the app turns
 * validation off): a bad parameter gets the contract's code 1 with a message.
 */
import { MAX_BATCH_FILE_BYTES, MAX_BATCH_FILE_NUMBERS } from '../service/batches/batch-file.js';

const apikey = { type: 'string', description: 'the account key, 32 characters' } as const;
const id = {
  type: 'object',
  properties: { id: { type: 'string', description: 'the job id POST /jobs answered' } },
} as const;
const tags = ['jobs'];

const jobView = {
  type: 'object',
  properties: {
    jobId: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'running', 'done', 'stopped', 'cancelled', 'draft'] },
    total: { type: 'integer', description: 'unique entries to answer' },
    invalid: { type: 'integer', description: 'entries that are not a valid mobile number' },
    duplicates: { type: 'integer', description: 'entries dropped as repeats' },
    processed: { type: 'integer' },
    charged: { type: 'integer', description: 'queries charged so far: the code-0 answers' },
    progress: { type: 'number', description: '0 to 1' },
    counts: {
      type: 'object',
      additionalProperties: { type: 'integer' },
      description: 'answers so far by code, e.g. {"0": 980, "-3": 20}',
    },
    stopReason: { type: 'string', nullable: true },
    requestId: { type: 'string', nullable: true },
    callbackUrl: { type: 'string', nullable: true },
    createdAt: { type: 'string', format: 'date-time' },
    startedAt: { type: 'string', format: 'date-time', nullable: true },
    finishedAt: { type: 'string', format: 'date-time', nullable: true },
  },
} as const;

function envelope(result: object, description: string) {
  return {
    200: {
      description: `${description}; any other code (1, -1, -6, -8, -9) comes with "reason" and often "message"`,
      type: 'object',
      properties: {
        code: { type: 'integer' },
        reason: { type: 'string' },
        message: { type: 'string' },
        requestId: { type: 'string', description: 'with code -8: the id the server logged it under' },
        result,
      },
    },
  };
}

const notFound = {
  404: {
    description: 'no job of this id for this apikey (another account’s job is not found either)',
    type: 'object',
    properties: { code: { type: 'integer' }, reason: { type: 'string' }, message: { type: 'string' } },
  },
};

export const jobSchemas = {
  submit: {
    summary: `Submit a bulk job of up to ${MAX_BATCH_FILE_NUMBERS} numbers`,
    description:
      'Numbers as JSON {"apikey","mobiles":[…],"requestId","callbackUrl"}, as a multipart form with a ' +
      '"file" part (.txt, .csv or .xlsx) and the other fields, or as the raw file body with the ' +
      `fields in the query string (up to ${MAX_BATCH_FILE_BYTES} bytes). A requestId used before by ` +
      'the account answers its first job (created: false). When the job ends, mnpd POSTs a signed ' +
      'event to callbackUrl (X-Mnpd-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">).',
    tags,
    querystring: {
      type: 'object',
      properties: {
        apikey,
        requestId: { type: 'string', description: 'idempotency key for the submission, 1–128 characters' },
        callbackUrl: { type: 'string', description: 'http(s) URL told when the job ends' },
        fileName: { type: 'string', description: 'a raw body: read as this name’s type (.txt, .csv, .xlsx)' },
      },
    },
    response: envelope(
      {
        type: 'object',
        properties: {
          jobId: { type: 'string' },
          status: { type: 'string' },
          total: { type: 'integer' },
          invalid: { type: 'integer' },
          duplicates: { type: 'integer' },
          created: { type: 'boolean', description: 'false when the requestId named an earlier job' },
        },
      },
      'code 0: the job is queued',
    ),
  },
  list: {
    summary: 'The account’s jobs, newest first',
    tags,
    querystring: {
      type: 'object',
      properties: {
        apikey,
        limit: { type: 'integer', description: '1–100, default 20' },
        before: { type: 'string', description: 'the "next" of the previous page' },
      },
    },
    response: envelope(
      {
        type: 'object',
        properties: { jobs: { type: 'array', items: jobView }, next: { type: 'string', nullable: true } },
      },
      'code 0',
    ),
  },
  status: {
    summary: 'A job’s status, counts by code, charge and progress',
    tags,
    params: id,
    querystring: { type: 'object', properties: { apikey } },
    response: { ...envelope(jobView, 'code 0'), ...notFound },
  },
  cancel: {
    summary: 'Cancel a job; what was answered stays answered and charged',
    tags,
    params: id,
    querystring: { type: 'object', properties: { apikey } },
    response: { ...envelope(jobView, 'code 0: cancelled'), ...notFound },
  },
  results: {
    summary: 'A job’s answers so far, streamed: CSV (default), XLSX or JSON lines',
    tags,
    params: id,
    querystring: {
      type: 'object',
      properties: { apikey, format: { type: 'string', enum: ['csv', 'xlsx', 'jsonl'] } },
    },
    response: {
      200: {
        description:
          'columns mobile, code, reason, res, area, init_isp, now_isp, province, city, zip, area_code, …; ' +
          'CSV cells that would start a formula are prefixed with an apostrophe',
        type: 'string',
      },
      ...notFound,
    },
  },
};
