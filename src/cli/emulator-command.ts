import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { tmpdir } from "node:os";
import { startEmulator, type Emulator } from "../emulator/index.js";

export interface EmulatorStartOptions {
  port?: number;
  stateFile?: string;
  /** Where to write the CA certificate (PEM); default next to the state file, or in the temp dir. */
  caFile?: string;
}

/** What `customer-key emulator start` prints: everything a separate process needs to connect. */
export function describeEmulator(emulator: Emulator, caFile: string): Record<string, unknown> {
  return {
    tenantId: emulator.tenantId,
    endpoints: {
      authorityHost: emulator.endpoints.authorityHost,
      resourceManager: emulator.endpoints.resourceManager,
      graph: emulator.endpoints.graph,
      vaultUrlTemplate: emulator.endpoints.vaultUrl("{vault}"),
    },
    caCertificateFile: caFile,
    hint: "Trust only this CA: pass an https.Agent({ ca, lookup }) resolving *.localhost to 127.0.0.1, or NODE_EXTRA_CA_CERTS for child processes.",
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

export async function startEmulatorCommand(options: EmulatorStartOptions, out: (line: string) => void): Promise<Emulator> {
  const stateFile = options.stateFile ? resolve(options.stateFile) : undefined;
  const emulator = await startEmulator({
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(stateFile ? { stateFile } : {}),
  });
  const caFile = resolve(options.caFile ?? (stateFile ? `${stateFile}.ca.pem` : join(tmpdir(), `customer-key-emulator-${emulator.endpoints.port}-ca.pem`)));
  mkdirSync(dirname(caFile), { recursive: true });
  writeFileSync(caFile, emulator.caCertificate);
  out(JSON.stringify(describeEmulator(emulator, caFile), null, 2));
  return emulator;
}
