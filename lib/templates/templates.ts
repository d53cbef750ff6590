/**
 * Server-side templates for `this.renderTemplate(name, context)`, rendered
 * with Nunjucks: the JavaScript port of Jinja2, which MicroPie uses, so
 * MicroPie templates carry over nearly unchanged.
 *
 * Nunjucks is an optional peer dependency: it is imported the first time a
 * template is rendered, so apps without templates never load it, and an app
 * that renders without it installed gets an error naming the package to
 * install instead of a bare "module not found".
 *
 * @module
 */
import { resolve } from "node:path";

import type { Environment } from "nunjucks";

import { catalogueError, ERRORS, InvalidOptionError } from "../protocol/errors.js";

/** The package `renderTemplate` needs. */
export const TEMPLATE_ENGINE = "nunjucks";

/**
 * Thrown by `renderTemplate` when Nunjucks is not installed. The request it
 * happens in is answered with a generic 500 and this error is logged.
 *
 * @example
 * ```ts
 * try {
 *   return await this.renderTemplate("page.html");
 * } catch (error) {
 *   if (error instanceof TemplateEngineMissingError) return "<p>plain fallback</p>";
 *   throw error;
 * }
 * ```
 */
export class TemplateEngineMissingError extends catalogueError(Error, "TemplateEngineMissingError", ERRORS.TEMPLATE_ENGINE_MISSING) {
  /** @param packageName - the package that failed to load. */
  constructor(packageName: string, options?: { cause?: unknown }) {
    super(`renderTemplate() needs the optional package "${packageName}": run \`npm install ${packageName}\``, options);
  }
}

/** Template names that could leave the templates folder: absolute, `..`, backslashes, NUL. */
const UNSAFE_NAME = /(?:^|[\\/])\.\.(?:[\\/]|$)|^[\\/]|^[A-Za-z]:|\\|\0/;

/**
 * A folder of Nunjucks templates: autoescaping on, compiled templates cached
 * for the life of the process (restart to pick up edits).
 *
 * @example
 * ```ts
 * const templates = new Templates("views");
 * const html = await templates.render("hello.html", { name: "<Ada>" }); // … &lt;Ada&gt; …
 * ```
 */
export class Templates {
  /** The absolute templates folder. */
  readonly dir: string;
  readonly #engine: string;
  #env: Promise<Environment> | undefined;

  /**
   * Nothing is read or imported until the first {@link render}.
   *
   * @param dir - the templates folder, relative to the working directory. Default `"templates"`.
   * @param engine - the module to import; only tests change it.
   * @throws {@link InvalidOptionError} when `dir` is not a non-empty string.
   */
  constructor(dir: string = "templates", engine: string = TEMPLATE_ENGINE) {
    if (typeof dir !== "string" || dir.length === 0) throw new InvalidOptionError("templates must be a non-empty folder path");
    this.dir = resolve(dir);
    this.#engine = engine;
  }

  /**
   * Renders template `name` with `context`.
   *
   * @param name - a path relative to the templates folder, e.g. `"chat/room.html"`.
   * @param context - the variables the template sees; strings are HTML-escaped
   *   unless marked `| safe` in the template.
   * @returns the rendered text.
   * @throws {@link TemplateEngineMissingError} when Nunjucks is not installed.
   * @throws {@link InvalidOptionError} for a name that is absolute or climbs out with `..`.
   * @throws Nunjucks' error for a missing template or a template error.
   */
  async render(name: string, context: object = {}): Promise<string> {
    if (typeof name !== "string" || name.length === 0 || UNSAFE_NAME.test(name)) {
      throw new InvalidOptionError(`template name must be a relative path inside the templates folder, got ${JSON.stringify(name)}`);
    }
    const env = await (this.#env ??= this.#load());
    return new Promise((resolvePromise, reject) => {
      // The callback form: a template error is delivered as an error rather than thrown from inside Nunjucks.
      env.render(name, context, (error, html) => (error ? reject(error) : resolvePromise(html ?? "")));
    });
  }

  async #load(): Promise<Environment> {
    let engine: typeof import("nunjucks");
    try {
      const loaded = (await import(this.#engine)) as typeof import("nunjucks") & { default?: typeof import("nunjucks") };
      // Nunjucks is CommonJS: its exports arrive as the default export.
      engine = loaded.default ?? loaded;
    } catch (error) {
      if ((error as { code?: string }).code === "ERR_MODULE_NOT_FOUND") throw new TemplateEngineMissingError(this.#engine, { cause: error });
      throw error;
    }
    // noCache: false keeps every compiled template; autoescape protects against XSS by default (Jinja2's `select_autoescape` for HTML).
    const loader = new engine.FileSystemLoader(this.dir, { noCache: false, watch: false });
    return new engine.Environment(loader, { autoescape: true });
  }
}
