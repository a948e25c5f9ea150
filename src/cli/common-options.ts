/** Flags every tenant-facing command shares, and how its output goes out. */
import type { Command } from "commander";
import type { CliContext } from "./context.js";
import { withConnectionOptions, type ConnectionOptions } from "./connection.js";

export interface CommonOptions extends ConnectionOptions {
  config?: string;
  json?: boolean;
  verbose?: boolean;
}

/** --config, --json, --verbose and the connection flags; `example` goes under the help. */
export function withCommonOptions(command: Command, example: string): Command {
  return withConnectionOptions(
    command
      .option("--config <file>", "configuration file, JSON or YAML (default: customer-key.config.json, .yaml or .yml here)")
      .option("--json", "print only JSON on stdout (notes and progress go to stderr)")
      .option("--verbose", "print stack traces of errors"),
  ).addHelpText("after", `\nExample:\n  ${example}\n\nExit codes: 0 ok, 1 checks failed, 2 usage, 3 service or permission error, 130 interrupted.`);
}

/** With --json, people's notes go to stderr so stdout stays parseable. */
export function notes(context: CliContext, options: { json?: boolean }): (line: string) => void {
  return options.json ? (line) => context.io.err(line) : (line) => context.io.out(line);
}

/** NO_COLOR (https://no-color.org): any non-empty value turns colour off; it is also off when not a TTY. */
export function colour(context: CliContext): (code: number, text: string) => string {
  const on = !!context.progress?.isTTY && !process.env.NO_COLOR;
  return (code, text) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);
}
