/** ARM error answers held against /work/shared/research/azure-error-evidence.md (codes, statuses, messages, details). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { armClients, vaultParameters } from "../conformance/helpers/arm-clients.js";
import { arm, tokenFor } from "../conformance/helpers/raw.js";

let emulator: Emulator;
let token: string;
beforeAll(async () => {
  emulator = await startEmulator();
  token = await tokenFor(emulator, emulator.admin.userPrincipalName);
});
afterAll(() => emulator?.stop());

const fast = { updateIntervalInMs: 10 };
const vaultPath = (subscriptionId: string, rg: string, name: string) =>
  `/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.KeyVault/vaults/${name}?api-version=2024-11-01`;
const IN_USE = (name: string) =>
  `The vault name '${name}' is already in use. Vault names are globally unique so it is possible that the name is already taken. If you are sure that the vault name was not taken then it is possible that a vault with the same name was recently deleted but not purged after being placed in a recoverable state. If the vault is in a recoverable state then the vault will need to be purged before reusing the name. For more information about VaultAlreadyExists, soft delete and purging a vault follow this link https://go.microsoft.com/fwlink/?linkid=2147740.`;

describe("ARM error answers (evidence)", () => {
  it("§6 MissingSubscriptionRegistration: 409 with the current message and details[{code,target,message}]", async () => {
    const sub = emulator.createSubscription({ displayName: "unregistered", owner: emulator.admin.userPrincipalName });
    await arm(emulator, token, "PUT", `/subscriptions/${sub.subscriptionId}/resourcegroups/rg?api-version=2021-04-01`, { location: "westeurope" });
    const res = await arm(emulator, token, "PUT", vaultPath(sub.subscriptionId, "rg", "ck-unreg-1"), vaultParameters(emulator));
    const message = "The subscription is not registered to use namespace 'Microsoft.KeyVault'. See https://aka.ms/rps-not-found for how to register subscriptions.";
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: { code: "MissingSubscriptionRegistration", message, details: [{ code: "MissingSubscriptionRegistration", target: "Microsoft.KeyVault", message }] },
    });
  });

  it("§9 a name held by a soft-deleted vault: ConflictError in the caller's subscription, VaultAlreadyExists outside it", async () => {
    const [a, b] = emulator.subscriptionIds as [string, string];
    const ownClients = armClients(emulator, emulator.credential(), a);
    await ownClients.resources.resourceGroups.createOrUpdate("rg-a", { location: "westeurope" });
    await ownClients.keyVault.vaults.createOrUpdate("rg-a", "ck-held-1", vaultParameters(emulator), fast);
    await ownClients.keyVault.vaults.delete("rg-a", "ck-held-1");

    const own = await arm(emulator, token, "PUT", vaultPath(a, "rg-a", "ck-held-1"), vaultParameters(emulator));
    expect([own.status, own.body.error.code, own.body.error.message]).toEqual([
      409,
      "ConflictError",
      "A vault with the same name already exists in deleted state. You need to either recover or purge existing key vault. Follow this link https://go.microsoft.com/fwlink/?linkid=2149745 for more information on soft delete.",
    ]);

    await arm(emulator, token, "PUT", `/subscriptions/${b}/resourcegroups/rg-b?api-version=2021-04-01`, { location: "westeurope" });
    const elsewhere = await arm(emulator, token, "PUT", vaultPath(b, "rg-b", "ck-held-1"), vaultParameters(emulator));
    expect([elsewhere.status, elsewhere.body.error.code, elsewhere.body.error.message]).toEqual([409, "VaultAlreadyExists", IN_USE("ck-held-1")]);
    // Even asking to recover it from the other subscription: that subscription cannot see it.
    const recoverElsewhere = await arm(emulator, token, "PUT", vaultPath(b, "rg-b", "ck-held-1"), vaultParameters(emulator, { createMode: "recover" }));
    expect(recoverElsewhere.body.error.code).toBe("VaultAlreadyExists");

    const check = await arm(emulator, token, "POST", `/subscriptions/${b}/providers/Microsoft.KeyVault/checkNameAvailability?api-version=2024-11-01`, {
      name: "ck-held-1",
      type: "Microsoft.KeyVault/vaults",
    });
    expect(check.body).toEqual({ nameAvailable: false, reason: "AlreadyExists", message: IN_USE("ck-held-1") });
  });

  it("§1 purge of a purge-protected deleted vault: MethodNotAllowed, 'Operation 'DeletedVaultPurge' is not allowed.'", async () => {
    const a = emulator.subscriptionIds[0]!;
    const vault = emulator.seed.vault({ name: "ck-protected-1", subscriptionId: a });
    await arm(emulator, token, "DELETE", vaultPath(a, vault.resourceGroup, vault.name));
    const res = await arm(emulator, token, "POST", `/subscriptions/${a}/providers/Microsoft.KeyVault/locations/westeurope/deletedVaults/ck-protected-1/purge?api-version=2024-11-01`);
    expect([res.status, res.body]).toEqual([405, { error: { code: "MethodNotAllowed", message: "Operation 'DeletedVaultPurge' is not allowed." } }]);
  });

  it("§10 purge protection off is 400 BadRequest; soft delete off is accepted and stays on", async () => {
    const a = emulator.subscriptionIds[0]!;
    const vault = emulator.seed.vault({ name: "ck-flags-9", subscriptionId: a });
    const off = await arm(emulator, token, "PATCH", vaultPath(a, vault.resourceGroup, vault.name), { properties: { enablePurgeProtection: false } });
    expect([off.status, off.body]).toEqual([
      400,
      { error: { code: "BadRequest", message: 'The property "enablePurgeProtection" cannot be set to false. Enabling the purge protection for a vault is an irreversible action.' } },
    ]);
    const createOff = await arm(emulator, token, "PUT", vaultPath(a, vault.resourceGroup, "ck-flags-10"), vaultParameters(emulator, { enablePurgeProtection: false }));
    expect([createOff.status, createOff.body.error.code]).toEqual([400, "BadRequest"]);
    const softOff = await arm(emulator, token, "PATCH", vaultPath(a, vault.resourceGroup, vault.name), { properties: { enableSoftDelete: false } });
    expect([softOff.status, softOff.body.properties.enableSoftDelete]).toEqual([200, true]);
    const createSoftOff = await arm(emulator, token, "PUT", vaultPath(a, vault.resourceGroup, "ck-flags-11"), vaultParameters(emulator, { enableSoftDelete: false, enablePurgeProtection: undefined }));
    expect([createSoftOff.status, createSoftOff.body.properties.enableSoftDelete]).toEqual([201, true]);
  });
});
