/**
 * Opens an embedded SQLite database with whichever driver is there:
 * `better-sqlite3` (a native package, any Node >= 20) or `node:sqlite`
 * (built in from Node 22.5). Both expose the same synchronous
 * `prepare().run/get/all` shape, which is all the chat needs.
 *
 * @module
 */
import { createRequire } from "node:module";

/** A value a statement can bind. */
export type SqlValue = string | number | bigint | null;

/** A prepared statement (the subset both drivers share). */
export interface SqlStatement {
  run(...params: SqlValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: SqlValue[]): unknown;
  all(...params: SqlValue[]): unknown[];
}

/** An open database (the subset both drivers share). */
export interface SqlDatabase {
  exec(sql: string): void;
  prepare(sql: string): SqlStatement;
  close(): void;
}

/** Which driver {@link openDatabase} used. */
export type SqliteDriver = "node:sqlite" | "better-sqlite3";

/**
 * Opens (creating if needed) the database file at `path`.
 *
 * better-sqlite3 comes first when it is installed: it is measured (see the
 * example's README), stable, and silent, while `node:sqlite` is still
 * experimental (behind `--experimental-sqlite` before Node 22.13, an
 * ExperimentalWarning after). `node:sqlite` is the fallback for an install
 * without better-sqlite3 (it is a dev dependency of upie).
 *
 * @param path - a file path, or `":memory:"`.
 * @param prefer - force a driver (for measuring); default: better-sqlite3 when installed.
 * @returns the database and the driver that opened it.
 * @throws when neither driver is available.
 */
export async function openDatabase(path: string, prefer?: SqliteDriver): Promise<{ db: SqlDatabase; driver: SqliteDriver }> {
  if (prefer !== "node:sqlite") {
    try {
      const require = createRequire(import.meta.url);
      const Database = require("better-sqlite3") as new (path: string) => SqlDatabase;
      return { db: new Database(path), driver: "better-sqlite3" };
    } catch (error) {
      if (prefer === "better-sqlite3") throw error;
    }
  }
  // A variable specifier: TypeScript's Node 20 types do not know node:sqlite.
  const specifier = "node:sqlite";
  const { DatabaseSync } = (await import(specifier)) as { DatabaseSync: new (path: string) => SqlDatabase };
  return { db: new DatabaseSync(path), driver: "node:sqlite" };
}
