/** The emulator as a fixture in a user's own tests: one options call, seeding in one call, the pending windows. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import type { RestError } from "@azure/core-rest-pipeline";
import { CryptographyClient, KeyClient } from "@azure/keyvault-keys";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { CustomerKeyClient } from "../../src/index.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator?.stop());

const restError = async (promise: Promise<unknown>): Promise<RestError> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, "expected the call to fail").toBeDefined();
  return error as RestError;
};
const keys = (vault: string) => new KeyClient(emulator.endpoints.vaultUrl(vault), emulator.credential(), emulator.clientOptions());

describe("customerKeyClientOptions() and credential()", () => {
  it("give a CustomerKeyClient everything it needs: no request leaves for Azure's public cloud", async () => {
    const options = emulator.customerKeyClientOptions();
    expect(options.tenantId).toBe(emulator.tenantId);
    expect(options.endpoints).toEqual({
      resourceManager: emulator.endpoints.resourceManager,
      graph: emulator.endpoints.graph,
      exchange: emulator.endpoints.exchange,
      sharePointAdmin: emulator.endpoints.sharePointAdmin,
    });
    expect(options.agent).toBe(emulator.clientOptions().agent);

    const vault = emulator.seed.vault({ name: "fx-client" });
    const key = await emulator.seed.key({ vault, name: "cmk" });
    const client = new CustomerKeyClient(emulator.credential(), { ...options, retry: { maxRetries: 0 } });
    const since = emulator.requests.size;
    const started = Date.now();
    const uri = await client.keys.getKeyUri({ subscriptionId: vault.subscriptionId, resourceGroup: vault.resourceGroup, vaultName: vault.name }, "cmk");
    expect(uri).toBe(key.id);
    expect(Date.now() - started).toBeLessThan(5000);
    // The vault was looked up through the emulated Resource Manager, then read through its data plane.
    const services = new Set(emulator.requests.list().filter((r) => r.seq >= since).map((r) => r.service));
    expect(services).toEqual(new Set(["identity", "arm", "keyvault"]));
  });

  it("credential() is the seeded admin's", async () => {
    const token = await emulator.credential().getToken("https://management.azure.com/.default");
    const claims = JSON.parse(Buffer.from(token!.token.split(".")[1]!, "base64url").toString("utf8")) as { oid: string };
    expect(claims.oid).toBe(emulator.admin.objectId);
  });
});

describe("seed.vault and seed.key", () => {
  it("make a vault and key valid for Customer Key by default, as ARM and Key Vault then report them", async () => {
    const vault = emulator.seed.vault({ name: "fx-defaults" });
    expect(vault).toMatchObject({ name: "fx-defaults", subscriptionId: emulator.subscriptionIds[0], resourceGroup: "rg-emulator", location: "westeurope" });
    expect(vault.vaultUrl).toBe(emulator.endpoints.vaultUrl("fx-defaults"));
    const arm = new KeyVaultManagementClient(emulator.credential(), vault.subscriptionId, {
      endpoint: emulator.endpoints.resourceManager,
      credentials: { scopes: ["https://management.azure.com/.default"] },
      ...emulator.clientOptions(),
    });
    const got = await arm.vaults.get(vault.resourceGroup, vault.name);
    expect(got.id).toBe(vault.resourceId);
    expect(got.properties).toMatchObject({
      sku: { family: "A", name: "premium" },
      enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
      enablePurgeProtection: true,
      enableRbacAuthorization: false,
      provisioningState: "Succeeded",
    });
    expect(got.properties.accessPolicies?.map((p) => p.objectId)).toEqual([emulator.admin.objectId]);

    const seeded = await emulator.seed.key({ vault, name: "cmk" });
    expect(seeded.id).toMatch(new RegExp(`^${vault.vaultUrl}/keys/cmk/[0-9a-f]{32}$`));
    const key = await keys(vault.name).getKey("cmk");
    expect(key.id).toBe(seeded.id);
    expect(key.keyType).toBe("RSA-HSM");
    expect(Buffer.from(key.key!.n!).length * 8).toBe(2048);
    expect(key.properties).toMatchObject({ enabled: true, recoveryLevel: "Recoverable", recoverableDays: 90 });
    expect(key.properties.expiresOn).toBeUndefined();
    const crypto = new CryptographyClient(seeded.id, emulator.credential(), emulator.clientOptions());
    const wrapped = await crypto.wrapKey("RSA-OAEP-256", Buffer.alloc(32, 7));
    expect(Buffer.from((await crypto.unwrapKey("RSA-OAEP-256", wrapped.result)).result)).toEqual(Buffer.alloc(32, 7));
  });

  it("take options: standard RSA, expiry, disabled, EC, oct, RBAC vaults and access policies by UPN", async () => {
    const user = emulator.directory.createUser({ userPrincipalName: "fx-reader" });
    const standard = emulator.seed.vault({
      name: "fx-standard",
      subscriptionId: emulator.subscriptionIds[1],
      resourceGroup: "rg-other",
      location: "North Europe",
      sku: "standard",
      purgeProtection: false,
      softDeleteRetentionInDays: 7,
      accessPolicies: [{ principal: emulator.admin.userPrincipalName, keys: ["all"] }, { principal: user.userPrincipalName, keys: ["get"] }],
      tags: { team: "a" },
    });
    expect(standard.location).toBe("northeurope");
    const expires = new Date(Math.ceil(Date.now() / 1000) * 1000 + 86_400_000);
    const rsa = await emulator.seed.key({ vault: "fx-standard", name: "soft", size: 3072, expiresOn: expires, enabled: false, keyOps: ["wrapKey", "unwrapKey"], tags: { a: "b" } });
    const read = await new KeyClient(standard.vaultUrl, emulator.credentialFor(user.userPrincipalName), emulator.clientOptions()).getKey("soft");
    expect([read.keyType, read.properties.enabled, read.properties.expiresOn?.getTime(), read.keyOperations, read.properties.tags]).toEqual([
      "RSA", false, expires.getTime(), ["wrapKey", "unwrapKey"], { a: "b" },
    ]);
    expect(read.properties).toMatchObject({ recoveryLevel: "CustomizedRecoverable+Purgeable", recoverableDays: 7 });
    expect(rsa.kty).toBe("RSA");
    expect((await emulator.seed.key({ vault: "fx-standard", name: "ec", kty: "EC", curve: "P-384" })).kty).toBe("EC");
    expect((await keys("fx-standard").getKey("ec")).key?.crv).toBe("P-384");

    const rbac = emulator.seed.vault({ name: "fx-rbac", rbac: true });
    const created = await keys(rbac.name).createRsaKey("by-crypto-officer");
    expect(created.properties.vaultUrl).toBe(rbac.vaultUrl);
    const oct = await emulator.seed.key({ vault: rbac, name: "aes", kty: "oct-HSM", size: 128 });
    expect((await keys(rbac.name).getKey("aes")).keyType).toBe("oct-HSM");
    expect(oct.version).toMatch(/^[0-9a-f]{32}$/);
  });

  it("refuse what ARM and Key Vault would refuse, before touching the state", async () => {
    expect(() => emulator.seed.vault({ name: "ab--cd" })).toThrow(/not a valid vault name/);
    expect(() => emulator.seed.vault({ name: "fx-defaults" })).toThrow(/already taken/);
    expect(() => emulator.seed.vault({ name: "fx-nosub", subscriptionId: "00000000-0000-0000-0000-000000000000" })).toThrow(/does not exist/);
    expect(() => emulator.seed.vault({ name: "fx-noregion", location: "atlantis" })).toThrow(/region/);
    expect(() => emulator.seed.vault({ name: "fx-nosoft", softDelete: false, purgeProtection: true })).toThrow(/soft delete/);
    expect(() => emulator.seed.vault({ name: "fx-nobody", accessPolicies: [{ principal: "nobody@contoso.onmicrosoft.com", keys: ["get"] }] })).toThrow(/No user/);
    expect(Object.keys(emulator.snapshot().arm.vaults)).not.toContain("fx-nobody");
    await expect(emulator.seed.key({ vault: "fx-missing", name: "k" })).rejects.toThrow(/No vault 'fx-missing'/);
    await expect(emulator.seed.key({ vault: "fx-standard", name: "hsm", kty: "RSA-HSM" })).rejects.toThrow(/premium/);
    await expect(emulator.seed.key({ vault: "fx-standard", name: "big", size: 1024 })).rejects.toThrow(/1024/);
    await expect(emulator.seed.key({ vault: "fx-standard", name: "bad_name" })).rejects.toThrow(/not a valid key name/);
  });
});

describe("the pending windows of delete, recover and purge (emulator clock)", () => {
  it("after a delete: GET /deletedkeys 404 and re-create 409 ObjectIsBeingDeleted until the window passes; the poller waits it out", async () => {
    const vault = emulator.seed.vault({ name: "fx-window" });
    await emulator.seed.key({ vault, name: "k1" });
    const client = keys(vault.name);
    const since = emulator.requests.size;
    const poller = await client.beginDeleteKey("k1", { intervalInMs: 20 });
    const beingDeleted = await restError(client.createRsaKey("k1"));
    expect([beingDeleted.statusCode, beingDeleted.code, beingDeleted.message]).toEqual([409, "Conflict", "Key k1 is currently being deleted and cannot be re-created; retry later."]);
    expect((beingDeleted.details as { error?: { innerError?: { code?: string } } }).error?.innerError?.code).toBe("ObjectIsBeingDeleted");
    expect((await restError(client.getDeletedKey("k1"))).statusCode).toBe(404);
    const listed: string[] = [];
    for await (const d of client.listDeletedKeys()) listed.push(d.name);
    expect(listed).toEqual([]);
    emulator.clock.advance({ seconds: 2 });
    const deleted = await poller.pollUntilDone();
    expect(deleted.name).toBe("k1");
    const polls = emulator.requests.list({ operation: "GetDeletedKey" }).filter((r) => r.seq >= since);
    expect(polls.map((r) => r.status)).toContain(404);
    expect(polls.at(-1)?.status).toBe(200);
    const recoverable = await restError(client.createRsaKey("k1"));
    expect((recoverable.details as { error?: { innerError?: { code?: string } } }).error?.innerError?.code).toBe("ObjectIsDeletedButRecoverable");
  });

  it("after a recover: the key is not readable until the window passes; the recover poller waits it out", async () => {
    const client = keys("fx-window");
    const poller = await client.beginRecoverDeletedKey("k1", { intervalInMs: 20 });
    expect((await restError(client.getKey("k1"))).statusCode).toBe(404);
    const names: string[] = [];
    for await (const k of client.listPropertiesOfKeys()) names.push(k.name);
    expect(names).not.toContain("k1");
    const recovering = await restError(client.createRsaKey("k1"));
    expect([recovering.statusCode, recovering.code]).toEqual([409, "Conflict"]);
    emulator.clock.advance({ seconds: 2 });
    expect((await poller.pollUntilDone()).name).toBe("k1");
    expect((await client.getKey("k1")).name).toBe("k1");
  });

  it("is configurable: 0 completes at once, a long window holds until the clock passes it", async () => {
    const vault = emulator.seed.vault({ name: "fx-window-cfg", purgeProtection: false });
    const client = keys(vault.name);
    await emulator.seed.key({ vault, name: "k" });
    emulator.setKeyVaultBehaviour({ pendingWindowMs: 0 });
    try {
      await client.beginDeleteKey("k", { intervalInMs: 20 });
      expect((await client.getDeletedKey("k")).name).toBe("k");
      await client.purgeDeletedKey("k");
      expect((await client.createRsaKey("k")).name).toBe("k");

      emulator.setKeyVaultBehaviour({ pendingWindowMs: 60_000 });
      await client.beginDeleteKey("k", { intervalInMs: 20 });
      emulator.clock.advance({ seconds: 59 });
      expect((await restError(client.getDeletedKey("k"))).statusCode).toBe(404);
      emulator.clock.advance({ seconds: 1 });
      expect((await client.getDeletedKey("k")).name).toBe("k");
      expect(() => emulator.setKeyVaultBehaviour({ pendingWindowMs: -1 })).toThrow(RangeError);
    } finally {
      emulator.setKeyVaultBehaviour({ pendingWindowMs: 2000 });
    }
  });
});
