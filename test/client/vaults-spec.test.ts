/** Spec rules: each is thrown as InvalidInputError with its own code before any request is sent. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { InvalidInputError, type CustomerKeyClient, type VaultPairSpec } from "../../src/index.js";
import { clientFor, pairSpec } from "./client-fixtures.js";

let emulator: Emulator;
let client: CustomerKeyClient;
beforeAll(async () => {
  emulator = await startEmulator();
  client = clientFor(emulator);
});
afterAll(() => emulator?.stop());

async function expectRejectedBeforeAnyRequest(spec: VaultPairSpec, code: string, field?: string): Promise<void> {
  const before = emulator.requests.size;
  const error = await client.vaultPairs.plan(spec).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidInputError);
  expect(error).toMatchObject({ code, ...(field ? { field } : {}) });
  expect(emulator.requests.size).toBe(before);
}

const edit = (spec: VaultPairSpec, member: "primary" | "secondary", patch: Partial<VaultPairSpec["primary"]>): VaultPairSpec => ({
  ...spec,
  [member]: { ...spec[member], ...patch },
});

describe("vaultPairs.plan validates the spec before any request", () => {
  it.each([
    ["too short", "ab"],
    ["too long (Microsoft's 25-character example)", "Contoso-O365SP-NA-VaultA1"],
    ["invalid character", "ck_vault"],
    ["starting with a digit", "1ckvault"],
    ["ending with a hyphen", "ckvault-"],
    ["with consecutive hyphens", "ck--vault"],
  ])("vault name %s", async (_, name) => {
    await expectRejectedBeforeAnyRequest(edit(pairSpec(emulator), "primary", { vaultName: name }), "ERR_VAULT_NAME_INVALID", "primary.vaultName");
  });

  it("duplicate vault names (case-insensitive)", async () => {
    const spec = pairSpec(emulator);
    await expectRejectedBeforeAnyRequest(edit(spec, "secondary", { vaultName: spec.primary.vaultName.toUpperCase() }), "ERR_VAULT_NAMES_DUPLICATE");
  });

  it("both vaults in the same subscription", async () => {
    const spec = pairSpec(emulator);
    await expectRejectedBeforeAnyRequest(edit(spec, "secondary", { subscriptionId: spec.primary.subscriptionId }), "ERR_SUBSCRIPTIONS_NOT_DISTINCT");
  });

  it("both vaults in the same region (display name vs ARM name)", async () => {
    await expectRejectedBeforeAnyRequest(edit(pairSpec(emulator), "secondary", { location: "West Europe" }), "ERR_REGIONS_SAME");
  });

  it("paired regions, unless allowPairedRegions", async () => {
    const spec = edit(pairSpec(emulator), "secondary", { location: "northeurope" });
    await expectRejectedBeforeAnyRequest(spec, "ERR_REGIONS_PAIRED", "secondary.location");
    // One-way pair: westus3 → eastus counts too.
    await expectRejectedBeforeAnyRequest(
      edit(edit(spec, "primary", { location: "eastus" }), "secondary", { location: "westus3" }),
      "ERR_REGIONS_PAIRED",
    );
  });

  it("unknown region", async () => {
    await expectRejectedBeforeAnyRequest(edit(pairSpec(emulator), "primary", { location: "atlantis" }), "ERR_REGION_UNKNOWN", "primary.location");
  });

  it("subscription id that is not a GUID", async () => {
    await expectRejectedBeforeAnyRequest(edit(pairSpec(emulator), "secondary", { subscriptionId: "my-sub" }), "ERR_SUBSCRIPTION_ID_INVALID", "secondary.subscriptionId");
  });

  it("resource group name", async () => {
    await expectRejectedBeforeAnyRequest(edit(pairSpec(emulator), "primary", { resourceGroup: "rg." }), "ERR_RESOURCE_GROUP_NAME_INVALID");
    await expectRejectedBeforeAnyRequest(edit(pairSpec(emulator), "primary", { resourceGroup: "rg/x" }), "ERR_RESOURCE_GROUP_NAME_INVALID");
  });

  it("key size", async () => {
    await expectRejectedBeforeAnyRequest({ ...pairSpec(emulator), key: { name: "ck", size: 1024 as 2048, protection: "hsm" } }, "ERR_KEY_SIZE_INVALID", "key.size");
  });

  it("key protection and key name", async () => {
    await expectRejectedBeforeAnyRequest({ ...pairSpec(emulator), key: { name: "ck", size: 3072, protection: "cloud" as "hsm" } }, "ERR_KEY_PROTECTION_INVALID");
    await expectRejectedBeforeAnyRequest({ ...pairSpec(emulator), key: { name: "ck key", size: 3072, protection: "hsm" } }, "ERR_KEY_NAME_INVALID");
  });

  it("UPN syntax of administrators and contributors", async () => {
    await expectRejectedBeforeAnyRequest({ ...pairSpec(emulator), administrators: ["alice"] }, "ERR_PRINCIPAL_INVALID", "administrators[0]");
    await expectRejectedBeforeAnyRequest({ ...pairSpec(emulator), contributors: ["bob@"] }, "ERR_PRINCIPAL_INVALID", "contributors[0]");
  });

  it("at least one administrator", async () => {
    await expectRejectedBeforeAnyRequest({ ...pairSpec(emulator), administrators: [] }, "ERR_ADMINISTRATORS_REQUIRED");
  });

  it("workload and permission model", async () => {
    await expectRejectedBeforeAnyRequest({ ...pairSpec(emulator), workload: "teams" as "exchange" }, "ERR_WORKLOAD_INVALID");
    await expectRejectedBeforeAnyRequest({ ...pairSpec(emulator), permissionModel: "acl" as "rbac" }, "ERR_PERMISSION_MODEL_INVALID");
  });

  it("lists every rule broken in the message of the first", async () => {
    const spec = edit(edit(pairSpec(emulator), "primary", { vaultName: "x" }), "secondary", { location: "atlantis" });
    const error = await client.vaultPairs.plan(spec).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/not a valid Key Vault name.*Also:.*not a known Azure region/s);
  });
});
