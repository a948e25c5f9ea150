import { Command, CommanderError } from "commander";
import { commands } from "./commands/index.js";
import type { CliContext } from "./context.js";
import { EXIT_INTERRUPTED, EXIT_USAGE, reportError } from "./exit-codes.js";
import { packageVersion } from "./version.js";

export { EXIT_USAGE } from "./exit-codes.js";

export function createProgram(context: CliContext): Command {
  const program = new Command("customer-key")
    .description("Microsoft 365 Customer Key: onboard, check, back up and roll root keys and data encryption policies (Azure Key Vault, Exchange Online, SharePoint Online).")
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

/** Runs the CLI on `argv` (without node and script) and returns the exit code: 0 ok, 1 checks failed, 2 usage, 3 service error, 130 interrupted. */
export async function run(argv: readonly string[], context: CliContext): Promise<number> {
  const program = createProgram(context);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return context.exitCode ?? 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with 0; commander has printed the message and usage already.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    const code = reportError(error, context.io, argv.includes("--verbose"));
    return context.signal?.aborted ? EXIT_INTERRUPTED : code;
  }
}
