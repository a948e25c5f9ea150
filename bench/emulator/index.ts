/**
 * Key Vault data-plane throughput of the emulator: wrapKey and unwrapKey per second through the
 * real CryptographyClient (RSA-OAEP-256, so both go to the vault) over loopback TLS, next to
 * bare node:crypto RSA-OAEP-256 on the same machine. Run: node --import tsx bench/emulator/index.ts
 */
import { constants, createPublicKey, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes } from "node:crypto";
import { CryptographyClient, KeyClient } from "@azure/keyvault-keys";
import { startEmulator } from "../../src/emulator/index.js";
import type { VaultRecord } from "../../src/emulator/arm/model.js";

const DURATION_MS = Number(process.env["BENCH_MS"] ?? 2000);

async function measure(label: string, concurrency: number, op: () => Promise<unknown> | unknown): Promise<{ label: string; concurrency: number; perSecond: number }> {
  for (let i = 0; i < 5; i++) await op();
  let count = 0;
  const end = Date.now() + DURATION_MS;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await op();
        count++;
      }
    }),
  );
  return { label, concurrency, perSecond: (count * 1000) / (Date.now() - started) };
}

function vaultRecord(name: string, tenantId: string, subscriptionId: string, objectId: string): VaultRecord {
  const now = new Date().toISOString();
  return {
    name, subscriptionId, resourceGroup: "bench", location: "westeurope", tags: {},
    properties: {
      tenantId, sku: { family: "A", name: "standard" }, accessPolicies: [{ tenantId, objectId, permissions: { keys: ["all"] } }],
      vaultUri: "", enabledForDeployment: false, enabledForDiskEncryption: false, enabledForTemplateDeployment: false,
      enableSoftDelete: true, softDeleteRetentionInDays: 90, enablePurgeProtection: true, enableRbacAuthorization: false,
      provisioningState: "Succeeded", publicNetworkAccess: "Enabled",
    },
    createdAt: now, createdBy: "bench", lastModifiedAt: now, lastModifiedBy: "bench",
  };
}

async function main(): Promise<void> {
  const emulator = await startEmulator();
  try {
    emulator.withLiveState((s) => (s.arm.vaults["bench"] = vaultRecord("bench", emulator.tenantId, emulator.subscriptionIds[0]!, emulator.admin.objectId)));
    const credential = emulator.credentialFor(emulator.admin.userPrincipalName);
    const key = await new KeyClient(emulator.endpoints.vaultUrl("bench"), credential, emulator.clientOptions()).createRsaKey("bench-key");
    const client = new CryptographyClient(key.id!, credential, emulator.clientOptions());
    const secret = randomBytes(32);
    const wrapped = (await client.wrapKey("RSA-OAEP-256", secret)).result;

    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const publicKey = createPublicKey(privateKey);
    const oaep = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" };
    const bareCipher = publicEncrypt({ key: publicKey, ...oaep }, secret);

    const rows = [
      await measure("emulator wrapKey (CryptographyClient)", 1, () => client.wrapKey("RSA-OAEP-256", secret)),
      await measure("emulator unwrapKey (CryptographyClient)", 1, () => client.unwrapKey("RSA-OAEP-256", wrapped)),
      await measure("emulator wrapKey (CryptographyClient)", 8, () => client.wrapKey("RSA-OAEP-256", secret)),
      await measure("emulator unwrapKey (CryptographyClient)", 8, () => client.unwrapKey("RSA-OAEP-256", wrapped)),
      await measure("node:crypto publicEncrypt OAEP-256", 1, () => publicEncrypt({ key: publicKey, ...oaep }, secret)),
      await measure("node:crypto privateDecrypt OAEP-256", 1, () => privateDecrypt({ key: privateKey, ...oaep }, bareCipher)),
    ];
    const bare = { wrapKey: rows[4]!.perSecond, unwrapKey: rows[5]!.perSecond };
    console.log(`RSA-2048, RSA-OAEP-256, ${DURATION_MS} ms per row, ${emulator.requests.size} emulator requests served\n`);
    console.log("| operation | in flight | ops/s | node:crypto ops/s | emulator / node:crypto |");
    console.log("|---|---:|---:|---:|---:|");
    for (const row of rows) {
      const kind = row.label.includes("unwrap") || row.label.includes("Decrypt") ? "unwrapKey" : "wrapKey";
      const reference = bare[kind];
      console.log(`| ${row.label} | ${row.concurrency} | ${row.perSecond.toFixed(0)} | ${reference.toFixed(0)} | ${(row.perSecond / reference).toFixed(3)} |`);
    }
  } finally {
    await emulator.stop();
  }
}

await main();
