/**
 * The console API's error codes, each with its HTTP status: the server answers with them, the
 * console says each one in words. Bodies are `{"error":{"code":"…","message":"…"}}`.
 */
export const CONSOLE_ERROR_STATUS = {
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
  /** Too much of the same work at once (batch files being read): send it again in a moment. */
  busy: 429,
  internal: 500,
  /** Billing cannot take more charges now; nothing was charged (try again: Retry-After). */
  overloaded: 503,
} as const;

export type ConsoleErrorCode = keyof typeof CONSOLE_ERROR_STATUS;
