/** The CLI as a function, for tests and embedding; `bin.ts` is the `customer-key` executable. */
import type { CliIo } from "./context.js";
import { run } from "./program.js";

export type { CliIo } from "./context.js";

export const stdio: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Runs the CLI in this process; returns the exit code (0 ok, 1 failure, 2 usage error). */
export async function main(argv: readonly string[], io: CliIo = stdio): Promise<number> {
  return run(argv, { io });
}
