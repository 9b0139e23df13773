/**
 * The console API's errors: one code per kind of refusal, each with its HTTP status, made in one
 * place. Bodies are `{"error":{"code":"…","message":"…"}}`; the console shows its own words for
 * the code and the message only as a detail.
 */
export const CONSOLE_ERRORS = {
  bad_request: 400,
  invalid_file: 400,
  too_many_numbers: 400,
  weak_password: 400,
  invalid_cidr: 400,
  not_logged_in: 401,
  bad_credentials: 401,
  csrf_failed: 403,
  forbidden: 403,
  account_suspended: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  too_many_attempts: 429,
  internal: 500,
} as const;

export type ConsoleErrorCode = keyof typeof CONSOLE_ERRORS;

export class ConsoleError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: ConsoleErrorCode,
    message: string,
    /** Extra fields for the body (e.g. retryAfterSeconds). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ConsoleError';
    this.statusCode = CONSOLE_ERRORS[code];
  }

  body(): { error: { code: ConsoleErrorCode; message: string } & Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.extra } };
  }
}
