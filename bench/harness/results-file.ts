/**
 * bench/RESULTS.md as sections: one per runtime (`node20-packed`,
 * `node24-packed`, …), each replaced only by a run on that runtime, then
 * everything below {@link KEEP_MARKER} (hand-written analysis, the chat load,
 * older figures), which no run touches.
 *
 * @module
 */

/**
 * Sections of RESULTS.md that people or other scripts write (the chat load,
 * profiling notes, the bundle-era figures) live below this line; a run keeps them.
 */
export const KEEP_MARKER = "<!-- Sections below this line are written by hand or by other scripts; bench/run.ts keeps them. -->";

/** The title and the line above the sections when the file is new. */
export const RESULTS_INTRO =
  "# upie benchmark results\n\nOne section per runtime (Node version × runner), each written by `npm run bench`; see bench/README.md for how to read them.\n\n";

/** The comment that opens a runtime's section. */
export const sectionMarker = (key: string) => `<!-- bench section: ${key} -->`;

const MARKER_PREFIX = "<!-- bench section: ";

/**
 * The file's text with the section `key` replaced by `section` (or added), the
 * runtime sections in a stable order, and the intro and the kept part as they were.
 *
 * @param text - the current RESULTS.md ("" when there is none).
 * @param key - e.g. `node24-packed`.
 * @param section - the new section, starting with {@link sectionMarker}(key).
 * @returns the new file text.
 * @example
 * ```ts
 * writeFileSync(path, withSection(readFileSync(path, "utf8"), "node24-packed", markdown));
 * ```
 */
export function withSection(text: string, key: string, section: string): string {
  const at = text.indexOf(KEEP_MARKER);
  const head = at === -1 ? text : text.slice(0, at);
  const kept = at === -1 ? `${KEEP_MARKER}\n` : text.slice(at);
  const firstMarker = head.indexOf(MARKER_PREFIX);
  const intro = firstMarker === -1 ? (head.trim() === "" ? RESULTS_INTRO : head) : head.slice(0, firstMarker);
  const sections = new Map<string, string>();
  if (firstMarker !== -1) {
    for (const chunk of head.slice(firstMarker).split(/(?=<!-- bench section: )/)) {
      const name = /^<!-- bench section: (\S+) -->/.exec(chunk)?.[1];
      if (name !== undefined) sections.set(name, `${chunk.trimEnd()}\n\n`);
    }
  }
  sections.set(key, `${section.trimEnd()}\n\n`);
  // node20 before node22 before node24; within a Node, runners alphabetically.
  const order = [...sections.keys()].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  return intro + order.map((name) => sections.get(name)).join("") + kept;
}
