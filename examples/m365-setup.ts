/**
 * Set-up of the Microsoft 365 examples (SharePoint policy, key roll across workloads): an
 * emulator, the operator's client, and one vault pair per workload with a backed-up RSA-HSM root
 * key in each vault, made with client.vaultPairs and client.keys as `setup-and-validate.ts` shows.
 * Against real Microsoft 365 the pairs exist already and the admin centres answer in hours: here
 * the emulator clock stands in for those hours (`emulator.clock.advance`).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmulator, type Emulator, type StartEmulatorOptions } from "../src/emulator/index.js";
import { CustomerKeyClient, type VaultPairSpec } from "../src/index.js";

export type Workload = VaultPairSpec["workload"];

export interface M365Scenario {
  emulator: Emulator;
  /** The operator's client (the emulator's seeded admin: Global Administrator, Owner of both subscriptions). */
  client: CustomerKeyClient;
  /** Per workload: the versionless key URIs of its root key in the primary and the secondary vault. */
  keys: Partial<Record<Workload, { primary: string; secondary: string }>>;
  /** A temporary backup directory (one backup of each root key). */
  backupDirectory: string;
  stop(): Promise<void>;
}

const SHORT: Record<Workload, string> = { exchange: "exo", sharePoint: "spo", multiWorkload: "m365" };

export async function startM365Scenario(workloads: Workload[], options: StartEmulatorOptions = {}): Promise<M365Scenario> {
  const emulator = await startEmulator(options);
  const backupDirectory = await mkdtemp(path.join(tmpdir(), "customer-key-m365-"));
  const stop = async () => {
    await emulator.stop();
    await rm(backupDirectory, { recursive: true, force: true });
  };
  try {
    // With real Azure: new CustomerKeyClient(new DefaultAzureCredential(), { tenantId }).
    const client = new CustomerKeyClient(emulator.credential(), { ...emulator.customerKeyClientOptions(), pollIntervalInMs: 20 });
    const [a, b] = emulator.subscriptionIds as [string, string];
    const keys: M365Scenario["keys"] = {};
    for (const workload of workloads) {
      const short = SHORT[workload];
      const spec: VaultPairSpec = {
        workload,
        permissionModel: "accessPolicy",
        administrators: [emulator.admin.userPrincipalName],
        primary: { subscriptionId: a, resourceGroup: `rg-ck-${short}-a`, location: "westeurope", vaultName: `contoso-${short}-eu-a1` },
        secondary: { subscriptionId: b, resourceGroup: `rg-ck-${short}-b`, location: "swedencentral", vaultName: `contoso-${short}-eu-b1` },
      };
      await client.vaultPairs.beginApply(await client.vaultPairs.plan(spec));
      const uris: string[] = [];
      for (const member of [spec.primary, spec.secondary]) {
        const { key } = await client.keys.create({ subscriptionId: member.subscriptionId, resourceGroup: member.resourceGroup, vaultName: member.vaultName }, `${short}-root`, { protection: "hsm" });
        await client.backups.backupKey(key.versionlessId, { directory: backupDirectory });
        uris.push(key.versionlessId);
      }
      keys[workload] = { primary: uris[0]!, secondary: uris[1]! };
    }
    return { emulator, client, keys, backupDirectory, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
