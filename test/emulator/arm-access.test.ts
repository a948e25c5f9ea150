import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { BUILT_IN_ROLES } from "../../src/emulator/arm/model.js";
import { actionMatches, assignmentsFor, permits } from "../../src/emulator/authz/arm-roles.js";
import { armClients, vaultParameters } from "../conformance/helpers/arm-clients.js";
import { arm, tokenFor } from "../conformance/helpers/raw.js";

let emulator: Emulator;
let subscriptionId: string;
let admin: ReturnType<typeof armClients>;
const fast = { updateIntervalInMs: 10 };
const roleId = (guid: string) => `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

beforeAll(async () => {
  emulator = await startEmulator();
  subscriptionId = emulator.subscriptionIds[0]!;
  admin = armClients(emulator, emulator.credentialFor(emulator.admin.userPrincipalName), subscriptionId);
});
afterAll(() => emulator?.stop());

describe("Do-Not-Cancel feature and provider registration", () => {
  it("keeps mandatoryRetentionPeriodEnabled Pending until Microsoft approves it", async () => {
    const features = admin.features.features;
    const before = await features.get("Microsoft.Resources", "mandatoryRetentionPeriodEnabled");
    expect(before).toMatchObject({
      name: "Microsoft.Resources/mandatoryRetentionPeriodEnabled",
      type: "Microsoft.Features/providers/features",
      id: `/subscriptions/${subscriptionId}/providers/Microsoft.Features/providers/Microsoft.Resources/features/mandatoryRetentionPeriodEnabled`,
      properties: { state: "NotRegistered" },
    });
    expect((await features.register("Microsoft.Resources", "mandatoryRetentionPeriodEnabled")).properties?.state).toBe("Pending");
    emulator.clock.advance({ days: 30 });
    expect((await features.get("Microsoft.Resources", "mandatoryRetentionPeriodEnabled")).properties?.state).toBe("Pending");
    expect((await features.register("Microsoft.Resources", "mandatoryRetentionPeriodEnabled")).properties?.state).toBe("Pending");
    emulator.approveDoNotCancel(subscriptionId);
    expect((await features.get("Microsoft.Resources", "mandatoryRetentionPeriodEnabled")).properties?.state).toBe("Registered");
    const listed = [];
    for await (const f of features.list("Microsoft.Resources")) listed.push(f.name);
    expect(listed).toContain("Microsoft.Resources/mandatoryRetentionPeriodEnabled");
  });

  it("registers other features through Registering", async () => {
    const features = admin.features.features;
    expect((await features.register("Microsoft.KeyVault", "SomePreview")).properties?.state).toBe("Registering");
    expect((await features.get("Microsoft.KeyVault", "SomePreview")).properties?.state).toBe("Registered");
    const all = [];
    for await (const f of features.listAll()) all.push(f.name);
    expect(all).toContain("Microsoft.KeyVault/SomePreview");
    expect((await features.unregister("Microsoft.KeyVault", "SomePreview")).properties?.state).toBe("Unregistering");
    expect((await features.get("Microsoft.KeyVault", "SomePreview")).properties?.state).toBe("Unregistered");
  });

  it("registers and unregisters a provider", async () => {
    const providers = admin.resources.providers;
    expect((await providers.get("Microsoft.KeyVault")).registrationState).toBe("Registered");
    expect((await providers.unregister("Microsoft.Storage")).registrationState).toBe("NotRegistered");
    expect((await providers.register("Microsoft.Storage")).registrationState).toBe("Registering");
    expect((await providers.get("Microsoft.Storage")).registrationState).toBe("Registered");
    await expect(providers.get("Microsoft.Nothing")).rejects.toMatchObject({ statusCode: 404, code: "InvalidResourceNamespace" });
  });
});

describe("resource groups", () => {
  it("creates (201/200), checks existence and deletes through the LRO, soft-deleting its vaults", async () => {
    const groups = admin.resources.resourceGroups;
    const created = await groups.createOrUpdate("ck-doomed", { location: "westeurope", tags: { a: "b" } });
    expect(created).toMatchObject({ name: "ck-doomed", location: "westeurope", properties: { provisioningState: "Succeeded" } });
    expect((await groups.checkExistence("ck-doomed")).body).toBe(true);
    await admin.keyVault.vaults.createOrUpdate("ck-doomed", "ck-doomed-kv", vaultParameters(emulator), fast);
    await groups.beginDeleteAndWait("ck-doomed", fast);
    expect((await groups.checkExistence("ck-doomed")).body).toBe(false);
    await expect(groups.get("ck-doomed")).rejects.toMatchObject({ statusCode: 404, code: "ResourceGroupNotFound" });
    expect((await admin.keyVault.vaults.getDeleted("ck-doomed-kv", "westeurope")).name).toBe("ck-doomed-kv");
  });
});

describe("role assignments and ARM authorization", () => {
  it("creates, lists, gets and deletes role assignments with arm-authorization", async () => {
    const sp = emulator.directory.createServicePrincipal({ displayName: "ck-reader" });
    const assignments = admin.authorization.roleAssignments;
    const scope = `/subscriptions/${subscriptionId}`;
    const name = randomUUID();
    const created = await assignments.create(scope, name, { roleDefinitionId: roleId(BUILT_IN_ROLES.reader.id), principalId: sp.objectId });
    expect(created).toMatchObject({ name, type: "Microsoft.Authorization/roleAssignments", principalId: sp.objectId, principalType: "ServicePrincipal", scope });
    await expect(assignments.create(scope, randomUUID(), { roleDefinitionId: roleId(BUILT_IN_ROLES.reader.id), principalId: sp.objectId })).rejects.toMatchObject({
      statusCode: 409,
      code: "RoleAssignmentExists",
    });
    const mine = [];
    for await (const a of assignments.listForScope(scope, { filter: `principalId eq '${sp.objectId}'` })) mine.push(a.name);
    expect(mine).toEqual([name]);
    expect((await assignments.get(scope, name)).roleDefinitionId).toBe(roleId(BUILT_IN_ROLES.reader.id));
    const definitions = [];
    for await (const d of admin.authorization.roleDefinitions.list(scope, { filter: "roleName eq 'Key Vault Crypto Service Encryption User'" })) definitions.push(d);
    expect(definitions[0]?.permissions?.[0]?.dataActions).toContain("Microsoft.KeyVault/vaults/keys/unwrap/action");
    await assignments.delete(scope, name);
    await expect(assignments.get(scope, name)).rejects.toMatchObject({ statusCode: 404, code: "RoleAssignmentNotFound" });
  });

  it("answers 403 AuthorizationFailed to a principal without a role, and hides the subscription", async () => {
    const sp = emulator.directory.createServicePrincipal({ displayName: "ck-nobody" });
    const nobody = armClients(emulator, emulator.credentialFor(sp.appId), subscriptionId);
    const error = await nobody.resources.resourceGroups.get("anything").catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 403, code: "AuthorizationFailed" });
    expect(String((error as Error).message)).toBe(
      `The client '${sp.objectId}' with object id '${sp.objectId}' does not have authorization to perform action 'Microsoft.Resources/subscriptions/resourceGroups/read' over scope '/subscriptions/${subscriptionId}/resourceGroups/anything' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
    const token = await tokenFor(emulator, sp.appId);
    expect((await arm(emulator, token, "GET", "/subscriptions?api-version=2022-12-01")).body.value).toEqual([]);
    expect((await arm(emulator, token, "GET", `/subscriptions/${subscriptionId}?api-version=2022-12-01`)).status).toBe(404);
  });

  it("lets a Contributor manage vaults but not role assignments; a group membership grants too", async () => {
    const sp = emulator.directory.createServicePrincipal({ displayName: "ck-contributor" });
    const group = emulator.directory.createGroup({ displayName: "ck-contributors", members: [sp.objectId] });
    await admin.authorization.roleAssignments.create(`/subscriptions/${subscriptionId}`, randomUUID(), {
      roleDefinitionId: roleId(BUILT_IN_ROLES.contributor.id),
      principalId: group.objectId,
    });
    const contributor = armClients(emulator, emulator.credentialFor(sp.appId), subscriptionId);
    await contributor.resources.resourceGroups.createOrUpdate("ck-contrib", { location: "westeurope" });
    await contributor.keyVault.vaults.createOrUpdate("ck-contrib", "ck-contrib-kv", vaultParameters(emulator), fast);
    await expect(
      contributor.authorization.roleAssignments.create(`/subscriptions/${subscriptionId}`, randomUUID(), {
        roleDefinitionId: roleId(BUILT_IN_ROLES.owner.id),
        principalId: sp.objectId,
      }),
    ).rejects.toMatchObject({ statusCode: 403, code: "AuthorizationFailed" });
    const token = await tokenFor(emulator, sp.appId);
    const subs = (await arm(emulator, token, "GET", "/subscriptions?api-version=2022-12-01")).body.value;
    expect(subs.map((s: { subscriptionId: string }) => s.subscriptionId)).toEqual([subscriptionId]);
  });

  it("implements Azure's wildcard and notActions semantics", () => {
    expect(actionMatches("*/read", "Microsoft.KeyVault/vaults/read")).toBe(true);
    expect(actionMatches("Microsoft.KeyVault/*", "microsoft.keyvault/vaults/write")).toBe(true);
    expect(actionMatches("Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/read")).toBe(true);
    expect(actionMatches("Microsoft.KeyVault/vaults/keys/read", "Microsoft.KeyVault/vaults/keys/wrap/action")).toBe(false);
    const caller = { objectId: emulator.admin.objectId, groupIds: [] };
    const owner = emulator.withLiveState((s) => assignmentsFor(s.arm, `/subscriptions/${subscriptionId}/resourceGroups/x/providers/Microsoft.KeyVault/vaults/v`, caller));
    expect(owner.map((d) => d.roleName)).toEqual(["Owner"]);
    expect(permits(owner, "Microsoft.Authorization/roleAssignments/write", { data: false })).toBe(true);
    expect(permits(owner, "Microsoft.KeyVault/vaults/keys/wrap/action", { data: true })).toBe(false);
    expect(emulator.withLiveState((s) => assignmentsFor(s.arm, `/subscriptions/${subscriptionId}x`, caller))).toEqual([]);
  });
});
