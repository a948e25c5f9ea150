import { describe, expect, it } from "vitest";
import { endpointsFor } from "../../src/emulator/endpoints.js";
import type { VaultRecord } from "../../src/emulator/arm/model.js";
import { armState, BUILT_IN_ROLES } from "../../src/emulator/arm/model.js";
import { EmulatorCore } from "../../src/emulator/kernel/core.js";
import { Directory, MICROSOFT_365_APPS } from "../../src/emulator/kernel/directory.js";
import { newState } from "../../src/emulator/kernel/state.js";
import { Throttle } from "../../src/emulator/kernel/throttle.js";
import { generateSigningKey } from "../../src/emulator/kernel/tokens.js";
import { generateRsa } from "../../src/emulator/keyvault/key-material.js";
import { keysOf } from "../../src/emulator/keyvault/vault-lookup.js";
import { checkKeyAccess, KeyVaultAccessError, unwrapKeyAs, wrapKeyAs } from "../../src/emulator/keyvault/service-principal-crypto.js";
import { SERVICES } from "../../src/emulator/registry.js";

/** The three pieces the Microsoft 365 services share: directory roles, the throttle, service-principal crypto. */

function core(): EmulatorCore {
  const state = newState({ signingKey: generateSigningKey(), certificates: {} as never });
  const c = new EmulatorCore(state, endpointsFor(4443), undefined);
  for (const s of SERVICES) c.register(s);
  for (const s of SERVICES) s.seed?.(c);
  return c;
}

describe("directory roles", () => {
  it("makes the seeded admin a Global Administrator, which satisfies every role", () => {
    const c = core();
    const admin = c.directory.users[0]!;
    expect(c.directory.directoryRolesOf(admin.objectId)).toEqual(["Global Administrator"]);
    expect(c.directory.hasDirectoryRole(admin.objectId, ["SharePoint Administrator"])).toBe(true);
  });

  it("assigns and removes roles on users and service principals, persisted in the directory state", () => {
    const c = core();
    const user = c.directory.createUser({ userPrincipalName: "exo" });
    expect(c.directory.hasDirectoryRole(user.objectId, ["Exchange Administrator"])).toBe(false);
    c.directory.assignDirectoryRole(user.objectId, "Exchange Administrator");
    c.directory.assignDirectoryRole(user.objectId, "Exchange Administrator");
    expect(c.state.directory.directoryRoles![user.objectId]).toEqual(["Exchange Administrator"]);
    expect(c.directory.hasDirectoryRole(user.objectId, ["Exchange Administrator", "Compliance Administrator"])).toBe(true);
    expect(c.directory.hasDirectoryRole(user.objectId, ["SharePoint Administrator"])).toBe(false);
    c.directory.removeDirectoryRole(user.objectId, "Exchange Administrator");
    expect(c.directory.hasDirectoryRole(user.objectId, ["Exchange Administrator"])).toBe(false);
    const sp = c.directory.createServicePrincipal({ displayName: "app" });
    c.directory.assignDirectoryRole(sp.objectId, "SharePoint Administrator");
    expect(c.directory.hasDirectoryRole(sp.objectId, ["SharePoint Administrator"])).toBe(true);
    // An app id is not an object id.
    expect(() => c.directory.assignDirectoryRole(sp.appId, "SharePoint Administrator")).toThrow(/No principal/);
    expect(() => c.directory.assignDirectoryRole(user.objectId, "Owner" as never)).toThrow(/Unknown directory role/);
  });

  it("gives the first user of a state file without roles the Global Administrator role", () => {
    const c = core();
    const old = structuredClone(c.state.directory);
    delete old.directoryRoles;
    const directory = new Directory(old, () => {});
    expect(directory.hasDirectoryRole(old.users[0]!.objectId, ["Exchange Administrator"])).toBe(true);
  });
});

