/**
 * Set-up shared by the scenario examples (leaver, disaster drill, key roll, audit): an emulator, a
 * CustomerKeyClient for its seeded admin (the operator), and an Exchange vault pair applied the way
 * `setup-and-validate.ts` shows step by step. Against real Azure this pair already exists: you
 * would only build the client and the spec.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { KeyClient } from "@azure/keyvault-keys";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { CustomerKeyClient, type VaultPairSpec, type VaultCoordinates } from "../src/index.js";

export const KEY_NAME = "exo-root";

export interface Scenario {
  emulator: Emulator;
  /** The operator's client (the emulator's seeded admin: Owner of both subscriptions). */
  client: CustomerKeyClient;
  spec: VaultPairSpec;
  primary: VaultCoordinates;
  secondary: VaultCoordinates;
  /** Versioned key URIs of the root key in each vault (empty without `keys`). */
  keyUris: string[];
  /** UPNs of the extra administrators created from `options.administrators`, in order. */
  administrators: string[];
  /** A temporary backup directory holding one backup of each root key. */
  backupDirectory: string;
  /** Stops the emulator and removes the backup directory. */
  stop(): Promise<void>;
}

export interface ScenarioOptions {
  /** Local parts of extra users, created in the directory and made administrators of the pair. */
  administrators?: string[];
  /** Register and approve Do-Not-Cancel on both subscriptions (validate() checks it). Default true. */
  doNotCancel?: boolean;
  /** Create and back up an RSA-HSM root key in each vault. Default true. */
  keys?: boolean;
}

/** A client for one principal of the emulator. With real Azure: new CustomerKeyClient(new DefaultAzureCredential(), { tenantId }). */
export function clientFor(emulator: Emulator, principal: string): CustomerKeyClient {
  return new CustomerKeyClient(emulator.credentialFor(principal), { ...emulator.customerKeyClientOptions(), pollIntervalInMs: 50 });
}

/** The plain Azure SDK vault management client, for things customer-key deliberately never does. */
export function rawVaultManagement(emulator: Emulator, subscriptionId: string): KeyVaultManagementClient {
  return new KeyVaultManagementClient(emulator.credentialFor(emulator.admin.userPrincipalName), subscriptionId, {
    endpoint: emulator.endpoints.resourceManager,
    credentials: { scopes: ["https://management.azure.com/.default"] },
    ...emulator.clientOptions(),
  });
}

/** A plain Azure SDK key client (default: the operator's), for simulating accidents (delete, purge). */
export function rawKeyClient(emulator: Emulator, vaultUrl: string, principal = emulator.admin.userPrincipalName): KeyClient {
  return new KeyClient(vaultUrl, emulator.credentialFor(principal), emulator.clientOptions());
}

export async function startScenario(options: ScenarioOptions = {}): Promise<Scenario> {
  const emulator = await startEmulator();
  const backupDirectory = await mkdtemp(path.join(tmpdir(), "customer-key-example-"));
  const stop = async () => {
    await emulator.stop();
    await rm(backupDirectory, { recursive: true, force: true });
  };
  try {
    const client = clientFor(emulator, emulator.admin.userPrincipalName);
    const [a, b] = emulator.subscriptionIds as [string, string];
    if (options.doNotCancel !== false) {
      await Promise.all(
        [a, b].map(async (subscriptionId) => {
          const poller = client.subscriptions.beginRegisterDoNotCancel(subscriptionId);
          await poller.poll();
          emulator.approveDoNotCancel(subscriptionId); // Microsoft takes days; the emulator approves now.
          await poller.pollUntilDone();
        }),
      );
    }
    const extra = (options.administrators ?? []).map((name) => emulator.directory.createUser({ userPrincipalName: name }).userPrincipalName);
    const spec: VaultPairSpec = {
      workload: "exchange",
      permissionModel: "accessPolicy",
      administrators: [emulator.admin.userPrincipalName, ...extra],
      primary: { subscriptionId: a, resourceGroup: "rg-customer-key-a", location: "westeurope", vaultName: "contoso-exo-eu-a1" },
      secondary: { subscriptionId: b, resourceGroup: "rg-customer-key-b", location: "swedencentral", vaultName: "contoso-exo-eu-b1" },
      key: { name: KEY_NAME, size: 3072, protection: "hsm" },
    };
    await client.vaultPairs.beginApply(await client.vaultPairs.plan(spec));
    const refOf = (m: VaultPairSpec["primary"]): VaultCoordinates => ({ subscriptionId: m.subscriptionId, resourceGroup: m.resourceGroup, vaultName: m.vaultName });
    const primary = refOf(spec.primary);
    const secondary = refOf(spec.secondary);
    const keyUris: string[] = [];
    if (options.keys !== false) {
      for (const vault of [primary, secondary]) {
        const { key } = await client.keys.create(vault, KEY_NAME, { size: 3072, protection: "hsm" });
        await client.backups.backupKey(key.id, { directory: backupDirectory });
        keyUris.push(key.id);
      }
    }
    return { emulator, client, spec, primary, secondary, keyUris, administrators: extra, backupDirectory, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
