/** What `customer-key emulator start` prints: everything a separate process needs to connect, and how to stop it. */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Emulator } from "../emulator/index.js";

/** Host names the emulator answers on; each vault adds `<vault>.vault.localhost`. */
const FIXED_HOSTS = ["login.localhost", "management.localhost", "graph.localhost", "outlook.localhost"];

/**
 * Where the preload module is: next to the bundled bin (dist/cli → dist/emulator/preload.js) in
 * the package, or the TypeScript source when the CLI itself runs from source (`npm run emulator`),
 * which then needs tsx in the child too.
 */
export function preloadImports(): string[] {
  const built = new URL("../emulator/preload.js", import.meta.url);
  if (existsSync(fileURLToPath(built))) return [built.href];
  const source = new URL("./emulator-preload.ts", import.meta.url);
  if (existsSync(fileURLToPath(source))) return ["tsx", source.href];
  return ["customer-key/emulator/preload"];
}

export interface ChildProcessSetup {
  note: string;
  /** Environment for a Node child process: trust the CA, resolve `*.localhost` to loopback. */
  env: { NODE_EXTRA_CA_CERTS: string; NODE_OPTIONS: string };
  /** The same as one shell line. */
  shell: string;
  /** For tools other than Node, which cannot take the preload. */
  hostsFile: string;
}

/** `vaultNames`: vaults to name in the hosts line (a hosts file has no wildcards). */
export function childProcessSetup(emulator: Emulator, caFile: string, vaultNames: readonly string[] = []): ChildProcessSetup {
  const nodeOptions = preloadImports().map((specifier) => `--import=${specifier}`).join(" ");
  const vaultHosts = vaultNames.map((name) => `${name.toLowerCase()}.vault.localhost`);
  return {
    note:
      "*.localhost names do not resolve to the emulator by themselves. Start Node processes with this env: " +
      "the preload resolves *.localhost to 127.0.0.1 and NODE_EXTRA_CA_CERTS trusts the emulator's CA (TLS verification stays on).",
    env: { NODE_EXTRA_CA_CERTS: caFile, NODE_OPTIONS: nodeOptions },
    shell: `export NODE_EXTRA_CA_CERTS=${shellQuote(caFile)} NODE_OPTIONS=${shellQuote(nodeOptions)}`,
    hostsFile:
      `Other tools: add to /etc/hosts "127.0.0.1 ${[...FIXED_HOSTS, ...vaultHosts].join(" ")}" ` +
      `(one more name per vault you create: <vault>.vault.localhost) and trust ${caFile}; ` +
      `the emulator listens on port ${emulator.endpoints.port}.`,
  };
}

export function describeEmulator(emulator: Emulator, caFile: string, pid: number = process.pid): Record<string, unknown> {
  return {
    pid,
    stop: `Ctrl-C, or kill ${pid} (SIGTERM); the state is saved first.`,
    tenantId: emulator.tenantId,
    endpoints: {
      authorityHost: emulator.endpoints.authorityHost,
      resourceManager: emulator.endpoints.resourceManager,
      graph: emulator.endpoints.graph,
      vaultUrlTemplate: emulator.endpoints.vaultUrl("{vault}"),
    },
    caCertificateFile: caFile,
    childProcesses: childProcessSetup(emulator, caFile),
    inProcess: "In your own Node code: new https.Agent({ ca: <CA file contents>, lookup: emulatorLookup }) with emulatorLookup from customer-key/emulator.",
    subscriptions: emulator.subscriptionIds,
    // Printed on purpose so scripts can sign in; the note says why that is safe.
    credentialsNote:
      "admin.password and servicePrincipals[].clientSecret are emulator-only credentials, made up for this emulated tenant: they open nothing outside it.",
    admin: emulator.admin,
    servicePrincipals: emulator.directory.servicePrincipals.map((sp) => ({
      displayName: sp.displayName,
      appId: sp.appId,
      objectId: sp.objectId,
      clientSecret: sp.secrets[0],
    })),
  };
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
