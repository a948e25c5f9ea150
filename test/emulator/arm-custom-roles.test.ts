import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";

let emulator: Emulator;
let authorization: AuthorizationManagementClient;
let scope: string;
beforeAll(async () => {
  emulator = await startEmulator();
  const sub = emulator.subscriptionIds[0]!;
  scope = `/subscriptions/${sub}`;
  authorization = new AuthorizationManagementClient(emulator.credentialFor(emulator.admin.userPrincipalName), sub, {
    endpoint: emulator.endpoints.resourceManager,
    credentialScopes: ["https://management.azure.com/.default"],
    retryOptions: { maxRetries: 0 },
    ...emulator.clientOptions(),
  });
});
afterAll(() => emulator?.stop());

describe("custom role definitions", () => {
  const id = "0b7a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d";
  const definition = () => ({
    roleName: "Key reader",
    description: "Reads keys",
    permissions: [{ actions: [], dataActions: ["Microsoft.KeyVault/vaults/keys/read"] }],
    assignableScopes: [scope],
  });

  it("creates, reads, lists and refuses a second role with the same name", async () => {
    const created = await authorization.roleDefinitions.createOrUpdate(scope, id, definition());
    expect(created).toMatchObject({ name: id, roleName: "Key reader", roleType: "CustomRole", assignableScopes: [scope] });
    expect((await authorization.roleDefinitions.get(scope, id)).permissions?.[0]?.dataActions).toEqual(["Microsoft.KeyVault/vaults/keys/read"]);
    const names: string[] = [];
    for await (const d of authorization.roleDefinitions.list(scope, { filter: "roleName eq 'Key reader'" })) names.push(d.name!);
    expect(names).toEqual([id]);
    await expect(
      authorization.roleDefinitions.createOrUpdate(scope, "1b7a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", definition()),
    ).rejects.toMatchObject({ statusCode: 409, code: "RoleDefinitionWithSameNameExists" });
  });

  it("refuses to change a built-in role, and refuses a principal without roleDefinitions/write", async () => {
    await expect(
      authorization.roleDefinitions.createOrUpdate(scope, "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", { ...definition(), roleName: "Owner 2" }),
    ).rejects.toMatchObject({ statusCode: 400 });
    const outsider = emulator.directory.createServicePrincipal({ displayName: "outsider" });
    const theirs = new AuthorizationManagementClient(emulator.credentialFor(outsider.appId), emulator.subscriptionIds[0]!, {
      endpoint: emulator.endpoints.resourceManager,
      credentialScopes: ["https://management.azure.com/.default"],
      retryOptions: { maxRetries: 0 },
      ...emulator.clientOptions(),
    });
    await expect(
      theirs.roleDefinitions.createOrUpdate(scope, "2b7a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", { ...definition(), roleName: "Mine" }),
    ).rejects.toMatchObject({ statusCode: 403, code: "AuthorizationFailed" });
  });

  it("is assignable within its scopes, and cannot be deleted while assigned", async () => {
    const user = emulator.directory.createUser({ userPrincipalName: "reader" });
    const assignment = await authorization.roleAssignments.create(scope, "3b7a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", {
      roleDefinitionId: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${id}`,
      principalId: user.objectId,
    });
    expect(assignment.principalId).toBe(user.objectId);
    await expect(authorization.roleDefinitions.delete(scope, id)).rejects.toMatchObject({ statusCode: 409, code: "RoleDefinitionHasAssignments" });
    await authorization.roleAssignments.delete(scope, assignment.name!);
    await authorization.roleDefinitions.delete(scope, id);
    await expect(authorization.roleDefinitions.get(scope, id)).rejects.toMatchObject({ statusCode: 404 });
  });
});
