/** The `customer-key` executable (dist/cli/index.js): runs the CLI on this process's arguments and exits with its code. */
import type { CliContext } from "./context.js";
import { EXIT_INTERRUPTED } from "./exit-codes.js";
import { stdio } from "./index.js";
import { exitFor } from "./lifetime.js";
import { run } from "./program.js";

// Ctrl-C aborts the running command (it stops at its next request and cleans up, exit 130);
// a second Ctrl-C, or a command that does not stop within 5 s, ends the process at once.
// `emulator start` installs its own handlers (it saves its state and re-raises the signal).
const interrupt = new AbortController();
const emulatorCommand = process.argv[2] === "emulator";
if (!emulatorCommand) {
  process.on("SIGINT", () => {
    if (interrupt.signal.aborted) process.exit(EXIT_INTERRUPTED);
    process.stderr.write("\nInterrupted: stopping (Ctrl-C again to quit at once).\n");
    interrupt.abort();
    setTimeout(() => process.exit(EXIT_INTERRUPTED), 5000).unref();
  });
}
const context: CliContext = { io: stdio, progress: process.stdout, signal: interrupt.signal };
run(process.argv.slice(2), context).then(
  (code) => {
    // A command stopped by a signal re-raises it, so the parent sees how it ended.
    if (code === 0 && context.stopReason) exitFor(context.stopReason);
    else process.exit(interrupt.signal.aborted ? EXIT_INTERRUPTED : code);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
