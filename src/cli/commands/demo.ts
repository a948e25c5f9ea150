/** `customer-key demo`: the whole onboarding of a sample tenant against an embedded emulator. */
import { readdirSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import { colour } from "../common-options.js";
import type { CliContext, RegisterCommand } from "../context.js";
import { runDemo } from "../demo-run.js";
import { EXIT_CHECKS_FAILED } from "../exit-codes.js";

interface DemoOptions {
  mailboxes: number;
  keep?: string;
  verbose?: boolean;
}

function parseMailboxes(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 10_000) throw new InvalidArgumentError("must be a whole number from 1 to 10000.");
  return n;
}

/** The demo writes a new configuration and journal: an old demo's files there would not match the new emulator. */
function parseKeep(value: string): string {
  let entries: string[];
  try {
    entries = readdirSync(value);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return value;
    throw new InvalidArgumentError(`cannot read ${value} (${(error as NodeJS.ErrnoException).code ?? "error"}).`);
  }
  if (entries.length > 0) throw new InvalidArgumentError(`${value} is not empty: give a new or empty directory (nothing in it is deleted or overwritten).`);
  return value;
}

export const registerDemo: RegisterCommand = (program: Command, context: CliContext) => {
  program
    .command("demo")
    .description("onboard a sample tenant from a sample configuration on an embedded emulator (plan, apply), roll a key through every workload, and report")
    .option("--mailboxes <n>", "mailboxes to assign the Exchange policy to", parseMailboxes, 300)
    .option("--keep <dir>", "keep the configuration, journal, backups and audit trail in this new or empty directory (default: a temporary one, removed)", parseKeep)
    .option("--verbose", "print stack traces of errors")
    .addHelpText(
      "after",
      `
Nothing real is touched: everything runs against an emulator in this process. The demo writes
a sample configuration (customer-key.config.yaml), prints its plan and applies it with a journal,
as \`customer-key plan\` and \`apply\` do. Where only Microsoft can act (Do-Not-Cancel approval,
the onboarding request) the apply stops; the demo plays both parts and resumes from the journal.
Where Microsoft or Azure would make you wait (mailbox moves, SharePoint's key registration) the
emulator's clock is moved on, and the output says so.

Example:
  customer-key demo --mailboxes 300 --keep ./demo

Colour only on a terminal, and never with NO_COLOR set.

Exit codes: 0 ok, 1 checks failed, 2 usage, 3 service error, 130 interrupted.`,
    )
    .action(async (options: DemoOptions) => {
      const result = await runDemo({
        mailboxes: options.mailboxes,
        ...(options.keep ? { keepDirectory: options.keep } : {}),
        log: (line) => context.io.out(line),
        style: colour(context),
        ...(context.progress ? { progress: context.progress } : {}),
        ...(context.signal ? { signal: context.signal } : {}),
      });
      if (!result.ok) context.exitCode = EXIT_CHECKS_FAILED;
    });
};
