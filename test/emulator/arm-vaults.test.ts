import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { armClients, vaultParameters } from "../conformance/helpers/arm-clients.js";
import { arm, tokenFor } from "../conformance/helpers/raw.js";

let emulator: Emulator;
let clients: ReturnType<typeof armClients>;
let subscriptionId: string;
const rg = "ck-rg";
const fast = { updateIntervalInMs: 10 };

beforeAll(async () => {
  emulator = await startEmulator();
  subscriptionId = emulator.subscriptionIds[0]!;
  clients = armClients(emulator, emulator.credentialFor(emulator.admin.userPrincipalName), subscriptionId);
  await clients.resources.resourceGroups.createOrUpdate(rg, { location: "westeurope" });
});
afterAll(() => emulator?.stop());

const adminPolicy = () => ({
  tenantId: emulator.tenantId,
  objectId: emulator.admin.objectId,
  permissions: { keys: ["get", "list", "create"] },
});

describe("Key Vault vaults through @azure/arm-keyvault", () => {
  it("runs the whole lifecycle: create, update, policies, delete, recover, purge", async () => {
    const kv = clients.keyVault.vaults;
    const created = await kv.createOrUpdate(rg, "ck-life-1", vaultParameters(emulator, { accessPolicies: [adminPolicy()] }), fast);
    expect(created.properties.provisioningState).toBe("Succeeded");
    expect(created.properties.vaultUri).toBe(`${emulator.endpoints.vaultUrl("ck-life-1")}/`);
    expect(created.properties.enableSoftDelete).toBe(true);
    expect(created.properties.softDeleteRetentionInDays).toBe(90);
    expect(created.systemData?.createdBy).toBe(emulator.admin.userPrincipalName);
    // The create went through the asynchronous flow: PUT, operation poll, final GET.
    const ops = emulator.requests.list({ service: "arm" }).map((e) => e.operation);
    expect(ops).toContain("Vaults_GetOperationResult");

    const got = await kv.get(rg, "CK-LIFE-1");
    expect(got.name).toBe("ck-life-1");

    const updated = await kv.update(rg, "ck-life-1", { tags: { env: "test" }, properties: { enableRbacAuthorization: false, enabledForDeployment: true } });
    expect(updated.tags).toEqual({ env: "test" });
    expect(updated.properties?.enabledForDeployment).toBe(true);
    expect(updated.properties?.accessPolicies).toHaveLength(1);

    const exo = emulator.directory.findServicePrincipal("00000002-0000-0ff1-ce00-000000000000")!;
    const policy = { tenantId: emulator.tenantId, objectId: exo.objectId, permissions: { keys: ["get", "wrapKey"] } };
    const added = await kv.updateAccessPolicy(rg, "ck-life-1", "add", { properties: { accessPolicies: [policy] } });
    expect(added.type).toBe("Microsoft.KeyVault/vaults/accessPolicies");
    expect(added.properties.accessPolicies).toHaveLength(1);
    await kv.updateAccessPolicy(rg, "ck-life-1", "add", { properties: { accessPolicies: [{ ...policy, permissions: { keys: ["UnwrapKey", "wrapkey"] } }] } });
    let vault = await kv.get(rg, "ck-life-1");
    expect(vault.properties.accessPolicies?.find((p) => p.objectId === exo.objectId)?.permissions.keys).toEqual(["get", "wrapKey", "UnwrapKey"]);
    await kv.updateAccessPolicy(rg, "ck-life-1", "replace", { properties: { accessPolicies: [{ ...policy, permissions: { keys: ["get"] } }] } });
    vault = await kv.get(rg, "ck-life-1");
    expect(vault.properties.accessPolicies?.find((p) => p.objectId === exo.objectId)?.permissions.keys).toEqual(["get"]);
    await kv.updateAccessPolicy(rg, "ck-life-1", "remove", { properties: { accessPolicies: [{ ...policy, permissions: { keys: ["get"] } }] } });
    vault = await kv.get(rg, "ck-life-1");
    expect(vault.properties.accessPolicies?.map((p) => p.objectId)).toEqual([emulator.admin.objectId]);

    // Delete → soft-deleted, name reserved.
    await kv.delete(rg, "ck-life-1");
    await expect(kv.get(rg, "ck-life-1")).rejects.toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
    const deleted = await kv.getDeleted("ck-life-1", "westeurope");
    expect(deleted.properties?.purgeProtectionEnabled).toBe(true);
    const days = (Date.parse(String(deleted.properties?.scheduledPurgeDate?.toISOString())) - Date.parse(String(deleted.properties?.deletionDate?.toISOString()))) / 86_400_000;
    expect(days).toBe(90);
    const listed = [];
    for await (const d of kv.listDeleted()) listed.push(d.name);
    expect(listed).toContain("ck-life-1");
    expect(await kv.checkNameAvailability({ name: "ck-life-1", type: "Microsoft.KeyVault/vaults" })).toMatchObject({ nameAvailable: false, reason: "AlreadyExists" });
    await expect(kv.createOrUpdate(rg, "ck-life-1", vaultParameters(emulator), fast)).rejects.toMatchObject({ statusCode: 409, code: "ConflictError" });

    // Recover, delete again: purge refused under purge protection; Key Vault purges it itself at the scheduled date.
    const recovered = await kv.createOrUpdate(rg, "ck-life-1", vaultParameters(emulator, { createMode: "recover" }), fast);
    expect(recovered.properties.accessPolicies).toHaveLength(1);
    await kv.delete(rg, "ck-life-1");
    // Evidence §1: MethodNotAllowed with this message (the 405 is inferred from the code).
    await expect(kv.purgeDeleted("ck-life-1", "westeurope", fast)).rejects.toMatchObject({
      statusCode: 405,
      code: "MethodNotAllowed",
      message: "Operation 'DeletedVaultPurge' is not allowed.",
    });
    emulator.clock.advance({ days: 89 });
    expect((await kv.getDeleted("ck-life-1", "westeurope")).name).toBe("ck-life-1");
    emulator.clock.advance({ days: 1, seconds: 1 });
    await expect(kv.getDeleted("ck-life-1", "westeurope")).rejects.toMatchObject({ statusCode: 404 });
    expect(await kv.checkNameAvailability({ name: "ck-life-1", type: "Microsoft.KeyVault/vaults" })).toEqual({ nameAvailable: true });
  });

  it("keeps soft delete and purge protection irreversible and the retention fixed", async () => {
    const kv = clients.keyVault.vaults;
    await kv.createOrUpdate(rg, "ck-flags-1", vaultParameters(emulator, { softDeleteRetentionInDays: 30 }), fast);
    await expect(kv.update(rg, "ck-flags-1", { properties: { enablePurgeProtection: false } })).rejects.toMatchObject({
      statusCode: 400,
      code: "BadRequest",
      message: 'The property "enablePurgeProtection" cannot be set to false. Enabling the purge protection for a vault is an irreversible action.',
    });
    // Evidence §10: "you can pass false, but service will change it to true" (no error body was ever seen).
    expect((await kv.update(rg, "ck-flags-1", { properties: { enableSoftDelete: false } })).properties.enableSoftDelete).toBe(true);
    await expect(kv.update(rg, "ck-flags-1", { properties: { softDeleteRetentionInDays: 90 } })).rejects.toMatchObject({ statusCode: 400 });
    await expect(kv.createOrUpdate(rg, "ck-flags-2", vaultParameters(emulator, { enablePurgeProtection: false }), fast)).rejects.toThrow(/cannot be set to false/);
    await expect(kv.createOrUpdate(rg, "ck-flags-3", vaultParameters(emulator, { softDeleteRetentionInDays: 6 }), fast)).rejects.toMatchObject({ statusCode: 400 });
    await expect(kv.createOrUpdate(rg, "ck-flags-4", vaultParameters(emulator, {}, "atlantis"), fast)).rejects.toMatchObject({ code: "LocationNotAvailableForResourceType" });
    await expect(kv.createOrUpdate(rg, "ck-flags-5", vaultParameters(emulator, { tenantId: "00000000-0000-0000-0000-000000000000" }), fast)).rejects.toMatchObject({ statusCode: 400 });
    await expect(kv.createOrUpdate(rg, "ck-flags-6", vaultParameters(emulator, { sku: { family: "A", name: "gold" } }), fast)).rejects.toMatchObject({ statusCode: 400 });
    const vault = await kv.get(rg, "ck-flags-1");
    expect(vault.properties).toMatchObject({ enablePurgeProtection: true, enableSoftDelete: true, softDeleteRetentionInDays: 30 });
  });

  it("applies the full name rules and global uniqueness", async () => {
    const kv = clients.keyVault.vaults;
    for (const bad of ["ab", "1abc", "abc-", "ab--cd", "a".repeat(25), "ab_cd"]) {
      const result = await kv.checkNameAvailability({ name: bad, type: "Microsoft.KeyVault/vaults" });
      expect(result, bad).toMatchObject({ nameAvailable: false, reason: "AccountNameInvalid" });
    }
    await expect(kv.createOrUpdate(rg, "ab--cd", vaultParameters(emulator), fast)).rejects.toMatchObject({ statusCode: 400, code: "VaultNameNotValid" });
    await kv.createOrUpdate(rg, "ck-unique-1", vaultParameters(emulator), fast);
    const other = armClients(emulator, emulator.credentialFor(emulator.admin.userPrincipalName), emulator.subscriptionIds[1]!);
    await other.resources.resourceGroups.createOrUpdate("other-rg", { location: "northeurope" });
    await expect(other.keyVault.vaults.createOrUpdate("other-rg", "CK-Unique-1", vaultParameters(emulator), fast)).rejects.toMatchObject({
      statusCode: 409,
      code: "VaultAlreadyExists",
    });
  });

  it("lists with $top and nextLink paging, by group, subscription and the generic resources list", async () => {
    const kv = clients.keyVault.vaults;
    await clients.resources.resourceGroups.createOrUpdate("ck-list", { location: "westeurope" });
    for (const n of [1, 2, 3]) await kv.createOrUpdate("ck-list", `ck-list-${n}`, vaultParameters(emulator), fast);
    const pages = [];
    for await (const p of kv.listByResourceGroup("ck-list", { top: 2 }).byPage()) pages.push(p.map((v) => v.name));
    expect(pages).toEqual([["ck-list-1", "ck-list-2"], ["ck-list-3"]]);
    const all = [];
    for await (const v of kv.listBySubscription()) all.push(v.name);
    expect(all).toEqual(expect.arrayContaining(["ck-list-1", "ck-list-2", "ck-list-3"]));
    const generic = [];
    for await (const r of kv.list()) generic.push(r.type);
    expect(new Set(generic)).toEqual(new Set(["Microsoft.KeyVault/vaults"]));
  });

  it("follows the RegisteringDns operation until the emulator clock completes it", async () => {
    emulator.setArmBehaviour({ asyncOperationDelayMs: 60_000 });
    try {
      const token = await tokenFor(emulator, emulator.admin.userPrincipalName);
      const path = `/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.KeyVault/vaults/ck-slow-1?api-version=2024-11-01`;
      const put = await arm(emulator, token, "PUT", path, vaultParameters(emulator));
      expect(put.status).toBe(201);
      expect(put.body.properties.provisioningState).toBe("RegisteringDns");
      const opUrl = String(put.headers["azure-asyncoperation"]);
      const poll = await arm(emulator, token, "GET", opUrl.slice(emulator.endpoints.resourceManager.length));
      expect(poll.body.status).toBe("InProgress");
      expect((await arm(emulator, token, "GET", path)).body.properties.provisioningState).toBe("RegisteringDns");
      emulator.clock.advance({ minutes: 2 });
      expect((await arm(emulator, token, "GET", opUrl.slice(emulator.endpoints.resourceManager.length))).body.status).toBe("Succeeded");
      expect((await arm(emulator, token, "GET", path)).body.properties.provisioningState).toBe("Succeeded");
      // Finished operations are dropped a day later, so the state does not grow with every create.
      emulator.clock.advance({ days: 1, minutes: 1 });
      const expired = await arm(emulator, token, "GET", opUrl.slice(emulator.endpoints.resourceManager.length));
      expect([expired.status, expired.body.error.code]).toEqual([404, "OperationNotFound"]);
      expect(Object.keys(emulator.snapshot().arm.operations)).not.toContain(new URL(opUrl).pathname.split("/").at(-1));
    } finally {
      emulator.setArmBehaviour({ asyncOperationDelayMs: 0 });
    }
  });

  it("refuses vault writes on a subscription without Microsoft.KeyVault registered", async () => {
    const sub = emulator.createSubscription({ displayName: "strict", owner: emulator.admin.userPrincipalName });
    const strict = armClients(emulator, emulator.credentialFor(emulator.admin.userPrincipalName), sub.subscriptionId);
    await strict.resources.resourceGroups.createOrUpdate("strict-rg", { location: "westeurope" });
    await expect(strict.keyVault.vaults.createOrUpdate("strict-rg", "ck-strict-1", vaultParameters(emulator), fast)).rejects.toMatchObject({
      statusCode: 409,
      code: "MissingSubscriptionRegistration",
    });
    const registering = await strict.resources.providers.register("Microsoft.KeyVault");
    expect(registering.registrationState).toBe("Registering");
    expect((await strict.resources.providers.get("Microsoft.KeyVault")).registrationState).toBe("Registered");
    const vault = await strict.keyVault.vaults.createOrUpdate("strict-rg", "ck-strict-1", vaultParameters(emulator), fast);
    expect(vault.properties.provisioningState).toBe("Succeeded");
  });
});
