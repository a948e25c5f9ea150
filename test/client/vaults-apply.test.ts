/** vaultPairs.plan + beginApply against the emulator, through the real Azure clients. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import {
  ADMIN_KEY_PERMISSIONS,
  OperationAbortedError,
  PreconditionFailedError,
  ROLE_IDS,
  SERVICE_KEY_PERMISSIONS,
  WORKLOAD_APP_IDS,
  type ApplyOperationState,
  type VaultPairPlan,
} from "../../src/index.js";
import { clientFor, pairSpec, uniqueVaultName } from "./client-fixtures.js";

let emulator: Emulator;
let contributorUpn: string;
beforeAll(async () => {
  emulator = await startEmulator();
  contributorUpn = emulator.directory.createUser({ userPrincipalName: "carol@contoso.onmicrosoft.com", displayName: "Carol" }).userPrincipalName;
});
afterAll(() => emulator?.stop());

const vaultState = (name: string) => emulator.snapshot().arm.vaults[name.toLowerCase()];
const sorted = (list: readonly string[] | undefined) => [...(list ?? [])].map((p) => p.toLowerCase()).sort();
const kinds = (plan: VaultPairPlan) => plan.changes.map((c) => c.kind);
/** The writes a plan's changes take, counted per emulator operation name. */
const plannedWrites = (plan: VaultPairPlan) => {
  const operation = { resourceProvider: "Providers_Register", resourceGroup: "ResourceGroups_CreateOrUpdate", vault: "Vaults_CreateOrUpdate", roleDefinition: "RoleDefinitions_CreateOrUpdate", accessPolicy: "Vaults_UpdateAccessPolicy", roleAssignment: "RoleAssignments_Create" } as const;
  const counts: Record<string, number> = {};
  for (const c of plan.changes.filter((c) => c.kind === "create")) counts[operation[c.resource]] = (counts[operation[c.resource]] ?? 0) + 1;
  return counts;
};
/** Accepted writes since `from`, counted per operation. */
const writeCounts = (from: number) => {
  const counts: Record<string, number> = {};
  for (const r of emulator.requests.mutating(from)) counts[r.operation ?? r.path] = (counts[r.operation ?? r.path] ?? 0) + 1;
  return counts;
};

