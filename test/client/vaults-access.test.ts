/** The leaver case: list access, revoke one administrator, nobody else changes, nobody gains delete. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import {
  ConfirmationRequiredError,
  PreconditionFailedError,
  WORKLOAD_APP_IDS,
  type AccessEntry,
  type CustomerKeyClient,
  type VaultPairSpec,
  type VaultCoordinates,
} from "../../src/index.js";
import { clientFor, pairSpec } from "./client-fixtures.js";

let emulator: Emulator;
let client: CustomerKeyClient;
let spec: VaultPairSpec;
let primary: VaultCoordinates;
let secondary: VaultCoordinates;
const alice = "alice@contoso.onmicrosoft.com";
const bob = "bob@contoso.onmicrosoft.com";

beforeAll(async () => {
  emulator = await startEmulator();
  emulator.directory.createUser({ userPrincipalName: alice, displayName: "Alice" });
  emulator.directory.createUser({ userPrincipalName: bob, displayName: "Bob" });
  client = clientFor(emulator);
  spec = pairSpec(emulator, { administrators: [emulator.admin.userPrincipalName, alice, bob] });
  await client.vaultPairs.beginApply(await client.vaultPairs.plan(spec));
  primary = { subscriptionId: spec.primary.subscriptionId, resourceGroup: spec.primary.resourceGroup, vaultName: spec.primary.vaultName };
  secondary = { subscriptionId: spec.secondary.subscriptionId, resourceGroup: spec.secondary.resourceGroup, vaultName: spec.secondary.vaultName };
});
afterAll(() => emulator?.stop());

const policies = (entries: AccessEntry[]) =>
  Object.fromEntries(entries.filter((e) => e.kind === "accessPolicy").map((e) => [e.principal, [...(e.permissions ?? [])].sort()]));

describe("leaver", () => {
  it("lists access with names from Graph, and nobody can delete", async () => {
    const entries = await client.vaultPairs.listAccess(primary);
    const byName = policies(entries);
    expect(Object.keys(byName).sort()).toEqual([alice, emulator.admin.userPrincipalName, bob, "Office 365 Exchange Online"].sort());
    expect(byName[alice]).toEqual(["backup", "create", "get", "import", "list", "restore"]);
    expect(byName["Office 365 Exchange Online"]).toEqual(["get", "unwrapKey", "wrapKey"]);
    expect(entries.every((e) => !e.includesDelete)).toBe(true);
    const sp = entries.find((e) => e.principal === "Office 365 Exchange Online");
    expect(sp?.principalKind).toBe("servicePrincipal");
  });

  it("refuses to revoke without a confirmation that names the principal, before any request", async () => {
    const before = emulator.requests.size;
    await expect(client.vaultPairs.revokeAccess(primary, alice, { confirm: "" })).rejects.toBeInstanceOf(ConfirmationRequiredError);
    await expect(client.vaultPairs.revokeAccess(primary, alice, { confirm: bob })).rejects.toMatchObject({ code: "ERR_CONFIRMATION_REQUIRED" });
    expect(emulator.requests.size).toBe(before);
  });

  it("revokes one administrator on one vault and leaves everyone else as they were", async () => {
    const before = await client.vaultPairs.listAccess(primary);
    const secondaryBefore = await client.vaultPairs.listAccess(secondary);
    const result = await client.vaultPairs.revokeAccess(primary, alice, { confirm: alice });
    expect(result).toMatchObject({ removedAccessPolicy: true, removedRoleAssignments: [], remaining: [] });

    const after = await client.vaultPairs.listAccess(primary);
    const expected = policies(before);
    delete expected[alice];
    expect(policies(after)).toEqual(expected);
    expect(after.every((e) => !e.includesDelete)).toBe(true);
    // The other vault is untouched.
    expect(policies(await client.vaultPairs.listAccess(secondary))).toEqual(policies(secondaryBefore));
  });

  it("refuses a principal that is neither a UPN nor an object id, before any request", async () => {
    const before = emulator.requests.size;
    await expect(client.vaultPairs.grantAdministrator(primary, "alice")).rejects.toMatchObject({ code: "ERR_PRINCIPAL_INVALID", field: "principal" });
    await expect(client.vaultPairs.grantAdministrator(primary, "")).rejects.toMatchObject({ code: "ERR_PRINCIPAL_INVALID" });
    await expect(client.vaultPairs.revokeAccess(primary, "alice", { confirm: "alice" })).rejects.toMatchObject({ code: "ERR_PRINCIPAL_INVALID" });
    expect(emulator.requests.size).toBe(before);
  });

  it("grants an administrator back, idempotently", async () => {
    expect(await client.vaultPairs.grantAdministrator(primary, alice)).toMatchObject({ changed: true });
    const since = emulator.requests.size;
    expect(await client.vaultPairs.grantAdministrator(primary, alice)).toMatchObject({ changed: false });
    expect(emulator.requests.mutating(since)).toEqual([]);
    expect(policies(await client.vaultPairs.listAccess(primary))[alice]).toEqual(["backup", "create", "get", "import", "list", "restore"]);
  });

  it("refuses to revoke the Microsoft 365 service principal unless told it is the purge path", async () => {
    const sp = emulator.directory.findServicePrincipal(WORKLOAD_APP_IDS.exchange)!;
    const since = emulator.requests.size;
    await expect(client.vaultPairs.revokeAccess(primary, sp.objectId, { confirm: sp.objectId })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(emulator.requests.mutating(since)).toEqual([]);
  });

  it("revokes by object id even when the directory no longer knows the account", async () => {
    const gone = "0d5e8a4c-1111-4222-8333-944455556666";
    await expect(client.vaultPairs.revokeAccess(secondary, gone, { confirm: gone })).resolves.toMatchObject({ removedAccessPolicy: false, removedRoleAssignments: [] });
  });
});
