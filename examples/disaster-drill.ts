/**
 * Scenario 5, the disaster drill. A root key is deleted by mistake: recover it from soft delete
 * (the first resort). A key that is gone for good is restored from the newest backup whose SHA-256
 * still matches the manifest, into the same subscription; the restored key has the very URI the
 * Microsoft 365 policies name. An altered backup is reported and never used.
 *
 * customer-key never deletes or purges anything, so the accidents are staged with the plain Azure
 * SDK clients (@azure/keyvault-keys, @azure/arm-keyvault), as someone with too much access would.
 *
 *   node --import tsx examples/disaster-drill.ts
 */
import { readFile, writeFile } from "node:fs/promises";
import { runIfMain } from "./run-example.js";
import { clientFor, KEY_NAME, rawKeyClient, rawVaultManagement, startScenario } from "./shared-setup.js";

export interface DrillResult {
  ok: boolean;
  /** The pair's primary key: URI before the accident, and after recovery from soft delete. */
  recovered: { original: string; after: string };
  /** The purged key: URI before the purge, and after restoring the backup. */
  restored: { original: string; after: string; file: string };
  /** What verify() said about the backup file we altered. */
  alteredStatus: string | undefined;
}

const SCRATCH_VAULT = "contoso-drill-scratch";

export async function main({ log = console.log }: { log?: (line: string) => void } = {}): Promise<DrillResult> {
  const scenario = await startScenario({ doNotCancel: false });
  const { emulator, client, primary, backupDirectory } = scenario;
  try {
    // A break-glass account that (unlike the administrators) holds delete and recover on the
    // primary vault. Microsoft's administrator set is create, import, list, get, backup, restore:
    // without `recover` the operator could not undo a deletion, so this account runs the recovery.
    const breakGlass = emulator.directory.createUser({ userPrincipalName: "break-glass", displayName: "Break glass" });
    const arm = rawVaultManagement(emulator, primary.subscriptionId);
    await arm.vaults.updateAccessPolicy(primary.resourceGroup, primary.vaultName, "add", {
      properties: { accessPolicies: [{ tenantId: emulator.tenantId, objectId: breakGlass.objectId, permissions: { keys: ["get", "list", "delete", "recover"] } }] },
    });

    const original = scenario.keyUris[0]!;
    log(`1. The primary key ${original} is backed up in ${backupDirectory}`);
    const vaultUrl = emulator.endpoints.vaultUrl(primary.vaultName);

    log("2. The accident: the break-glass account deletes the key (plain KeyClient.beginDeleteKey)");
    // Against Azure: Exchange can no longer wrap or unwrap with this key; with the other vault's key
    // it keeps working, which is why the pair has two vaults.
    const breakGlassKeys = rawKeyClient(emulator, vaultUrl, breakGlass.userPrincipalName);
    await (await breakGlassKeys.beginDeleteKey(KEY_NAME, { intervalInMs: 50 })).pollUntilDone();

    log("3. First resort: recover it from soft delete (90 days; purge protection forbids a purge)");
    // By vault URL: the break-glass account has no Resource Manager role to look the vault up by name.
    const { key: recoveredKey, recovered } = await clientFor(emulator, breakGlass.userPrincipalName).keys.recover(vaultUrl, KEY_NAME);
    log(`   recovered: ${recovered}; ${recoveredKey.id}${recoveredKey.id === original ? " (same URI as before)" : " (DIFFERENT URI!)"}`);
    // The drill is over for this vault: the break-glass account loses its access again.
    await client.vaultPairs.revokeAccess(primary, breakGlass.userPrincipalName, { confirm: breakGlass.userPrincipalName });

    log("4. The worst case: a key deleted AND purged. Only a vault WITHOUT purge protection allows that;");
    log(`   real Customer Key vaults have it, so the drill uses a scratch vault ${SCRATCH_VAULT} in the same subscription.`);
    const scratch = { subscriptionId: primary.subscriptionId, resourceGroup: primary.resourceGroup, vaultName: SCRATCH_VAULT };
    await arm.vaults.createOrUpdate(scratch.resourceGroup, SCRATCH_VAULT, {
      location: "westeurope",
      properties: {
        tenantId: emulator.tenantId,
        sku: { family: "A", name: "premium" },
        enableSoftDelete: true,
        softDeleteRetentionInDays: 7,
        accessPolicies: [{ tenantId: emulator.tenantId, objectId: emulator.admin.objectId, permissions: { keys: ["create", "get", "list", "backup", "restore", "delete", "purge"] } }],
      },
    });
    const { key: doomed } = await client.keys.create(scratch, "drill-key", { size: 3072, protection: "hsm" });
    const older = await client.backups.backupKey(doomed.id, { directory: backupDirectory });
    const newer = await client.backups.backupKey(doomed.id, { directory: backupDirectory });
    log(`   ${doomed.id} backed up twice: ${older.file}, ${newer.file}`);

    // Someone edits (or bit rot flips) the newest backup file.
    const bytes = await readFile(newer.path);
    bytes[100]! ^= 0xff;
    await writeFile(newer.path, bytes);

    const scratchKeys = rawKeyClient(emulator, emulator.endpoints.vaultUrl(SCRATCH_VAULT));
    await (await scratchKeys.beginDeleteKey("drill-key", { intervalInMs: 50 })).pollUntilDone();
    await scratchKeys.purgeDeletedKey("drill-key");
    log("   deleted and purged (plain KeyClient): recover() is no longer possible");

    log("5. Check the backups: altered files are reported and never used");
    const verified = await client.backups.verify(backupDirectory);
    for (const f of verified.files) log(`   ${f.status.padEnd(8)} ${f.file}: ${f.detail}`);
    const alteredStatus = verified.files.find((f) => f.file === newer.file)?.status;

    log("6. Restore the newest verified backup into the same subscription");
    // Key Vault restores only within the subscription (and geography) the key was backed up from.
    const pick = await client.backups.newestVerifiedBackup(backupDirectory, doomed.id);
    if (!pick) throw new Error("No verified backup of drill-key.");
    const { key: restoredKey } = await client.backups.restoreKey(scratch, pick.path);
    log(`   restored from ${pick.file}: ${restoredKey.id}${restoredKey.id === doomed.id ? " (same URI as before)" : " (DIFFERENT URI!)"}`);

    const ok =
      recovered && recoveredKey.id === original &&
      alteredStatus === "altered" && pick.file === older.file &&
      restoredKey.id === doomed.id && (await client.keys.getKeyUri(scratch, "drill-key")) === doomed.id;
    log(ok ? "Drill passed: both keys are back under the URIs the policies name." : "Drill FAILED.");
    return { ok, recovered: { original, after: recoveredKey.id }, restored: { original: doomed.id, after: restoredKey.id, file: pick.file }, alteredStatus };
  } finally {
    await scenario.stop();
  }
}

runIfMain(import.meta.url, () => main());
