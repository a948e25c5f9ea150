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
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port > 65535) {
    throw new InvalidArgumentError("must be a whole number from 0 to 65535.");
  }
  return port;
}

export const registerEmulator: RegisterCommand = (program: Command, context: CliContext) => {
  const emulator = program.command("emulator").description("run the embedded emulator of Entra ID, Resource Manager, Key Vault and Graph");
  emulator
    .command("start")
    .description(
      "start the emulator over HTTPS on 127.0.0.1, print its endpoints, CA file, pid and seeded principals as JSON, and run until stopped",
    )
    .option("--port <n>", "TCP port (0: any free port)", parsePort, 0)
    .option("--state <file>", "keep the state in this file and start from it if it exists")
    .option("--ca-file <file>", "where to write the CA certificate (default: next to the state file, or in the temp dir)")
    .addHelpText(
      "after",
      `
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
    emulator = await startEmulator({ port: options.port ?? 0, ...(stateFile ? { stateFile } : {}) });
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
        `Stop it with Ctrl-C or \`kill ${process.pid}\`.${stateFile ? ` State: ${stateFile}` : ""}`,
    );
    context.stopReason = await watch.stopped;
  } finally {
    if (stateFile) rmSync(connectionFileOf(stateFile), { force: true });
    await emulator.stop();
  }
}
