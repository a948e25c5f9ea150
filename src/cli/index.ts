import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { startEmulatorCommand } from "./emulator-command.js";

const usage = `Usage:
  customer-key emulator start [--port N] [--state FILE] [--ca-file FILE]
      Starts the embedded emulator (Entra ID, Resource Manager, Key Vault keys, Graph) over HTTPS
      on 127.0.0.1, prints its endpoints, CA file and seeded principals as JSON, and runs until stopped.
  customer-key --help`;

export async function main(argv: string[], out = (line: string) => process.stdout.write(line + "\n")): Promise<number> {
  const [group, command, ...rest] = argv;
  if (!group || group === "--help" || group === "-h" || group === "help") {
    out(usage);
    return 0;
  }
  if (group === "emulator" && command === "start") {
    const { values } = parseArgs({
      args: rest,
      options: { port: { type: "string" }, state: { type: "string" }, "ca-file": { type: "string" } },
      strict: true,
    });
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) {
      process.stderr.write(`--port must be a whole number from 0 to 65535, got '${values.port}'.\n`);
      return 2;
    }
    const emulator = await startEmulatorCommand(
      { ...(port !== undefined ? { port } : {}), ...(values.state ? { stateFile: values.state } : {}), ...(values["ca-file"] ? { caFile: values["ca-file"] } : {}) },
      out,
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await emulator.stop();
    return 0;
  }
  process.stderr.write(`Unknown command '${argv.join(" ")}'.\n${usage}\n`);
  return 2;
}

/** True when run as the `customer-key` bin (argv[1] may be a symlink in node_modules/.bin). */
function isEntryPoint(): boolean {
  try {
    return !!process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
