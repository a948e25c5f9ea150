/** KeysClient against the emulator through the real Azure clients. */
import { generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { InvalidInputError, PreconditionFailedError, ServiceRequestError } from "../../src/errors.js";
import { NO_EXPIRY } from "../../src/index.js";
import type { VaultPairSpec } from "../../src/rules/vault-pair-spec.js";
import { createPair, grantKeyPermissions, modulesFor, rawKeyClient, tempDir, vaultRefOf, type Modules } from "./keys-fixtures.js";

let emulator: Emulator;
let spec: VaultPairSpec;
let m: Modules;
let vaultUrl: string;
beforeAll(async () => {
  emulator = await startEmulator();
  spec = await createPair(emulator);
  m = modulesFor(emulator);
  vaultUrl = emulator.endpoints.vaultUrl(spec.primary.vaultName);
  // The SDK's admin set has no delete/update on purpose; the tests break things with extra rights.
  await grantKeyPermissions(emulator, vaultRefOf(spec.primary), emulator.admin.objectId, ["delete", "purge", "update", "recover"]);
});
afterAll(() => emulator?.stop());

const count = (operation: string, since = 0) => emulator.requests.list({ operation }).filter((e) => e.seq >= since).length;

describe("create", () => {
  it("creates RSA-HSM with exactly wrapKey/unwrapKey and no expiry, and a second call creates no version", async () => {
    const first = await m.keys.create(vaultRefOf(spec.primary), "exo-root", { size: 3072, protection: "hsm" });
    expect(first.created).toBe(true);
    expect(first.key).toMatchObject({ keyType: "RSA-HSM", keySize: 3072, keyOperations: ["wrapKey", "unwrapKey"], expiresOn: undefined, enabled: true });
    expect(first.key.id).toMatch(/\/keys\/exo-root\/[0-9a-f]{32}$/);

    const since = emulator.requests.size;
    const second = await m.keys.create(vaultRefOf(spec.primary), "exo-root", { size: 3072, protection: "hsm" });
    expect(second).toEqual({ key: first.key, created: false });
    expect(count("CreateKey", since)).toBe(0);
    expect(emulator.requests.mutating(since)).toEqual([]);
  });

  it("refuses a key that exists with other properties, and invalid input before any request", async () => {
    await m.keys.create(vaultUrl, "other-size", { size: 2048 });
    const since = emulator.requests.size;
    await expect(m.keys.create(vaultUrl, "other-size", { size: 4096 })).rejects.toMatchObject({ code: "ERR_KEY_MISMATCH" });
    expect(count("CreateKey", since)).toBe(0);

    const before = emulator.requests.size;
    await expect(m.keys.create(vaultUrl, "x", { size: 1024 as never })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(m.keys.create(vaultUrl, "bad_name")).rejects.toMatchObject({ code: "ERR_KEY_NAME_INVALID" });
    await expect(m.keys.create("not a url", "k")).rejects.toMatchObject({ code: "ERR_VAULT_REF_INVALID" });
    // A vault name Key Vault would refuse: refused here, not after reading ARM for a vault that cannot exist (issue 11 §1).
    const badVault = { subscriptionId: emulator.subscriptionIds[0]!, resourceGroup: "rg-any", vaultName: "2-bad--name" };
    await expect(m.keys.create(badVault, "k")).rejects.toMatchObject({ code: "ERR_VAULT_NAME_INVALID", field: "vault.vaultName" });
    expect(emulator.requests.size).toBe(before);
  });

  it("retries a create that failed transiently without adding a second version", async () => {
    const remove = emulator.faults.inject({ service: "keyvault", method: "POST", path: "/keys/retried/create", status: 503, count: 1 });
    try {
      const result = await m.keys.create(vaultUrl, "retried", { protection: "software" });
      expect(result.key.keyType).toBe("RSA");
    } finally {
      remove();
    }
    const versions = [];
    for await (const v of m.keys.listVersions(vaultUrl, "retried")) versions.push(v);
    expect(versions).toHaveLength(1);
  });
});

describe("roll, backup, list versions", () => {
  it("adds a version with the same shape, backs it up, and keeps the old version enabled", async () => {
    const { key } = await m.keys.create(vaultUrl, "rolling", { size: 2048 });
    const directory = tempDir();
    const rolled = await m.keys.roll(key.versionlessId, { backupDirectory: directory });
    expect(rolled.previousKeyId).toBe(key.id);
    expect(rolled.currentKeyId).not.toBe(key.id);
    expect(rolled.key).toMatchObject({ keyType: "RSA-HSM", keySize: 2048, keyOperations: ["wrapKey", "unwrapKey"], expiresOn: undefined });
    expect(rolled.backup?.newestVersion).toBe(rolled.key.version);
    expect(rolled.backup?.versions.sort()).toEqual([key.version, rolled.key.version].sort());
    expect(existsSync(rolled.backup!.path)).toBe(true);

    const old = await m.keys.get(vaultUrl, "rolling", { version: key.version });
    expect(old.enabled).toBe(true);
    expect(await m.keys.getKeyUri(vaultUrl, "rolling")).toBe(rolled.currentKeyId);

    const versions = [];
    for await (const v of m.keys.listVersions(vaultRefOf(spec.primary), "rolling")) versions.push(v.id);
    expect(versions.sort()).toEqual([key.id, rolled.currentKeyId].sort());
    const pages = [];
    for await (const page of m.keys.listVersions(vaultUrl, "rolling").byPage()) pages.push(page.length);
    expect(pages.reduce((a, b) => a + b, 0)).toBe(2);

    const verified = await m.backups.verify(directory);
    expect(verified.ok).toBe(true);
    expect(verified.files.map((f) => f.status)).toEqual(["ok"]);
  });
});

describe("clearExpiry", () => {
  it("sets 9999-12-31 once, then does nothing", async () => {
    const { key } = await m.keys.create(vaultUrl, "expiring");
    await rawKeyClient(emulator, vaultUrl).updateKeyProperties("expiring", key.version, { expiresOn: new Date("2030-01-01T00:00:00Z") });
    const first = await m.keys.clearExpiry(key.id);
    expect(first.changed).toBe(true);
    expect(first.key.expiresOn?.toISOString()).toBe(NO_EXPIRY.toISOString());
    expect(first.key.expiresOn?.toISOString()).toBe("9999-12-31T00:00:00.000Z");
    const since = emulator.requests.size;
    const second = await m.keys.clearExpiry(key.versionlessId);
    expect(second.changed).toBe(false);
    expect(count("UpdateKey", since)).toBe(0);
  });
});

describe("recover", () => {
  it("recovers a soft-deleted key, is a no-op on a live key, and says what to do when the key is gone", async () => {
    const { key } = await m.keys.create(vaultUrl, "deleted-by-mistake");
    const raw = rawKeyClient(emulator, vaultUrl);
    await (await raw.beginDeleteKey("deleted-by-mistake", { intervalInMs: 20 })).pollUntilDone();

    await expect(m.keys.create(vaultUrl, "deleted-by-mistake")).rejects.toMatchObject({ code: "ERR_KEY_SOFT_DELETED" });
    await expect(m.keys.getKeyUri(vaultUrl, "deleted-by-mistake")).rejects.toBeInstanceOf(PreconditionFailedError);

    const recovered = await m.keys.recover(vaultRefOf(spec.primary), "deleted-by-mistake");
    expect(recovered.recovered).toBe(true);
    expect(recovered.key.id).toBe(key.id);

    const since = emulator.requests.size;
    const again = await m.keys.recover(vaultUrl, "deleted-by-mistake");
    expect(again.recovered).toBe(false);
    expect(emulator.requests.mutating(since)).toEqual([]);

    await expect(m.keys.recover(vaultUrl, "never-existed")).rejects.toMatchObject({ code: "ERR_KEY_NOT_FOUND" });
  });
});

describe("import (BYOK)", () => {
  it("imports an RSA private key into an HSM key, once", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = privateKey.export({ format: "jwk" });
    const result = await m.keys.import(vaultUrl, "byok", jwk as Record<string, unknown>, { protection: "hsm" });
    expect(result.imported).toBe(true);
    expect(result.key).toMatchObject({ keyType: "RSA-HSM", keySize: 2048, keyOperations: ["wrapKey", "unwrapKey"] });

    const since = emulator.requests.size;
    const again = await m.keys.import(vaultUrl, "byok", jwk as Record<string, unknown>);
    expect(again.imported).toBe(false);
    expect(count("ImportKey", since)).toBe(0);
  });

  it("refuses a public key or a non-RSA key before any request, without echoing key material", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pub = publicKey.export({ format: "jwk" }) as Record<string, string>;
    const before = emulator.requests.size;
    const error = (await m.keys.import(vaultUrl, "byok-public", pub).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).code).toBe("ERR_KEY_MATERIAL_INVALID");
    expect(error.message).toMatch(/private parts/);
    expect(error.message).not.toContain(pub["n"]!.slice(0, 16));

    const priv = privateKey.export({ format: "jwk" }) as Record<string, string>;
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
    await expect(m.keys.import(vaultUrl, "byok-ec", ec as Record<string, unknown>)).rejects.toMatchObject({ code: "ERR_KEY_MATERIAL_INVALID" });
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }) as Record<string, string>;
    const broken = (await m.keys.import(vaultUrl, "byok-broken", { ...priv, d: other["d"]! }).catch((e: unknown) => e)) as Error;
    expect(broken).toBeInstanceOf(InvalidInputError);
    expect(broken.message).toMatch(/not a consistent RSA private key/);
    expect(broken.message).not.toContain(other["d"]!.slice(0, 16));
    expect(emulator.requests.size).toBe(before);
  });
});

describe("service errors", () => {
  it("a 403 from Key Vault is not retried: exactly one request, status and service code kept", async () => {
    await m.keys.create(vaultUrl, "forbidden-probe");
    const outsider = modulesFor(emulator, emulator.directory.createServicePrincipal({ displayName: "no-key-access" }).appId);
    // The first call also makes Key Vault's challenge round trip; count the second one alone.
    await expect(outsider.keys.get(vaultUrl, "forbidden-probe")).rejects.toMatchObject({ statusCode: 403 });
    const since = emulator.requests.size;
    const error = await outsider.keys.get(vaultUrl, "forbidden-probe").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceRequestError);
    expect(error).toMatchObject({ code: "ERR_SERVICE_FORBIDDEN", statusCode: 403, serviceCode: "Forbidden", operation: "keys.get" });
    expect(emulator.requests.list().filter((r) => r.seq >= since && r.service !== "identity").map((r) => r.status)).toEqual([403]);
  });
});
