import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RestError } from "@azure/core-rest-pipeline";
import { DO_NOT_CANCEL_FEATURE, startEmulator, type Emulator } from "../../src/emulator/index.js";
import { createTestVault, keyClient } from "./helpers/vaults.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator?.stop());

const poll = { intervalInMs: 10 };
const restError = async (promise: Promise<unknown>): Promise<RestError> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, "expected the call to fail").toBeDefined();
  return error as RestError;
};

describe("soft delete, recover and purge", () => {
  it("deletes through the poller, lists and gets the deleted key, refuses its name, and recovers it", async () => {
    createTestVault(emulator, { name: "kv-protected", purgeProtection: true });
    const client = keyClient(emulator, "kv-protected");
    const key = await client.createRsaKey("cmk");
    const deleted = await (await client.beginDeleteKey("cmk", poll)).pollUntilDone();
    expect(deleted.properties.recoveryId).toBe(`${emulator.endpoints.vaultUrl("kv-protected")}/deletedkeys/cmk`);
    expect(deleted.properties.recoveryLevel).toBe("Recoverable");
    expect((deleted.properties.scheduledPurgeDate!.getTime() - deleted.properties.deletedOn!.getTime()) / 1000).toBe(90 * 86_400);
    expect((await client.getDeletedKey("cmk")).id).toBe(key.id);
    const listed: string[] = [];
    for await (const d of client.listDeletedKeys()) listed.push(d.name);
    expect(listed).toEqual(["cmk"]);
    const reuse = await restError(client.createRsaKey("cmk"));
    expect([reuse.statusCode, reuse.code]).toEqual([409, "Conflict"]);
    const recovered = await (await client.beginRecoverDeletedKey("cmk", poll)).pollUntilDone();
    expect(recovered.id).toBe(key.id);
    expect((await client.getKey("cmk")).properties.version).toBe(key.properties.version);
    const notDeleted = await restError(client.getDeletedKey("cmk"));
    expect([notDeleted.statusCode, notDeleted.code]).toEqual([404, "KeyNotFound"]);
  });

  it("refuses purge under purge protection", async () => {
    const client = keyClient(emulator, "kv-protected");
    await (await client.beginDeleteKey("cmk", poll)).pollUntilDone();
    const refused = await restError(client.purgeDeletedKey("cmk"));
    expect([refused.statusCode, refused.code]).toEqual([403, "Forbidden"]);
    expect(refused.message).toMatch(/^Operation "purge" is not allowed because purge protection is enabled for this vault\./);
  });

  it("purges without purge protection and frees the name", async () => {
    createTestVault(emulator, { name: "kv-purgeable", retentionDays: 7 });
    const client = keyClient(emulator, "kv-purgeable");
    const key = await client.createRsaKey("temp");
    expect(key.properties).toMatchObject({ recoveryLevel: "CustomizedRecoverable+Purgeable", recoverableDays: 7 });
    await (await client.beginDeleteKey("temp", poll)).pollUntilDone();
    await client.purgeDeletedKey("temp");
    expect((await restError(client.getDeletedKey("temp"))).statusCode).toBe(404);
    // The purge finishes within the pending window; until then the name is still being deleted.
    const early = await restError(client.createRsaKey("temp"));
    expect([early.statusCode, early.code]).toEqual([409, "Conflict"]);
    emulator.clock.advance({ seconds: 3 });
    expect((await client.createRsaKey("temp")).properties.version).not.toBe(key.properties.version);
  });

  it("deletes at once and for good on a vault without soft delete", async () => {
    createTestVault(emulator, { name: "kv-nosoft", retentionDays: 0 });
    const client = keyClient(emulator, "kv-nosoft");
    expect((await client.createRsaKey("gone")).properties).toMatchObject({ recoveryLevel: "Purgeable", recoverableDays: 0 });
    const deleted = await (await client.beginDeleteKey("gone", poll)).pollUntilDone();
    expect(deleted.properties.recoveryId).toBeUndefined();
    expect((await restError(client.getKey("gone"))).statusCode).toBe(404);
  });

  it("derives every recovery level from the vault and its subscription", async () => {
    createTestVault(emulator, { name: "kv-custom-pp", retentionDays: 30, purgeProtection: true });
    expect((await keyClient(emulator, "kv-custom-pp").createRsaKey("k")).properties).toMatchObject({ recoveryLevel: "CustomizedRecoverable", recoverableDays: 30 });
    const sub = emulator.createSubscription({ displayName: "dnc", owner: emulator.admin.userPrincipalName });
    createTestVault(emulator, { name: "kv-dnc", subscriptionId: sub.subscriptionId, purgeProtection: true });
    createTestVault(emulator, { name: "kv-dnc-short", subscriptionId: sub.subscriptionId, purgeProtection: true, retentionDays: 7 });
    const client = keyClient(emulator, "kv-dnc");
    await client.createRsaKey("k");
    expect((await client.getKey("k")).properties.recoveryLevel).toBe("Recoverable");
    sub.features[DO_NOT_CANCEL_FEATURE.toLowerCase()] = { state: "Pending", updatedAt: emulator.clock.now().toISOString() };
    emulator.approveDoNotCancel(sub.subscriptionId);
    expect((await client.getKey("k")).properties).toMatchObject({ recoveryLevel: "Recoverable+ProtectedSubscription", recoverableDays: 90 });
    const short = await keyClient(emulator, "kv-dnc-short").createRsaKey("k");
    expect(short.properties.recoveryLevel).toBe("CustomizedRecoverable+ProtectedSubscription");
  });
});

