/** BackupsClient against the emulator: files, manifest, verify, restore. */
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { PreconditionFailedError, ServiceRequestError } from "../../src/errors.js";
import { createVault, modulesFor, rawKeyClient, tempDir, type Modules } from "./keys-fixtures.js";

let emulator: Emulator;
let m: Modules;
let vault: Awaited<ReturnType<typeof createVault>>;
let purgeable: Awaited<ReturnType<typeof createVault>>;
let otherSubscription: Awaited<ReturnType<typeof createVault>>;

beforeAll(async () => {
  emulator = await startEmulator();
  m = modulesFor(emulator);
  const [a, b] = emulator.subscriptionIds;
  [vault, purgeable, otherSubscription] = await Promise.all([
    createVault(emulator, { subscriptionId: a!, resourceGroup: "rg-backups", location: "westeurope", name: "ck-bk-main" }),
    createVault(emulator, { subscriptionId: a!, resourceGroup: "rg-backups", location: "westeurope", name: "ck-bk-purgeable", purgeProtection: false }),
    createVault(emulator, { subscriptionId: b!, resourceGroup: "rg-backups-b", location: "westeurope", name: "ck-bk-other-sub" }),
  ]);
});
afterAll(() => emulator?.stop());

const today = () => new Date().toISOString().slice(0, 10).replace(/-/g, "");
const restores = (since: number) => emulator.requests.list({ operation: "RestoreKey" }).filter((e) => e.seq >= since).length;

