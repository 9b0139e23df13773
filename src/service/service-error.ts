/**
 * The application's refusals of what a caller asked, in one vocabulary for every door: the console
 * turns each code into its HTTP status, the CLI prints the message. A refusal changes nothing.
 */
export const SERVICE_ERRORS = [
  /** A value out of its rules (a name, an amount, a limit). */
  'invalid',
  'invalid_cidr',
  'weak_password',
  /** An uploaded file that cannot be read as what it claims to be. */
  'invalid_file',
  'too_large',
  /** A file of more numbers than one job takes. */
  'too_many_numbers',
  'not_found',
  /** The change clashes with the state: a duplicate, a limit reached, a job no longer a draft. */
  'conflict',
  'account_suspended',
  /** Too much of the same work at once (files being read): try again in a moment. */
  'busy',
] as const;

export type ServiceErrorCode = (typeof SERVICE_ERRORS)[number];

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    /** Facts a door may show with the message (a limit, a count). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}
