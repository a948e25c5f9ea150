/** The `customer-key` executable (dist/cli/index.js): runs the CLI on this process's arguments and exits with its code. */
import type { CliContext } from "./context.js";
import { stdio } from "./index.js";
import { exitFor } from "./lifetime.js";
import { run } from "./program.js";

const context: CliContext = { io: stdio };
run(process.argv.slice(2), context).then(
  (code) => {
    // A command stopped by a signal re-raises it, so the parent sees how it ended.
    if (code === 0 && context.stopReason) exitFor(context.stopReason);
    else process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
