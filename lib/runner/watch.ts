/**
 * `--reload`'s eyes: one recursive `fs.watch` on the app's folder, a burst
 * of events (an editor's save is several) debounced into one call, and
 * dependency and VCS folders ignored.
 *
 * @module
 */
import { watch, type FSWatcher } from "node:fs";
import { sep } from "node:path";

/** Events within this window are one change. */
const DEBOUNCE_MS = 150;
/** Folders whose changes never mean the app changed. */
const IGNORED = new Set(["node_modules", ".git", "dist", "coverage"]);

/** True for a path (relative to the watched folder) that reload ignores. */
export function isIgnored(relativePath: string): boolean {
  return relativePath.split(/[\\/]/).some((part) => IGNORED.has(part) || (part.startsWith(".") && part.length > 1));
}

/**
 * Calls `onChange` with the changed file once a burst of changes under `dir` settles.
 *
 * @returns a function that stops watching.
 */
export function watchForChanges(dir: string, onChange: (file: string) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let last = "";
  // Recursive watching is native on Linux since Node 20, and on macOS and Windows.
  const watcher: FSWatcher = watch(dir, { recursive: true }, (_event, name) => {
    const file = name === null ? "" : String(name);
    if (file !== "" && isIgnored(file)) return;
    last = file;
    clearTimeout(timer);
    timer = setTimeout(() => onChange(last === "" ? dir : `${dir}${sep}${last}`), DEBOUNCE_MS);
  });
  watcher.on("error", (error) => console.error("upie: watching for changes failed", error));
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
