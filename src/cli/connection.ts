/**
 * How a command reaches its tenant: real Azure through DefaultAzureCredential, an embedded emulator
 * (`--emulator`), or an emulator another process runs (`--state FILE`, the state file given to
 * `emulator start --state`, which writes `<FILE>.connection.json` next to it while it runs).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Agent } from "node:https";
import { ClientSecretCredential, DefaultAzureCredential, UsernamePasswordCredential } from "@azure/identity";
import type { TokenCredential } from "@azure/core-auth";
import { Option, type Command } from "commander";
import { CustomerKeyClient } from "../index.js";
import { emulatorLookup, startEmulator, type Emulator } from "../emulator/index.js";
import { endpointsFor } from "../emulator/endpoints.js";
import { CliError } from "./cli-error.js";

export interface ConnectionOptions {
  emulator?: boolean;
  state?: string;
  tenant?: string;
  /** --audit FILE: the SDK's audit trail, one JSON line per change, appended to FILE. */
  audit?: string;
}

/** What `emulator start --state FILE` writes to `FILE.connection.json` (mode 0600) while it runs. */
export interface EmulatorConnectionFile {
  port: number;
  tenantId: string;
  caCertificateFile: string;
  subscriptions: string[];
  /** Emulator-only credentials of the seeded admin: they open nothing outside the emulated tenant. */
  admin: { userPrincipalName: string; password: string };
}

export const connectionFileOf = (stateFile: string) => `${stateFile}.connection.json`;

/**
 * Writes `FILE.connection.json` for an emulator running in this process, so `--state FILE` reaches it
 * (0600: it holds the emulator-only admin password, which the state file holds too).
 */
export function writeConnectionFile(stateFile: string, emulator: Emulator, caCertificateFile: string): void {
  const connection: EmulatorConnectionFile = {
    port: emulator.endpoints.port,
    tenantId: emulator.tenantId,
    caCertificateFile,
    subscriptions: [...emulator.subscriptionIds],
    admin: { userPrincipalName: emulator.admin.userPrincipalName, password: emulator.admin.password },
  };
  writeFileSync(connectionFileOf(stateFile), JSON.stringify(connection, null, 2), { mode: 0o600 });
}

/** Adds --emulator, --state and --tenant to a command that talks to a tenant. */
export function withConnectionOptions(command: Command): Command {
  return command
    .addOption(new Option("--emulator", "start an embedded emulator for this run (nothing real is touched)").conflicts("state"))
    .option("--state <file>", "use the emulator started by `customer-key emulator start --state <file>`")
    .option("--tenant <id>", "Entra tenant id (real Azure; default AZURE_TENANT_ID)")
    .option("--audit <file>", "append one JSON line per change the command makes (who, what, before, after, request id)");
}

export interface Connection {
  client: CustomerKeyClient;
  /** The embedded emulator, with --emulator. */
  emulator?: Emulator;
  /** The emulator's two seeded subscriptions, when on an emulator. */
  subscriptions: string[];
  close(): Promise<void>;
}

export async function connect(options: ConnectionOptions): Promise<Connection> {
  const audit = options.audit ? { audit: { file: path.resolve(options.audit) } } : {};
  if (options.emulator) {
    const emulator = await startEmulator();
    const client = new CustomerKeyClient(emulator.credential(), { ...emulator.customerKeyClientOptions(), pollIntervalInMs: 20, ...audit });
    return { client, emulator, subscriptions: [...emulator.subscriptionIds], close: () => emulator.stop() };
  }
  if (options.state) return connectToRunningEmulator(options.state, audit, options.tenant);
  const tenantId = options.tenant ?? process.env.AZURE_TENANT_ID;
  if (!tenantId) {
    throw new CliError("ERR_CLI_TENANT_REQUIRED", "No tenant given.", "Pass --tenant <id> or set AZURE_TENANT_ID (or use --emulator / --state <file> for an emulator).");
  }
  const client = new CustomerKeyClient(new DefaultAzureCredential(), { tenantId, ...audit });
  return { client, subscriptions: [], close: async () => {} };
}

function connectToRunningEmulator(stateFile: string, audit: { audit?: { file: string } }, tenant: string | undefined): Connection {
  const file = connectionFileOf(stateFile);
  let info: EmulatorConnectionFile;
  let ca: string;
  try {
    info = JSON.parse(readFileSync(file, "utf8")) as EmulatorConnectionFile;
    ca = readFileSync(info.caCertificateFile, "utf8");
  } catch {
    throw new CliError(
      "ERR_CLI_EMULATOR_NOT_RUNNING",
      `No running emulator for ${stateFile} (${file} is missing or unreadable).`,
      `Start one with \`customer-key emulator start --state ${stateFile}\`, or use --emulator.`,
    );
  }
  // A configuration written for another tenant would plan against the wrong one: refused before any request.
  if (tenant && tenant.toLowerCase() !== info.tenantId.toLowerCase()) {
    throw new CliError(
      "ERR_CLI_TENANT_MISMATCH",
      `The configuration is for tenant ${tenant}, but the emulator of ${stateFile} is tenant ${info.tenantId}.`,
      `Set tenantId (and the two subscriptions: ${info.subscriptions.join(", ")}) in the configuration to the emulator's, or point --state at the emulator it was written for.`,
    );
  }
  const endpoints = endpointsFor(info.port);
  // TLS verification stays on: the agent trusts the emulator's CA and resolves *.localhost to loopback.
  const agent = new Agent({ ca, keepAlive: true, lookup: emulatorLookup as never });
  Object.defineProperty(agent, "toJSON", { value: () => "[https.Agent]" });
  const credentialOptions = { authorityHost: endpoints.authorityHost, disableInstanceDiscovery: true, agent } as never;
  // CUSTOMER_KEY_EMULATOR_CLIENT_ID and _SECRET sign in as that application of the emulated directory (e.g. for Graph
  // reads that answer applications only, such as SharePoint's site count, once the app holds Sites.Read.All:
  // `emulator.directory.grantApplicationPermission`); else the seeded admin. Not AZURE_CLIENT_ID:
  // a shell set up for real Azure must not point the emulator at a real app.
  const appId = process.env["CUSTOMER_KEY_EMULATOR_CLIENT_ID"];
  const appSecret = process.env["CUSTOMER_KEY_EMULATOR_CLIENT_SECRET"];
  const credential: TokenCredential = appId && appSecret
    ? new ClientSecretCredential(info.tenantId, appId, appSecret, credentialOptions)
    : new UsernamePasswordCredential(
        info.tenantId,
        "04b07795-8ddb-461a-bbee-02f9e1bf7b46", // Azure CLI's public client id, as the emulator's own credentials use
        info.admin.userPrincipalName,
        info.admin.password,
        credentialOptions,
      );
  const client = new CustomerKeyClient(credential, {
    tenantId: info.tenantId,
    endpoints: { resourceManager: endpoints.resourceManager, graph: endpoints.graph, exchange: endpoints.exchange, sharePointAdmin: endpoints.sharePointAdmin },
    agent,
    pollIntervalInMs: 50,
    ...audit,
  } as never);
  return { client, subscriptions: info.subscriptions, close: async () => void agent.destroy() };
}
