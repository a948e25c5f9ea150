import { readFileSync } from "node:fs";

/**
 * The package's version, read from package.json at run time. This module sits two folders below
 * the package root both as source (src/cli) and as the bundled bin (dist/cli), so one relative
 * path serves both.
 */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}