describe("throttle", () => {
  it("is a token bucket per (service, tenant) on real time, off until set", () => {
    let now = 0;
    const t = new Throttle(() => now);
    expect(t.take("exchange", "t1")).toBeUndefined();
    t.set("exchange", { requestsPerSecond: 2, burst: 3 });
    for (let i = 0; i < 3; i++) expect(t.take("exchange", "t1")).toBeUndefined();
    expect(t.take("exchange", "t1")).toBeCloseTo(0.5);
    expect(t.take("exchange", "t2")).toBeUndefined();
    expect(t.take("sharepoint", "t1")).toBeUndefined();
    now += 500;
    expect(t.take("exchange", "t1")).toBeUndefined();
    expect(t.take("exchange", "t1")).toBeCloseTo(0.5);
    t.set("exchange", undefined);
    expect(t.take("exchange", "t1")).toBeUndefined();
    expect(() => t.set("exchange", { requestsPerSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => t.set("exchange", { requestsPerSecond: 1, burst: 0.5 })).toThrow(RangeError);
  });
});

describe("Key Vault crypto as a Microsoft 365 service principal", () => {
  async function withVault(options: { rbac?: boolean; grant?: string[] } = {}) {
    const c = core();
    const exchange = c.directory.findServicePrincipal(MICROSOFT_365_APPS.exchangeOnline.appId)!;
    const arm = armState(c);
    const subscriptionId = Object.keys(arm.subscriptions)[0]!;
    const vault = {
      name: "kv-sp", subscriptionId, resourceGroup: "rg", location: "westeurope", tags: {},
      properties: {
        tenantId: c.tenantId, sku: { family: "A", name: "premium" }, vaultUri: "https://kv-sp.vault.localhost:4443/",
        accessPolicies: options.grant ? [{ tenantId: c.tenantId, objectId: exchange.objectId, permissions: { keys: options.grant } }] : [],
        enableSoftDelete: true, softDeleteRetentionInDays: 90, enablePurgeProtection: true, enableRbacAuthorization: options.rbac ?? false,
        enabledForDeployment: false, enabledForDiskEncryption: false, enabledForTemplateDeployment: false, provisioningState: "Succeeded", publicNetworkAccess: "Enabled",
      },
      createdAt: "", createdBy: "", lastModifiedAt: "", lastModifiedBy: "",
    } as unknown as VaultRecord;
    arm.vaults["kv-sp"] = vault;
    const now = c.clock.nowSeconds();
    const version = (v: string) => ({ version: v, kty: "RSA-HSM", keyOps: ["wrapKey", "unwrapKey"], attributes: { enabled: true, created: now, updated: now, exportable: false } });
    keysOf(c, "kv-sp").keys["cmk"] = { name: "cmk", versions: [{ ...version("a".repeat(32)), privateJwk: await generateRsa(2048) }, { ...version("b".repeat(32)), privateJwk: await generateRsa(2048) }] };
    return { c, exchange, keyUri: "https://kv-sp.vault.localhost:4443/keys/cmk", vault };
  }

  const refusal = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(KeyVaultAccessError);
      return error as KeyVaultAccessError;
    }
    throw new Error("expected a refusal");
  };

  it("wraps under the current version of a versionless URI (RSA-OAEP-256) and unwraps by kid", async () => {
    const { c, exchange, keyUri } = await withVault({ grant: ["get", "wrapKey", "unwrapKey"] });
    const plaintext = Buffer.alloc(32, 7);
    const { kid, wrapped } = wrapKeyAs(c, { principalObjectId: exchange.objectId, keyUri, plaintext });
    expect(kid).toBe(`https://kv-sp.vault.localhost:4443/keys/cmk/${"b".repeat(32)}`);
    expect(wrapped).toHaveLength(256);
    expect(unwrapKeyAs(c, { principalObjectId: exchange.objectId, kid, wrapped })).toEqual(plaintext);
    expect(checkKeyAccess(c, { principalObjectId: exchange.objectId, keyUri, operations: ["get", "wrapKey", "unwrapKey"] }).kid).toBe(kid);
  });

  it("refuses as the vault would: access policy, key state, key_ops, missing key, vault down", async () => {
    const { c, exchange, keyUri } = await withVault({ grant: ["get", "wrapKey"] });
    const { kid, wrapped } = wrapKeyAs(c, { principalObjectId: exchange.objectId, keyUri, plaintext: Buffer.alloc(32, 1) });
    const denied = refusal(() => unwrapKeyAs(c, { principalObjectId: exchange.objectId, kid, wrapped }));
    expect(denied).toMatchObject({ status: 403, code: "Forbidden", innerCode: "AccessDenied", keyUri: kid });
    expect(denied.message).toContain(`appid=${MICROSOFT_365_APPS.exchangeOnline.appId};oid=${exchange.objectId}`);
    expect(refusal(() => checkKeyAccess(c, { principalObjectId: exchange.objectId, keyUri: "https://kv-sp.vault.localhost/keys/nope", operations: ["get"] }))).toMatchObject({ status: 404, code: "KeyNotFound" });
    expect(refusal(() => checkKeyAccess(c, { principalObjectId: exchange.objectId, keyUri: "https://kv-none.vault.localhost/keys/cmk", operations: ["get"] }))).toMatchObject({ status: 404, code: "VaultNotFound" });

    const current = keysOf(c, "kv-sp").keys["cmk"]!.versions[1]!;
    current.keyOps = ["unwrapKey"];
    expect(refusal(() => wrapKeyAs(c, { principalObjectId: exchange.objectId, keyUri, plaintext: Buffer.alloc(32) }))).toMatchObject({ status: 403, innerCode: "KeyOperationForbidden" });
    current.keyOps = ["wrapKey", "unwrapKey"];
    current.attributes.exp = c.clock.nowSeconds() - 1;
    expect(refusal(() => wrapKeyAs(c, { principalObjectId: exchange.objectId, keyUri, plaintext: Buffer.alloc(32) }))).toMatchObject({ status: 403, innerCode: "KeyExpired" });
    delete current.attributes.exp;

    const up = c.faults.vaultDown("kv-sp");
    expect(refusal(() => wrapKeyAs(c, { principalObjectId: exchange.objectId, keyUri, plaintext: Buffer.alloc(32) }))).toMatchObject({ status: 503 });
    up();
    expect(wrapKeyAs(c, { principalObjectId: exchange.objectId, keyUri, plaintext: Buffer.alloc(32) }).kid).toContain("/keys/cmk/");
  });

  it("on an RBAC vault ignores access policies and honours Key Vault Crypto Service Encryption User", async () => {
    const { c, exchange, keyUri, vault } = await withVault({ rbac: true, grant: ["all"] });
    expect(refusal(() => checkKeyAccess(c, { principalObjectId: exchange.objectId, keyUri, operations: ["unwrapKey"] }))).toMatchObject({ status: 403, innerCode: "ForbiddenByRbac" });
    const scope = `/subscriptions/${vault.subscriptionId}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-sp`;
    armState(c).roleAssignments["ra1"] = { name: "ra1", scope, roleDefinitionId: BUILT_IN_ROLES.keyVaultCryptoServiceEncryptionUser.id, principalId: exchange.objectId, principalType: "ServicePrincipal", createdOn: "" };
    expect(checkKeyAccess(c, { principalObjectId: exchange.objectId, keyUri, operations: ["get", "wrapKey", "unwrapKey"] }).kid).toContain("/keys/cmk/");
  });
});
