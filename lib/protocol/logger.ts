/**
 * The logger upie reports handler errors to. Stacks go here, never to clients.
 *
 * @module
 */

/** Anything with an `error` method: `console`, pino, winston… */
export interface Logger {
  error(message: string, error?: unknown): void;
  warn?(message: string, error?: unknown): void;
}

/** The default: one line plus the stack on stderr. */
export const stderrLogger: Logger = {
  error(message, error) {
    process.stderr.write(`[upie] ${message}${error instanceof Error ? `\n${error.stack ?? error.message}` : error === undefined ? "" : ` ${String(error)}`}\n`);
  },
  warn(message, error) {
    this.error(message, error);
  },
};
