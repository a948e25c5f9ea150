/** The RBAC permission model: role assignments at vault scope, a custom admin role without delete. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyClient } from "@azure/keyvault-keys";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import {
  CUSTOMER_KEY_ADMIN_DATA_ACTIONS,
  ROLE_IDS,
  WORKLOAD_APP_IDS,
  type VaultCoordinates,
} from "../../src/index.js";
import { customerKeyAdminRoleGuid } from "../../src/rules/access-model.js";
import { clientFor, pairSpec } from "./client-fixtures.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator?.stop());

const assignmentsAt = (scopeSuffix: string) =>
  Object.values(emulator.snapshot().arm.roleAssignments).filter((a) => a.scope.toLowerCase().endsWith(scopeSuffix.toLowerCase()));
const guidOf = (id: string) => id.split("/").at(-1)!.toLowerCase();

describe("RBAC model", () => {
  it("never uses Crypto Officer for admins: its data actions include delete", () => {
    expect(CUSTOMER_KEY_ADMIN_DATA_ACTIONS.join(" ")).not.toMatch(/delete|purge|\*/i);
  });

  it("applies a pair from nothing; a second plan is all noops and a second apply writes nothing", async () => {
    const leaver = emulator.directory.createUser({ userPrincipalName: "dave@contoso.onmicrosoft.com" });
    const contributor = emulator.directory.createUser({ userPrincipalName: "erin@contoso.onmicrosoft.com" });
    const client = clientFor(emulator);
    const spec = pairSpec(emulator, {
      workload: "sharePoint",
      permissionModel: "rbac",
      administrators: [emulator.admin.userPrincipalName, leaver.objectId],
      contributors: [contributor.userPrincipalName],
    });
    const plan = await client.vaultPairs.plan(spec);
    expect(plan.problems).toEqual([]);
    expect(plan.changes.filter((c) => c.resource === "roleDefinition").map((c) => c.kind)).toEqual(["create", "create"]);
    await client.vaultPairs.beginApply(plan);

    const sp = emulator.directory.findServicePrincipal(WORKLOAD_APP_IDS.sharePoint)!;
    for (const member of [spec.primary, spec.secondary]) {
      expect(emulator.snapshot().arm.vaults[member.vaultName.toLowerCase()]!.properties).toMatchObject({ enableRbacAuthorization: true, enablePurgeProtection: true, sku: { name: "premium" } });
      const roles = assignmentsAt(`/vaults/${member.vaultName}`).map((a) => `${a.principalId}:${guidOf(a.roleDefinitionId)}`).sort();
      const adminRole = customerKeyAdminRoleGuid(member.subscriptionId);
      expect(roles).toEqual(
        [
          `${sp.objectId}:${ROLE_IDS.cryptoServiceEncryptionUser}`,
          `${emulator.admin.objectId}:${adminRole}`,
          `${leaver.objectId}:${adminRole}`,
          `${contributor.objectId}:${ROLE_IDS.contributor}`,
        ].sort(),
      );
      expect(roles.some((r) => r.endsWith(ROLE_IDS.cryptoOfficer))).toBe(false);
    }

    // The custom admin role works on the data plane: create and read, but no delete.
    const adminKeys = new KeyClient(emulator.endpoints.vaultUrl(spec.primary.vaultName), emulator.credentialFor(leaver.objectId), {
      ...emulator.clientOptions(),
      retryOptions: { maxRetries: 0 },
    });
    await adminKeys.createRsaKey("rbac-admin-key", { keySize: 2048, keyOps: ["wrapKey", "unwrapKey"] });
    await expect(adminKeys.beginDeleteKey("rbac-admin-key")).rejects.toMatchObject({ statusCode: 403, code: "Forbidden" });

    const again = await client.vaultPairs.plan(spec);
    expect(new Set(again.changes.map((c) => c.kind))).toEqual(new Set(["noop"]));
    const since = emulator.requests.size;
    await client.vaultPairs.beginApply(again);
    expect(emulator.requests.mutating(since)).toEqual([]);

    // Leaver on an RBAC vault: only that admin's assignment at the vault goes.
    const ref: VaultCoordinates = { subscriptionId: spec.primary.subscriptionId, resourceGroup: spec.primary.resourceGroup, vaultName: spec.primary.vaultName };
    const before = await client.vaultPairs.listAccess(ref);
    expect(before.filter((e) => e.includesDelete)).toEqual([]);
    const result = await client.vaultPairs.revokeAccess(ref, leaver.objectId, { confirm: leaver.objectId });
    expect(result.removedRoleAssignments).toHaveLength(1);
    const after = await client.vaultPairs.listAccess(ref);
    expect(after.map((e) => e.objectId).sort()).toEqual(before.map((e) => e.objectId).filter((id) => id !== leaver.objectId).sort());
    expect(after.filter((e) => e.includesDelete)).toEqual([]);
    expect(assignmentsAt(`/vaults/${spec.secondary.vaultName}`).some((a) => a.principalId === leaver.objectId)).toBe(true);
  });
});
