import { Command, CommanderError } from "commander";
import { commands } from "./commands/index.js";
import type { CliContext } from "./context.js";
import { packageVersion } from "./version.js";

/** Exit code for every usage error (unknown command or option, bad value, missing command), as POSIX utilities do. */
export const EXIT_USAGE = 2;

export function createProgram(context: CliContext): Command {
  const program = new Command("customer-key")
    .description("Microsoft 365 Customer Key: set up, check and test the Azure half (vault pairs, keys, backups).")
    .version(packageVersion(), "-V, --version", "print the version")
    .helpCommand(true)
    // Settings below are inherited by every command added after them.
    .exitOverride()
    .showHelpAfterError(true)
    .configureOutput({
      writeOut: (text) => context.io.out(text.replace(/\n$/, "")),
      writeErr: (text) => context.io.err(text.replace(/\n$/, "")),
    });
  for (const register of commands) register(program, context);
  return program;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code: 0 ok, 1 failure, 2 usage error. */
export async function run(argv: readonly string[], context: CliContext): Promise<number> {
  const program = createProgram(context);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with 0; commander has printed the message and usage already.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    context.io.err(`customer-key: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