describe("backup and restore", () => {
  it("restores every version with the same ids and times after a purge", async () => {
    createTestVault(emulator, { name: "kv-backup" });
    const client = keyClient(emulator, "kv-backup");
    const first = await client.createRsaKey("saved");
    const second = await client.createRsaKey("saved");
    const blob = await client.backupKey("saved");
    expect(Buffer.from(blob!).subarray(0, 39).toString("ascii")).toBe("&AzureKeyVaultKeyBackupV1.microsoft.com");
    await (await client.beginDeleteKey("saved", poll)).pollUntilDone();
    await client.purgeDeletedKey("saved");
    // Recorded: a restore in the seconds after a purge is 409 Conflict (no innererror), then 200.
    const tooSoon = await restError(client.restoreKeyBackup(blob!));
    expect([tooSoon.statusCode, tooSoon.code]).toEqual([409, "Conflict"]);
    expect((tooSoon.details as { error?: { innerError?: unknown } }).error?.innerError).toBeUndefined();
    emulator.clock.advance({ seconds: 3 });
    const restored = await client.restoreKeyBackup(blob!);
    expect(restored.id).toBe(second.id);
    expect(restored.properties.createdOn).toEqual(second.properties.createdOn);
    expect(restored.key?.n).toEqual(second.key?.n);
    const versions: string[] = [];
    for await (const v of client.listPropertiesOfKeyVersions("saved")) versions.push(v.version!);
    expect(versions).toEqual([first.properties.version, second.properties.version]);

    const live = await restError(client.restoreKeyBackup(blob!));
    expect([live.statusCode, live.code]).toEqual([409, "Conflict"]);
    expect(live.message).toContain(`There was a conflict restoring the key '${second.id}'.`);
    await (await client.beginDeleteKey("saved", poll)).pollUntilDone();
    const softDeleted = await restError(client.restoreKeyBackup(blob!));
    expect([softDeleted.statusCode, softDeleted.code]).toEqual([409, "Conflict"]);

    createTestVault(emulator, { name: "kv-same-geo", location: "northeurope" });
    expect((await keyClient(emulator, "kv-same-geo").restoreKeyBackup(blob!)).properties.version).toBe(second.properties.version);
    createTestVault(emulator, { name: "kv-other-sub", subscriptionId: emulator.subscriptionIds[1]! });
    const otherSub = await restError(keyClient(emulator, "kv-other-sub").restoreKeyBackup(blob!));
    expect([otherSub.statusCode, otherSub.code, otherSub.message]).toEqual([400, "BadParameter", "Cannot decrypt backup blob."]);
    createTestVault(emulator, { name: "kv-other-geo", location: "eastus" });
    expect((await restError(keyClient(emulator, "kv-other-geo").restoreKeyBackup(blob!))).statusCode).toBe(400);

    const corrupt = await restError(client.restoreKeyBackup(new Uint8Array(512)));
    expect([corrupt.statusCode, corrupt.code, corrupt.message]).toEqual([400, "Malformed backup blob", "Backup blob contains invalid or corrupt version."]);
  });
});

describe("retention on the emulator clock", () => {
  it("purges deleted keys by themselves once scheduledPurgeDate has passed", async () => {
    const client = keyClient(emulator, "kv-purgeable");
    await client.createRsaKey("expiring");
    await (await client.beginDeleteKey("expiring", poll)).pollUntilDone();
    emulator.clock.advance({ days: 6 });
    expect((await client.getDeletedKey("expiring")).name).toBe("expiring");
    emulator.clock.advance({ days: 1, seconds: 1 });
    expect((await restError(client.getDeletedKey("expiring"))).statusCode).toBe(404);
    await client.createRsaKey("expiring");
  });
});