describe("access-policy model", () => {
  it("applies a pair from nothing, then a second plan is all noops and a second apply writes nothing", async () => {
    const client = clientFor(emulator);
    const spec = pairSpec(emulator, { contributors: [contributorUpn], tags: { purpose: "customer-key" } });
    const plan = await client.vaultPairs.plan(spec);
    expect(plan.problems).toEqual([]);
    expect(plan.changes.filter((c) => c.resource === "vault").map((c) => c.kind)).toEqual(["create", "create"]);
    expect(client.vaultPairs.formatPlan(plan)).toMatch(/Create premium vault/);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);

    const progress: ApplyOperationState[] = [];
    const result = await client.vaultPairs.beginApply(plan, { onProgress: (s) => progress.push(s) });
    expect(result.applied.length).toBeGreaterThan(0);
    expect(progress.at(-1)?.status).toBe("succeeded");

    const exoSp = emulator.directory.findServicePrincipal(WORKLOAD_APP_IDS.exchange)!;
    for (const member of [spec.primary, spec.secondary]) {
      const vault = vaultState(member.vaultName)!;
      expect(vault.location).toBe(member.location);
      expect(vault.properties).toMatchObject({
        sku: { name: "premium" },
        enableSoftDelete: true,
        softDeleteRetentionInDays: 90,
        enablePurgeProtection: true,
        enableRbacAuthorization: false,
        tenantId: emulator.tenantId,
      });
      expect(vault.tags).toEqual({ purpose: "customer-key" });
      const policy = (objectId: string) => vault.properties.accessPolicies.find((p) => p.objectId === objectId);
      expect(sorted(policy(emulator.admin.objectId)?.permissions.keys)).toEqual(sorted(ADMIN_KEY_PERMISSIONS));
      expect(sorted(policy(exoSp.objectId)?.permissions.keys)).toEqual(sorted(SERVICE_KEY_PERMISSIONS));
      const carol = emulator.directory.findUser(contributorUpn)!;
      const assignments = Object.values(emulator.snapshot().arm.roleAssignments).filter((a) => a.principalId === carol.objectId);
      expect(assignments.some((a) => a.roleDefinitionId.endsWith(ROLE_IDS.contributor) && a.scope.toLowerCase().endsWith(`/vaults/${member.vaultName.toLowerCase()}`))).toBe(true);
    }

    const again = await client.vaultPairs.plan(spec);
    expect(new Set(kinds(again))).toEqual(new Set(["noop"]));
    const since = emulator.requests.size;
    const second = await client.vaultPairs.beginApply(again);
    expect(second.applied).toEqual([]);
    expect(emulator.requests.mutating(since)).toEqual([]);
    // Even the original plan, applied again, writes nothing: every change re-reads first.
    const since2 = emulator.requests.size;
    expect((await client.vaultPairs.beginApply(plan)).applied).toEqual([]);
    expect(emulator.requests.mutating(since2)).toEqual([]);
  });

  it("stops at an abort between changes, and a resume in a new client (or a re-run) completes it", async () => {
    const spec = pairSpec(emulator);
    const plan = await clientFor(emulator).vaultPairs.plan(spec);
    const controller = new AbortController();
    const from = emulator.requests.size;
    const poller = clientFor(emulator).vaultPairs.beginApply(plan, {
      abortSignal: controller.signal,
      onProgress: (s) => {
        if (s.completed.length === 5) controller.abort();
      },
    });
    await expect(poller.pollUntilDone()).rejects.toBeInstanceOf(OperationAbortedError);
    // Order: 2 providers, 2 resource groups, then the primary vault: the secondary was not started.
    expect(poller.operationState.completed).toHaveLength(5);
    expect(poller.operationState.lastChangeId).toBe("primary/vault");
    expect(vaultState(spec.primary.vaultName)).toBeDefined();
    expect(vaultState(spec.secondary.vaultName)).toBeUndefined();
    const saved = await poller.serialize();

    const resumed = clientFor(emulator).vaultPairs.beginApply(plan, { resumeFrom: saved });
    const result = await resumed;
    expect(result.applied.length + result.unchanged.length).toBe(plan.changes.length);
    // Across both runs each planned write was sent exactly once.
    expect(writeCounts(from)).toEqual(plannedWrites(plan));
    const since = emulator.requests.size;
    const replan = await clientFor(emulator).vaultPairs.plan(spec);
    expect(new Set(kinds(replan))).toEqual(new Set(["noop"]));
    await clientFor(emulator).vaultPairs.beginApply(replan);
    expect(emulator.requests.mutating(since)).toEqual([]);
  });

  it("an abort after the vault PUT landed but before the operation finished, then a plain re-run, sends no write twice", async () => {
    const spec = pairSpec(emulator);
    const plan = await clientFor(emulator).vaultPairs.plan(spec);
    const from = emulator.requests.size;
    // The vault PUT is answered; following its asynchronous operation is slow, and the caller gives up then.
    emulator.faults.inject({ service: "arm", method: "GET", path: "/operationResults/", latencyMs: 300, count: 1 });
    const controller = new AbortController();
    const watch = setInterval(() => {
      if (emulator.requests.mutating(from).some((r) => r.operation === "Vaults_CreateOrUpdate")) controller.abort();
    }, 5);
    const poller = clientFor(emulator).vaultPairs.beginApply(plan, { abortSignal: controller.signal });
    try {
      await expect(poller.pollUntilDone()).rejects.toBeInstanceOf(OperationAbortedError);
    } finally {
      clearInterval(watch);
    }
    expect(poller.operationState.completed).not.toContain("primary/vault");
    expect(vaultState(spec.primary.vaultName)).toBeDefined();

    const rerun = await clientFor(emulator).vaultPairs.beginApply(plan);
    expect(rerun.unchanged).toContain("primary/vault");
    expect(rerun.applied).toContain("secondary/vault");
    expect(writeCounts(from)).toEqual(plannedWrites(plan));
  });

  it("updates an existing vault that lacks purge protection and premium", async () => {
    const spec = pairSpec(emulator);
    const credential = emulator.credentialFor(emulator.admin.userPrincipalName);
    const kvm = new KeyVaultManagementClient(credential, spec.primary.subscriptionId, {
      endpoint: emulator.endpoints.resourceManager,
      credentials: { scopes: ["https://management.azure.com/.default"] },
      ...emulator.clientOptions(),
    });
    const client = clientFor(emulator);
    await client.vaultPairs.beginApply(await client.vaultPairs.plan(spec)); // creates resource groups etc.
    const other = { ...spec, primary: { ...spec.primary, vaultName: uniqueVaultName("ck-std") } };
    await kvm.vaults.createOrUpdate(other.primary.resourceGroup, other.primary.vaultName, {
      location: other.primary.location,
      properties: { tenantId: emulator.tenantId, sku: { family: "A", name: "standard" }, accessPolicies: [] },
    }, { updateIntervalInMs: 20 });
    const plan = await client.vaultPairs.plan(other);
    const change = plan.changes.find((c) => c.id === "primary/vault")!;
    expect(change.kind).toBe("update");
    expect(change.description).toMatch(/sku.*enablePurgeProtection/);
    await client.vaultPairs.beginApply(plan);
    expect(vaultState(other.primary.vaultName)!.properties).toMatchObject({ sku: { name: "premium" }, enablePurgeProtection: true });
  });
});

