/**
 * The emulator with nothing but the real Azure SDK clients: a vault through Resource Manager, a
 * key through KeyClient, and a data key wrapped by CryptographyClient. Use it in your own tests.
 *
 *   node --import tsx examples/emulator-quickstart.ts
 */
import { randomBytes } from "node:crypto";
import { runIfMain } from "./run-example.js";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { ResourceManagementClient } from "@azure/arm-resources";
import { CryptographyClient, KeyClient } from "@azure/keyvault-keys";
import { startEmulator } from "../src/emulator/index.js";

export async function main({ log = console.log }: { log?: (line: string) => void } = {}): Promise<{ ok: boolean; kid: string }> {
  const emulator = await startEmulator();
  try {
    const [subscriptionId] = emulator.subscriptionIds as [string];
    const credential = emulator.credentialFor(emulator.admin.userPrincipalName);
    // clientOptions(): an https.Agent that trusts the emulator's CA and resolves *.localhost to loopback.
    const options = emulator.clientOptions();
    const scopes = ["https://management.azure.com/.default"];
    const resources = new ResourceManagementClient(credential, subscriptionId, { endpoint: emulator.endpoints.resourceManager, credentialScopes: scopes, ...options });
    const vaults = new KeyVaultManagementClient(credential, subscriptionId, { endpoint: emulator.endpoints.resourceManager, credentials: { scopes }, ...options });

    await resources.resourceGroups.createOrUpdate("rg-quickstart", { location: "westeurope" });
    const vault = await vaults.vaults.createOrUpdate("rg-quickstart", "quickstart-vault", {
      location: "westeurope",
      properties: {
        tenantId: emulator.tenantId,
        sku: { family: "A", name: "premium" },
        enableSoftDelete: true,
        softDeleteRetentionInDays: 90,
        enablePurgeProtection: true,
        accessPolicies: [{ tenantId: emulator.tenantId, objectId: emulator.admin.objectId, permissions: { keys: ["create", "get", "wrapKey", "unwrapKey"] } }],
      },
    });
    const vaultUrl = vault.properties!.vaultUri!;
    log(`Vault ${vault.name} at ${vaultUrl}`);

    const keys = new KeyClient(vaultUrl, credential, options);
    const key = await keys.createRsaKey("quickstart-key", { hsm: true, keySize: 2048, keyOps: ["wrapKey", "unwrapKey"] });
    log(`Key ${key.id} (${key.keyType})`);

    const crypto = new CryptographyClient(key.id!, credential, options);
    const dataKey = randomBytes(32);
    const wrapped = await crypto.wrapKey("RSA-OAEP-256", dataKey);
    const unwrapped = await crypto.unwrapKey("RSA-OAEP-256", wrapped.result);
    const ok = Buffer.from(unwrapped.result).equals(dataKey);
    log(`Wrapped a 32-byte data key with ${wrapped.keyID}: ${wrapped.result.length} bytes; unwrap ${ok ? "matches" : "DIFFERS"}.`);
    return { ok, kid: key.id! };
  } finally {
    await emulator.stop();
  }
}

runIfMain(import.meta.url, () => main());
