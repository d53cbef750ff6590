/**
 * The Python client's log lines: `[2023-03-19 22:44:57,340][INFO] message`,
 * and its levels (numbers as in Python's `logging`).
 *
 * @module
 */

/** A level by name or by Python's number. */
export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR" | 10 | 20 | 30 | 40 | number;

const LEVELS: Record<string, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40 };

/** The number of a level. @throws TypeError for an unknown name. */
export function levelOf(level: LogLevel): number {
  if (typeof level === "number") return level;
  const n = LEVELS[String(level).toUpperCase()];
  if (n === undefined) throw new TypeError(`logLevel must be DEBUG, INFO, WARNING or ERROR, got ${String(level)}`);
  return n;
}

/** `[YYYY-MM-DD hh:mm:ss,mmm][LEVEL] message`, in UTC. */
export function formatLogLine(level: string, message: string, now = new Date()): string {
  const iso = now.toISOString(); // 2023-03-19T22:44:57.340Z
  return `[${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)}][${level}] ${message}`;
}
