import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TokenCredential } from "@azure/core-auth";
import type { RestError } from "@azure/core-rest-pipeline";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { createTestVault, keyClient } from "./helpers/vaults.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
  createTestVault(emulator, { name: "kv-std" });
  createTestVault(emulator, { name: "kv-prem", sku: "premium" });
});
afterAll(() => emulator?.stop());

const restError = async (promise: Promise<unknown>): Promise<RestError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "expected the call to fail").toBeDefined();
  return error as RestError;
};

describe("Key Vault keys through KeyClient", () => {
  it("answers the challenge the SDK verifies, without disableChallengeResourceVerification", async () => {
    const since = emulator.requests.size;
    const credential = emulator.credentialFor(emulator.admin.userPrincipalName);
    const scopes: string[] = [];
    const recording: TokenCredential = { getToken: (scope, options) => (scopes.push(...[scope].flat()), credential.getToken(scope, options)) };
    const client = keyClient(emulator, "kv-std", recording);
    const key = await client.createRsaKey("challenge-key");
    expect(scopes).toEqual(["https://vault.localhost/.default"]);
    expect(key.id).toMatch(new RegExp(`^https://kv-std\\.vault\\.localhost:${emulator.endpoints.port}/keys/challenge-key/[0-9a-f]{32}$`));
    const calls = emulator.requests.list({ service: "keyvault" }).filter((r) => r.seq >= since);
    expect(calls.map((c) => c.status)).toEqual([401, 200]);
    expect(calls[1]!.caller).toBe(emulator.admin.objectId);
  });

  it("creates RSA keys with the service's defaults, sizes and attributes", async () => {
    const client = keyClient(emulator, "kv-std");
    const key = await client.createRsaKey("defaults");
    expect(key.keyType).toBe("RSA");
    expect(key.keyOperations).toEqual(["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"]);
    expect(Buffer.from(key.key!.e!).toString("base64url")).toBe("AQAB");
    expect(key.key?.n?.length).toBe(256);
    expect(key.properties).toMatchObject({ enabled: true, recoveryLevel: "Recoverable+Purgeable", recoverableDays: 90, exportable: false });
    const nbf = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    const custom = await client.createRsaKey("custom", { keySize: 3072, keyOps: ["wrapKey", "unwrapKey"], tags: { purpose: "dep" }, notBefore: nbf, enabled: false });
    expect(custom.key?.n?.length).toBe(384);
    expect(custom.keyOperations).toEqual(["wrapKey", "unwrapKey"]);
    expect(custom.properties).toMatchObject({ enabled: false, tags: { purpose: "dep" }, notBefore: nbf });
    const bad = await restError(client.createRsaKey("badsize", { keySize: 1024 }));
    expect([bad.statusCode, bad.code]).toEqual([400, "BadParameter"]);
    const badName = await restError(client.createRsaKey("bad_name"));
    expect(badName.statusCode).toBe(400);
  });

  it("creates RSA-HSM keys on premium vaults only", async () => {
    const premium = await keyClient(emulator, "kv-prem").createRsaKey("hsm", { hsm: true });
    expect(premium.keyType).toBe("RSA-HSM");
    const refused = await restError(keyClient(emulator, "kv-std").createRsaKey("hsm", { hsm: true }));
    expect([refused.statusCode, refused.code]).toEqual([400, "BadParameter"]);
    expect(refused.message).toBe("Hardware key operation not allowed on standard vault");
  });

  it("adds versions, gets latest and by version, and pages versions with maxresults", async () => {
    const client = keyClient(emulator, "kv-std");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await client.createRsaKey("versioned")).properties.version!);
    expect((await client.getKey("versioned")).properties.version).toBe(ids[4]);
    expect((await client.getKey("versioned", { version: ids[1]! })).properties.version).toBe(ids[1]);
    const pages: string[][] = [];
    for await (const p of client.listPropertiesOfKeyVersions("versioned").byPage({ maxPageSize: 2 })) pages.push(p.map((v) => v.version!));
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(ids);
    const names: string[] = [];
    for await (const k of client.listPropertiesOfKeys()) names.push(k.name);
    expect(names).toContain("versioned");
    expect(names.filter((n) => n === "versioned")).toHaveLength(1);
    const missing = await restError(client.getKey("versioned", { version: "0".repeat(32) }));
    expect([missing.statusCode, missing.code]).toEqual([404, "KeyNotFound"]);
    const none: unknown[] = [];
    for await (const v of client.listPropertiesOfKeyVersions("no-such-key")) none.push(v);
    expect(none).toEqual([]);
  });

  it("updates attributes, tags and key_ops of the latest or a given version", async () => {
    const client = keyClient(emulator, "kv-std");
    const key = await client.createRsaKey("updatable");
    const exp = new Date((Math.floor(Date.now() / 1000) + 86_400) * 1000);
    const updated = await client.updateKeyProperties("updatable", key.properties.version!, { enabled: false, tags: { a: "b" }, keyOps: ["unwrapKey"], expiresOn: exp });
    expect(updated.properties).toMatchObject({ enabled: false, tags: { a: "b" }, expiresOn: exp });
    expect(updated.keyOperations).toEqual(["unwrapKey"]);
    const latest = await client.updateKeyProperties("updatable", { enabled: true });
    expect(latest.properties.enabled).toBe(true);
    expect(latest.properties.updatedOn!.getTime()).toBeGreaterThanOrEqual(latest.properties.createdOn!.getTime());
  });

  it("imports a JWK with its private parts, as RSA or RSA-HSM", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = privateKey.export({ format: "jwk" });
    const bytes = (s: string | undefined) => Buffer.from(s!, "base64url");
    const key = { kty: "RSA" as const, n: bytes(jwk.n), e: bytes(jwk.e), d: bytes(jwk.d), p: bytes(jwk.p), q: bytes(jwk.q), dp: bytes(jwk.dp), dq: bytes(jwk.dq), qi: bytes(jwk.qi) };
    const imported = await keyClient(emulator, "kv-std").importKey("imported", key);
    expect(Buffer.from(imported.key!.n!).toString("base64url")).toBe(jwk.n);
    const hsm = await keyClient(emulator, "kv-prem").importKey("imported-hsm", key, { hardwareProtected: true });
    expect(hsm.keyType).toBe("RSA-HSM");
    const broken = await restError(keyClient(emulator, "kv-std").importKey("broken", { ...key, d: undefined }));
    expect([broken.statusCode, broken.code]).toEqual([400, "BadParameter"]);
  });

  it("rotates keys and stores the rotation policy", async () => {
    const client = keyClient(emulator, "kv-std");
    const key = await client.createRsaKey("rotating", { keyOps: ["wrapKey", "unwrapKey"], tags: { t: "1" } });
    const initial = await client.getKeyRotationPolicy("rotating");
    expect(initial.lifetimeActions).toEqual([{ action: "Notify", timeBeforeExpiry: "P30D" }]);
    const policy = await client.updateKeyRotationPolicy("rotating", { lifetimeActions: [{ action: "Rotate", timeAfterCreate: "P90D" }], expiresIn: "P2Y" });
    expect(policy).toMatchObject({ expiresIn: "P2Y", lifetimeActions: [{ action: "Rotate", timeAfterCreate: "P90D" }] });
    expect((await client.getKeyRotationPolicy("rotating")).expiresIn).toBe("P2Y");
    const rotated = await client.rotateKey("rotating");
    expect(rotated.properties.version).not.toBe(key.properties.version);
    expect(rotated.keyOperations).toEqual(["wrapKey", "unwrapKey"]);
    expect(rotated.properties.tags).toEqual({ t: "1" });
    const years = (rotated.properties.expiresOn!.getTime() - rotated.properties.createdOn!.getTime()) / 86_400_000;
    expect(years).toBe(730);
    const bad = await restError(client.updateKeyRotationPolicy("rotating", { lifetimeActions: [{ action: "Rotate", timeAfterCreate: "90 days" }] }));
    expect(bad.statusCode).toBe(400);
  });

  it("answers a vault that does not exist with 404 VaultNotFound", async () => {
    const error = await restError(keyClient(emulator, "kv-nowhere").getKey("x"));
    expect([error.statusCode, error.code]).toEqual([404, "VaultNotFound"]);
  });

  it("returns random bytes", async () => {
    const bytes = await keyClient(emulator, "kv-std").getRandomBytes(16);
    expect(bytes).toHaveLength(16);
  });
});
