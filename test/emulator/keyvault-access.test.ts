import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RestError } from "@azure/core-rest-pipeline";
import { BUILT_IN_ROLES, MICROSOFT_365_APPS, startEmulator, type Emulator } from "../../src/emulator/index.js";
import { vaultResourceId } from "../../src/emulator/keyvault/vault-lookup.js";
import { createTestVault, cryptoClient, grantKeys, keyClient } from "./helpers/vaults.js";

let emulator: Emulator;
let exchange: { objectId: string; credential: ReturnType<Emulator["credentialFor"]> };
beforeAll(async () => {
  emulator = await startEmulator();
  const sp = emulator.directory.findServicePrincipal(MICROSOFT_365_APPS.exchangeOnline.appId)!;
  exchange = { objectId: sp.objectId, credential: emulator.credentialFor(MICROSOFT_365_APPS.exchangeOnline.appId) };
});
afterAll(() => emulator?.stop());

const restError = async (promise: Promise<unknown>): Promise<RestError> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, "expected the call to fail").toBeDefined();
  return error as RestError;
};

describe("access policies", () => {
  it("refuses a remote wrap to a principal without wrapKey, and a delete to an admin without delete", async () => {
    const user = emulator.directory.createUser({ userPrincipalName: "no-wrap" });
    const adminKeys = ["get", "list", "create", "update", "wrapKey", "unwrapKey", "purge", "recover"];
    createTestVault(emulator, {
      name: "kv-ap",
      accessPolicies: [
        { objectId: emulator.admin.objectId, keys: adminKeys },
        { objectId: user.objectId, keys: ["get", "unwrapKey"] },
      ],
    });
    const key = await keyClient(emulator, "kv-ap").createRsaKey("cmk");
    const refused = await restError(cryptoClient(emulator, key.id!, emulator.credentialFor(user.userPrincipalName)).wrapKey("RSA-OAEP-256", randomBytes(32)));
    expect([refused.statusCode, refused.code]).toEqual([403, "Forbidden"]);
    expect(refused.message).toBe(
      `The user, group or application 'appid=04b07795-8ddb-461a-bbee-02f9e1bf7b46;oid=${user.objectId};iss=${emulator.endpoints.authorityHost}/${emulator.tenantId}/v2.0' does not have keys wrapKey permission on key vault 'kv-ap;location=westeurope'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
    );
    const noDelete = await restError(keyClient(emulator, "kv-ap").beginDeleteKey("cmk"));
    expect([noDelete.statusCode, noDelete.code]).toEqual([403, "Forbidden"]);
    expect(noDelete.message).toContain("does not have keys delete permission");
  });

  it("lets Exchange Online get, wrap and unwrap once an access policy grants it", async () => {
    createTestVault(emulator, { name: "kv-exo" });
    const key = await keyClient(emulator, "kv-exo").createRsaKey("cmk");
    const before = await restError(keyClient(emulator, "kv-exo", exchange.credential).getKey("cmk"));
    expect(before.statusCode).toBe(403);
    grantKeys(emulator, "kv-exo", exchange.objectId, ["get", "wrapKey", "unwrapKey"]);
    const fetched = await keyClient(emulator, "kv-exo", exchange.credential).getKey("cmk");
    expect(fetched.id).toBe(key.id);
    const client = cryptoClient(emulator, key.id!, exchange.credential);
    const secret = randomBytes(32);
    const wrapped = await client.wrapKey("RSA-OAEP-256", secret);
    expect(Buffer.from((await client.unwrapKey("RSA-OAEP-256", wrapped.result)).result).equals(secret)).toBe(true);
    const caller = emulator.requests.list({ service: "keyvault", operation: "UnwrapKey" }).at(-1)?.caller;
    expect(caller).toBe(exchange.objectId);
  });

  it("honours policies granted to a group the caller belongs to", async () => {
    const user = emulator.directory.createUser({ userPrincipalName: "grouped" });
    const group = emulator.directory.createGroup({ displayName: "key readers", members: [user.objectId] });
    createTestVault(emulator, { name: "kv-group", accessPolicies: [{ objectId: emulator.admin.objectId, keys: ["all"] }, { objectId: group.objectId, keys: ["Get"] }] });
    await keyClient(emulator, "kv-group").createRsaKey("cmk");
    expect((await keyClient(emulator, "kv-group", emulator.credentialFor(user.userPrincipalName)).getKey("cmk")).name).toBe("cmk");
  });

  it("counts membership through nested groups", async () => {
    const user = emulator.directory.createUser({ userPrincipalName: "nested" });
    const inner = emulator.directory.createGroup({ displayName: "inner", members: [user.objectId] });
    const outer = emulator.directory.createGroup({ displayName: "outer", members: [inner.objectId] });
    createTestVault(emulator, { name: "kv-nested", accessPolicies: [{ objectId: emulator.admin.objectId, keys: ["all"] }, { objectId: outer.objectId, keys: ["get"] }] });
    await keyClient(emulator, "kv-nested").createRsaKey("cmk");
    expect((await keyClient(emulator, "kv-nested", emulator.credentialFor(user.userPrincipalName)).getKey("cmk")).name).toBe("cmk");
  });

  it("ignores a policy entry that names the caller's object id in another tenant", async () => {
    const user = emulator.directory.createUser({ userPrincipalName: "foreign-entry" });
    const vault = createTestVault(emulator, { name: "kv-foreign", accessPolicies: [{ objectId: emulator.admin.objectId, keys: ["all"] }] });
    vault.properties.accessPolicies.push({ tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47", objectId: user.objectId, permissions: { keys: ["all"] } });
    await keyClient(emulator, "kv-foreign").createRsaKey("cmk");
    const refused = await restError(keyClient(emulator, "kv-foreign", emulator.credentialFor(user.userPrincipalName)).getKey("cmk"));
    expect([refused.statusCode, refused.code]).toEqual([403, "Forbidden"]);
  });
});

describe("RBAC vaults", () => {
  it("ignores access policies and counts only role assignments", async () => {
    const vault = createTestVault(emulator, { name: "kv-rbac", rbac: true });
    grantKeys(emulator, "kv-rbac", exchange.objectId, ["all"]);
    const admin = keyClient(emulator, "kv-rbac");
    const refused = await restError(admin.createRsaKey("cmk"));
    expect([refused.statusCode, refused.code]).toEqual([403, "Forbidden"]);
    expect(refused.message).toContain("Action: 'Microsoft.KeyVault/vaults/keys/create/action'");
    expect(refused.message).toContain(`Resource: '${vaultResourceId(vault).toLowerCase()}/keys/cmk'`);

    emulator.assignRole({ scope: vaultResourceId(vault), roleId: BUILT_IN_ROLES.keyVaultCryptoOfficer.id, principalId: emulator.admin.objectId });
    const key = await admin.createRsaKey("cmk");
    expect((await restError(keyClient(emulator, "kv-rbac", exchange.credential).getKey("cmk"))).statusCode).toBe(403);

    emulator.assignRole({ scope: vaultResourceId(vault), roleId: BUILT_IN_ROLES.keyVaultCryptoServiceEncryptionUser.id, principalId: exchange.objectId });
    const exo = keyClient(emulator, "kv-rbac", exchange.credential);
    expect((await exo.getKey("cmk")).id).toBe(key.id);
    const client = cryptoClient(emulator, key.id!, exchange.credential);
    const wrapped = await client.wrapKey("RSA-OAEP-256", randomBytes(32));
    expect((await client.unwrapKey("RSA-OAEP-256", wrapped.result)).result).toHaveLength(32);
    expect((await restError(exo.createRsaKey("other"))).statusCode).toBe(403);
    expect((await restError(client.decrypt({ algorithm: "RSA-OAEP-256", ciphertext: wrapped.result }))).statusCode).toBe(403);
  });

  it("scopes a role assigned on one key to that key", async () => {
    const vault = createTestVault(emulator, { name: "kv-keyscope", rbac: true });
    emulator.assignRole({ scope: vaultResourceId(vault), roleId: BUILT_IN_ROLES.keyVaultAdministrator.id, principalId: emulator.admin.objectId });
    await keyClient(emulator, "kv-keyscope").createRsaKey("a");
    await keyClient(emulator, "kv-keyscope").createRsaKey("b");
    const user = emulator.directory.createUser({ userPrincipalName: "one-key" });
    emulator.assignRole({ scope: `${vaultResourceId(vault)}/keys/a`, roleId: BUILT_IN_ROLES.keyVaultCryptoUser.id, principalId: user.objectId });
    const client = keyClient(emulator, "kv-keyscope", emulator.credentialFor(user.userPrincipalName));
    expect((await client.getKey("a")).name).toBe("a");
    expect((await restError(client.getKey("b"))).statusCode).toBe(403);
  });
});
