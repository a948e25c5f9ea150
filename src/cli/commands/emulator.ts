/** `customer-key emulator start`: the embedded emulator as a process of its own. */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { startEmulator } from "../../emulator/index.js";
import { connectionFileOf, writeConnectionFile } from "../connection.js";
import type { CliContext, RegisterCommand } from "../context.js";
import { describeEmulator } from "../emulator-info.js";
import { waitForStop } from "../lifetime.js";

export interface EmulatorStartOptions {
  port?: number;
  state?: string;
  caFile?: string;
  /** `true` when given without a value: approve at once. */
  approveDoNotCancel?: number | true;
  clockRate?: number;
}

/** Emulator-clock seconds: a whole number, 0 or more. */
export function parseSeconds(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("must be a whole number of seconds, 0 or more.");
  return Number(value);
}

/** A positive number (decimals allowed), at most a million. */
export function parseClockRate(value: string): number {
  const rate = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(rate > 0) || rate > 1_000_000) throw new InvalidArgumentError("must be a positive number up to 1000000 (1: wall time, 3600: a second is an hour).");
  return rate;
}

const START_EXAMPLE = "customer-key emulator start --state emulator.json --approve-do-not-cancel --clock-rate 3600";

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port > 65535) {
    throw new InvalidArgumentError("must be a whole number from 0 to 65535.");
  }
  return port;
}

export const registerEmulator: RegisterCommand = (program: Command, context: CliContext) => {
  const emulator = program
    .command("emulator")
    .description("run the embedded emulator of Entra ID, Resource Manager, Key Vault and Graph")
    .addHelpText(
      "after",
      `
Example:
  ${START_EXAMPLE} &
  customer-key apply --config customer-key.config.yaml --state emulator.json`,
    );
  emulator
    .command("start")
    .description(
      "start the emulator over HTTPS on 127.0.0.1, print its endpoints, CA file, pid and seeded principals as JSON, and run until stopped",
    )
    .option("--port <n>", "TCP port (0: any free port)", parsePort, 0)
    .option("--state <file>", "keep the state in this file and start from it if it exists")
    .option("--ca-file <file>", "where to write the CA certificate (default: next to the state file, or in the temp dir)")
    .option(
      "--approve-do-not-cancel [seconds]",
      "play Microsoft: approve every Do-Not-Cancel registration by itself, at once or after this many seconds of emulator clock (default: never, it stays Pending)",
      parseSeconds,
    )
    .option("--clock-rate <n>", "run the emulator clock n times faster than wall time, e.g. 3600: a real second is an emulated hour (default 1)", parseClockRate)
    .addHelpText(
      "after",
      `
Example:
  ${START_EXAMPLE}

  In another shell, \`customer-key apply --config FILE --state emulator.json\` then passes Microsoft's
  Do-Not-Cancel approval by itself, and what takes hours on the emulator clock (SharePoint's
  registration and key roll, Exchange's mailbox moves) takes seconds.

Stop it with Ctrl-C or SIGTERM. Started through npx or npm run, it also stops when npm exits
(npm passes signals to its shell only, not on to the emulator).
Other Node processes reach it with the printed childProcesses.env: NODE_EXTRA_CA_CERTS and a
preload (--import customer-key/emulator/preload) that resolves *.localhost to 127.0.0.1.`,
    )
    .action(async (options: EmulatorStartOptions) => {
      await runEmulator(options, context);
    });
};

async function runEmulator(options: EmulatorStartOptions, context: CliContext): Promise<void> {
  const stateFile = options.state ? resolve(options.state) : undefined;
  // Listen for signals before the (slow) start, so an early SIGTERM still stops cleanly.
  const watch = waitForStop();
  let emulator;
  try {
    emulator = await startEmulator({
      port: options.port ?? 0,
      ...(stateFile ? { stateFile } : {}),
      ...(options.clockRate !== undefined ? { clockRate: options.clockRate } : {}),
      ...(options.approveDoNotCancel !== undefined ? { arm: { doNotCancelApprovalDelayMs: options.approveDoNotCancel === true ? 0 : options.approveDoNotCancel * 1000 } } : {}),
    });
  } catch (error) {
    watch.dispose();
    throw error;
  }
  try {
    const caFile = resolve(options.caFile ?? (stateFile ? `${stateFile}.ca.pem` : join(tmpdir(), `customer-key-emulator-${emulator.endpoints.port}-ca.pem`)));
    mkdirSync(dirname(caFile), { recursive: true });
    writeFileSync(caFile, emulator.caCertificate);
    // For `--state FILE` of the other commands: how to reach this emulator while it runs.
    if (stateFile) writeConnectionFile(stateFile, emulator, caFile);
    context.io.out(JSON.stringify(describeEmulator(emulator, caFile), null, 2));
    context.io.err(
      `customer-key emulator running as pid ${process.pid} on port ${emulator.endpoints.port}. ` +
        `Stop it with Ctrl-C or \`kill ${process.pid}\`.${stateFile ? ` State: ${stateFile}` : ""}` +
        (options.clockRate !== undefined ? ` Clock: ${options.clockRate}× wall time.` : "") +
        (options.approveDoNotCancel !== undefined ? ` Do-Not-Cancel: approved ${options.approveDoNotCancel === true || options.approveDoNotCancel === 0 ? "at once" : `after ${options.approveDoNotCancel} s of emulator clock`}.` : ""),
    );
    context.stopReason = await watch.stopped;
  } finally {
    if (stateFile) rmSync(connectionFileOf(stateFile), { force: true });
    await emulator.stop();
  }
}
