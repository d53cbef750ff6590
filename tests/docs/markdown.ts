/**
 * Reads the documentation the way the docs tests need it: the Markdown files
 * (README.md and docs/*.md), their fenced code blocks, their links and the
 * anchors their headings make.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** One fenced code block. */
export interface CodeBlock {
  /** The Markdown file, relative to the root (`docs/routing.md`). */
  readonly file: string;
  /** 1-based line of the block's first code line in that file. */
  readonly line: number;
  /** The info string's first word (`ts`), empty when the fence has none. */
  readonly lang: string;
  /** The info string's other words (`run`). */
  readonly flags: readonly string[];
  readonly code: string;
}

/** The documentation files, relative to the root: README.md, then docs/*.md by name. */
export function docFiles(): string[] {
  const docs = readdirSync(`${ROOT}docs`)
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", ...docs];
}

/** The text of a file under the root. */
export function readDoc(file: string): string {
  return readFileSync(`${ROOT}${file}`, "utf8");
}

/** Every fenced (```) code block of a Markdown text, in order. An unclosed fence throws. */
export function codeBlocks(file: string, text: string): CodeBlock[] {
  const lines = text.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [lang = "", ...flags] = open[1]!.trim().split(/\s+/).filter(Boolean);
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.startsWith("```")) end++;
    if (end === lines.length) throw new Error(`${file}:${i + 1}: unclosed code fence`);
    blocks.push({ file, line: start + 1, lang, flags, code: lines.slice(start, end).join("\n") });
    i = end;
  }
  return blocks;
}

/** The Markdown text with its fenced code blocks blanked out (links and headings only count outside them). */
export function prose(text: string): string {
  let inBlock = false;
  return text
    .split("\n")
    .map((line) => {
      if (line.startsWith("```")) {
        inBlock = !inBlock;
        return "";
      }
      return inBlock ? "" : line;
    })
    .join("\n");
}

/**
 * The anchors a file's headings make, as GitHub derives them: lower-cased,
 * punctuation dropped, spaces to hyphens, a repeated slug suffixed `-1`, `-2`.
 */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const match of prose(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = match[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    found.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return found;
}

/** Every inline link target `[text](target)` in the prose of a Markdown text, with its line. */
export function links(text: string): Array<{ target: string; line: number }> {
  const found: Array<{ target: string; line: number }> = [];
  prose(text)
    .split("\n")
    .forEach((line, index) => {
      for (const match of line.matchAll(/\]\(([^)\s]+)\)/g)) found.push({ target: match[1]!, line: index + 1 });
    });
  return found;
}