describe("backupKey", () => {
  it("names files {vault}-{key}-Backup-{yyyymmdd}.backup with a -2 suffix the same day, and records them", async () => {
    const { key } = await m.keys.create(vault.vaultUrl, "named");
    const directory = tempDir();
    const first = await m.backups.backupKey(key.id, { directory });
    const second = await m.backups.backupKey(key.versionlessId, { directory });
    expect(first.file).toBe(`ck-bk-main-named-Backup-${today()}.backup`);
    expect(second.file).toBe(`ck-bk-main-named-Backup-${today()}-2.backup`);
    const bytes = readFileSync(first.path);
    // Raw blob bytes as Key Vault returned them (the emulator's blobs start like the real ones).
    expect(bytes.subarray(0, 39).toString("ascii")).toBe("&AzureKeyVaultKeyBackupV1.microsoft.com");
    const manifest = JSON.parse(readFileSync(path.join(directory, "manifest.json"), "utf8"));
    expect(manifest.backups).toHaveLength(2);
    expect(manifest.backups[0]).toMatchObject({
      file: first.file,
      size: bytes.length,
      keyId: `${vault.vaultUrl}/keys/named`,
      versions: [key.version],
      newestVersion: key.version,
    });
    expect(manifest.backups[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(readdirSync(directory).sort()).toEqual([first.file, second.file, "manifest.json"].sort());
  });

  it("writes concurrent backups into one directory without losing a manifest entry or leaving temp files", async () => {
    const names = ["conc-a", "conc-b", "conc-c", "conc-d"];
    const created = await Promise.all(names.map((n) => m.keys.create(vault.vaultUrl, n)));
    const directory = tempDir();
    const results = await Promise.all([...created, ...created].map((c) => m.backups.backupKey(c.key.id, { directory })));
    expect(new Set(results.map((r) => r.file)).size).toBe(8);
    const manifest = JSON.parse(readFileSync(path.join(directory, "manifest.json"), "utf8"));
    expect(manifest.backups.map((b: { file: string }) => b.file).sort()).toEqual(results.map((r) => r.file).sort());
    expect(readdirSync(directory).filter((f) => f.startsWith(".") || f.endsWith(".tmp"))).toEqual([]);
    expect((await m.backups.verify(directory)).ok).toBe(true);
  });
});

describe("verify", () => {
  it("reports missing, altered, stale and unlisted files", async () => {
    const directory = tempDir();
    const keys = await Promise.all(["v-missing", "v-altered", "v-stale"].map((n) => m.keys.create(vault.vaultUrl, n)));
    const [missing, altered, stale] = await Promise.all(keys.map((k) => m.backups.backupKey(k.key.id, { directory })));
    rmSync(missing!.path);
    const bytes = readFileSync(altered!.path);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(altered!.path, bytes);
    await m.keys.roll(keys[2]!.key.id);
    copyFileSync(stale!.path, path.join(directory, "copied-by-hand.backup"));

    const result = await m.backups.verify(directory);
    expect(result.ok).toBe(false);
    const status = Object.fromEntries(result.files.map((f) => [f.file, f.status]));
    expect(status).toEqual({ [missing!.file]: "missing", [altered!.file]: "altered", [stale!.file]: "stale", "copied-by-hand.backup": "unlisted" });
    const staleReport = result.files.find((f) => f.status === "stale")!;
    expect(staleReport.liveVersion).not.toBe(staleReport.newestVersion);
    // Without live reads a stale file is only known to be intact.
    const offline = await m.backups.verify(directory, { checkLive: false });
    expect(offline.files.find((f) => f.file === stale!.file)?.status).toBe("ok");
    expect(JSON.stringify(result)).not.toMatch(/AzureKeyVaultKeyBackup/);
  });
});

describe("restoreKey", () => {
  it("refuses when the key is live or soft-deleted, or the file was altered, without sending a restore", async () => {
    const { key } = await m.keys.create(vault.vaultUrl, "r-conflict");
    const directory = tempDir();
    const backup = await m.backups.backupKey(key.id, { directory });
    const since = emulator.requests.size;
    await expect(m.backups.restoreKey(vault.vaultUrl, backup.path)).rejects.toMatchObject({ code: "ERR_KEY_EXISTS" });
    await (await rawKeyClient(emulator, vault.vaultUrl).beginDeleteKey("r-conflict", { intervalInMs: 20 })).pollUntilDone();
    const error = await m.backups.restoreKey(vault.ref, backup.path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreconditionFailedError);
    expect(error).toMatchObject({ code: "ERR_KEY_SOFT_DELETED", message: expect.stringMatching(/client\.keys\.recover/) });
    expect(restores(since)).toBe(0);

    const bytes = readFileSync(backup.path);
    bytes[100]! ^= 0xff;
    writeFileSync(backup.path, bytes);
    const before = emulator.requests.size;
    await expect(m.backups.restoreKey(vault.vaultUrl, backup.path)).rejects.toMatchObject({ code: "ERR_BACKUP_ALTERED" });
    expect(emulator.requests.size).toBe(before);
  });

  it("restores a purged key with its original versioned id, from the newest verified backup", async () => {
    const { key } = await m.keys.create(purgeable.vaultUrl, "r-purged");
    const directory = tempDir();
    const older = await m.backups.backupKey(key.id, { directory });
    const newer = await m.backups.backupKey(key.id, { directory });
    writeFileSync(newer.path, Buffer.from("corrupted"));
    const raw = rawKeyClient(emulator, purgeable.vaultUrl);
    await (await raw.beginDeleteKey("r-purged", { intervalInMs: 20 })).pollUntilDone();
    await raw.purgeDeletedKey("r-purged");
    // The purge itself takes 2 s of emulator clock (Key Vault's pending window); skip it, then inject the short
    // reservation that follows, which this test's fast retry settings must ride out.
    emulator.clock.advance({ seconds: 2 });

    const pick = await m.backups.newestVerifiedBackup(directory, "r-purged");
    expect(pick?.file).toBe(older.file);
    // Right after a purge Key Vault still reserves the name for a moment (409): the restore waits and tries again.
    emulator.faults.inject({ vault: "ck-bk-purgeable", path: "/keys/restore", status: 409, count: 1 });
    const since = emulator.requests.size;
    const restored = await m.backups.restoreKey(purgeable.ref, pick!.path);
    expect(restored.key.id).toBe(key.id);
    expect(emulator.requests.list({ operation: "RestoreKey" }).filter((e) => e.seq >= since).map((e) => e.status)).toEqual([409, 200]);
    expect(await m.keys.getKeyUri(purgeable.vaultUrl, "r-purged")).toBe(key.id);
  });

  it("surfaces Azure's refusal to restore into another subscription as a typed error", async () => {
    const { key } = await m.keys.create(vault.vaultUrl, "r-elsewhere");
    const directory = tempDir();
    const backup = await m.backups.backupKey(key.id, { directory });
    const error = await m.backups.restoreKey(otherSubscription.vaultUrl, backup.path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceRequestError);
    expect(error).toMatchObject({ code: "ERR_RESTORE_REFUSED", statusCode: 400, serviceCode: "BadParameter" });
    expect((error as Error).message).toMatch(/same subscription and geography/);
    await expect(m.keys.getKeyUri(otherSubscription.vaultUrl, "r-elsewhere")).rejects.toMatchObject({ code: "ERR_KEY_NOT_FOUND" });
  });
});