describe("resource provider", () => {
  it("registers Microsoft.KeyVault on a subscription that lacks it before creating the vault", async () => {
    const fresh = emulator.createSubscription({ displayName: "fresh", owner: emulator.admin.userPrincipalName }).subscriptionId;
    const spec = pairSpec(emulator);
    spec.secondary = { ...spec.secondary, subscriptionId: fresh };
    const client = clientFor(emulator);
    const plan = await client.vaultPairs.plan(spec);
    expect(plan.changes.find((c) => c.id === "secondary/provider")).toMatchObject({ kind: "create", before: { registrationState: "NotRegistered" } });
    const since = emulator.requests.size;
    await client.vaultPairs.beginApply(plan);
    const writes = emulator.requests.mutating(since).map((r) => r.operation);
    expect(writes.indexOf("Providers_Register")).toBeLessThan(writes.indexOf("Vaults_CreateOrUpdate"));
    expect(vaultState(spec.secondary.vaultName)?.subscriptionId).toBe(fresh);
  });
});

describe("plan problems", () => {
  it("reports a name taken elsewhere, a soft-deleted name and an unknown principal; apply refuses the plan", async () => {
    const client = clientFor(emulator);
    const first = pairSpec(emulator);
    await client.vaultPairs.beginApply(await client.vaultPairs.plan(first));
    const kvm = new KeyVaultManagementClient(emulator.credentialFor(emulator.admin.userPrincipalName), first.secondary.subscriptionId, {
      endpoint: emulator.endpoints.resourceManager,
      credentials: { scopes: ["https://management.azure.com/.default"] },
      ...emulator.clientOptions(),
    });
    await kvm.vaults.delete(first.secondary.resourceGroup, first.secondary.vaultName);

    const spec = pairSpec(emulator, { administrators: [emulator.admin.userPrincipalName, "ghost@contoso.onmicrosoft.com"] });
    spec.primary = { ...spec.primary, resourceGroup: "rg-elsewhere", vaultName: first.primary.vaultName };
    spec.secondary = { ...spec.secondary, vaultName: first.secondary.vaultName };
    const plan = await client.vaultPairs.plan(spec);
    expect(plan.problems.map((p) => p.code).sort()).toEqual(["ERR_PRINCIPAL_NOT_FOUND", "ERR_VAULT_NAME_TAKEN", "ERR_VAULT_SOFT_DELETED"]);
    expect(client.vaultPairs.formatPlan(plan)).toMatch(/Problems/);

    const before = emulator.requests.size;
    expect(() => client.vaultPairs.beginApply(plan)).toThrow(PreconditionFailedError);
    // The error carries each problem's own message, not only its code.
    const error = (() => { try { client.vaultPairs.beginApply(plan); } catch (e) { return e as Error; } })();
    for (const problem of plan.problems) expect(error?.message).toContain(problem.message);
    expect(error?.message).toContain("ghost@contoso.onmicrosoft.com");
    expect(emulator.requests.size).toBe(before);
  });

  it("accepts paired regions with allowPairedRegions, as a warning", async () => {
    const spec = pairSpec(emulator, { allowPairedRegions: true });
    spec.secondary = { ...spec.secondary, location: "North Europe" };
    const plan = await clientFor(emulator).vaultPairs.plan(spec);
    expect(plan.problems).toEqual([]);
    expect(plan.warnings.map((w) => w.code)).toContain("REGIONS_PAIRED");
  });
});
