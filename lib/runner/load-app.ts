/**
 * Finds the app a module serves: `FILE:Export` names it; otherwise the
 * default export, else the module's only App subclass or instance. A class
 * is constructed with no options. A named or default export may also be a
 * factory, a function returning an App or a promise of one (uvicorn's
 * `--factory`), for apps that need async setup before they exist.
 *
 * Apps are recognised by shape (a `listen` method and a `middlewares` list),
 * not only by `instanceof`: a project can hold two copies of upie (the app
 * importing one, the runner being the other), and they share no class.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import type { App } from "../core/app.js";
import { InvalidOptionError } from "../protocol/errors.js";
import { isTypeScript, registerTypeScript } from "./typescript-loader.js";

/** An app the runner can serve, and what to call it in messages. */
export interface LoadedApp {
  app: App;
  /** `app.ts:Chat` */
  label: string;
}

function isAppInstance(value: unknown): value is App {
  return typeof value === "object" && value !== null && typeof (value as App).listen === "function" && Array.isArray((value as App).middlewares);
}

function isAppClass(value: unknown): value is new () => App {
  if (typeof value !== "function" || typeof value.prototype !== "object" || value.prototype === null) return false;
  return typeof value.prototype.listen === "function" && typeof value.prototype.publish === "function";
}

/** A function that is not a class: called with no arguments, it makes the app. */
type AppFactory = () => App | Promise<App>;
type Servable = App | (new () => App) | AppFactory;

function isFactory(value: unknown): value is AppFactory {
  return typeof value === "function" && !/^class\b/.test(Function.prototype.toString.call(value));
}

/**
 * Imports `file` (TypeScript through tsx) and returns the app to serve.
 *
 * @param file - a path, relative to the working directory.
 * @param exportName - the export to serve; undefined picks one as described above.
 * @throws InvalidOptionError when the export is missing, is not an App, or the choice is ambiguous.
 */
export async function loadApp(file: string, exportName: string | undefined): Promise<LoadedApp> {
  const path = resolve(file);
  if (isTypeScript(path)) await registerTypeScript(file, dirname(path));
  const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const [name, value] = pick(module, file, exportName);
  const label = `${file}:${name}`;
  if (isAppInstance(value)) return { app: value, label };
  if (isAppClass(value)) return { app: new value(), label };
  const made: unknown = await value();
  if (!isAppInstance(made)) throw new InvalidOptionError(`${label} is a function, and it returned ${describe(made)}, not an App`);
  return { app: made, label };
}

function isServable(value: unknown): value is Servable {
  return isAppClass(value) || isAppInstance(value) || isFactory(value);
}

function describe(value: unknown): string {
  return value === null ? "null" : typeof value === "object" ? `an object (${value.constructor?.name ?? "no class"})` : typeof value;
}

function pick(module: Record<string, unknown>, file: string, exportName: string | undefined): [string, Servable] {
  if (exportName !== undefined) {
    const value = module[exportName];
    if (isServable(value)) return [exportName, value];
    throw new InvalidOptionError(
      value === undefined
        ? `${file} has no export named ${exportName} (it exports: ${Object.keys(module).join(", ") || "nothing"})`
        : `${file}:${exportName} is not an App subclass, an App, or a function returning one`,
    );
  }
  const fallback = module.default;
  if (isServable(fallback)) return ["default", fallback];
  const entries = Object.entries(module);
  // An exported instance is the configured app; its class exported beside it is not a second choice.
  const instances = entries.filter((entry): entry is [string, App] => isAppInstance(entry[1]));
  if (instances.length === 1) return instances[0]!;
  const classes = entries.filter((entry): entry is [string, new () => App] => isAppClass(entry[1]));
  if (instances.length === 0 && classes.length === 1) return classes[0]!;
  const all = [...instances, ...classes];
  if (all.length === 0) throw new InvalidOptionError(`${file} exports no App: export your App subclass or an instance (export default new MyApp())`);
  throw new InvalidOptionError(`${file} exports several Apps (${all.map(([name]) => name).join(", ")}): name one, as in ${file}:${all[0]![0]}`);
}
