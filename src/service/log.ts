/**
 * What the application's background work (feed following, batch runners, watchers) reports to:
 * the server's pino logger, the CLI's stderr, or nothing in tests. pino's call shape: fields first.
 */
export interface Log {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

export const SILENT_LOG: Log = { info: () => {}, warn: () => {}, error: () => {} };
