/**
 * The console API's errors: one code per kind of refusal, each with its HTTP status (the wire's
 * table, which the console reads too). The console shows its own words for the code and the
 * message only as a detail.
 */
import { CONSOLE_ERROR_STATUS, type ConsoleErrorCode } from '../../wire/console-errors.js';

export type { ConsoleErrorCode } from '../../wire/console-errors.js';

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
    this.statusCode = CONSOLE_ERROR_STATUS[code];
  }

  body(): { error: { code: ConsoleErrorCode; message: string } & Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.extra } };
  }
}
