/** validate(): every check passing on a good pair, and each failing on a pair broken that one way. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { InvalidInputError } from "../../src/errors.js";
import { CHECK_IDS, type CheckId, type PreflightReport, type ValidationTarget } from "../../src/index.js";
import { WORKLOAD_APP_IDS } from "../../src/rules/workloads.js";
import type { VaultPairSpec } from "../../src/rules/vault-pair-spec.js";
import { clientFor } from "./client-fixtures.js";
import { contextFor, createPair, validate, grantKeyPermissions, modulesFor, rawKeyClient, tempDir, vaultRefOf, type Modules } from "./keys-fixtures.js";

let emulator: Emulator;
let m: Modules;
let spec: VaultPairSpec;
let target: ValidationTarget;
let directory: string;
const KEY = "exo-root";

async function approveDoNotCancel(subscriptionId: string): Promise<void> {
  const poller = clientFor(emulator).subscriptions.beginRegisterDoNotCancel(subscriptionId);
  await poller.poll();
  emulator.approveDoNotCancel(subscriptionId);
  await poller.pollUntilDone();
}

beforeAll(async () => {
  emulator = await startEmulator();
  m = modulesFor(emulator);
  await Promise.all(emulator.subscriptionIds.map(approveDoNotCancel));
  spec = await createPair(emulator);
  directory = tempDir();
  for (const member of [spec.primary, spec.secondary]) {
    const { key } = await m.keys.create(vaultRefOf(member), KEY, { size: 3072, protection: "hsm" });
    await m.backups.backupKey(key.id, { directory });
    await grantKeyPermissions(emulator, vaultRefOf(member), emulator.admin.objectId, ["update"]);
  }
  const member = (v: VaultPairSpec["primary"]) => ({ subscriptionId: v.subscriptionId, resourceGroup: v.resourceGroup, vaultName: v.vaultName, keyName: KEY });
  target = { workload: "exchange", primary: member(spec.primary), secondary: member(spec.secondary), backupDirectory: directory };
});
afterAll(() => emulator?.stop());

const state = () => emulator.withLiveState((s) => s);
const vaultRecord = (name: string) => state().arm.vaults[name.toLowerCase()]!;
const keyVersion = (vault: string) => state().keyVault.vaults[vault.toLowerCase()]!.keys[KEY]!.versions.at(-1)!;
const failed = (report: PreflightReport) => [...new Set(report.checks.filter((c) => c.status === "fail").map((c) => c.id))];
const statusOf = (report: PreflightReport, id: CheckId) => report.find(id).map((c) => c.status);

/** Breaks state, validates, repairs (also when the assertion fails). */
async function broken(breakIt: () => void | Promise<void>, repair: () => void | Promise<void>, t: ValidationTarget = target): Promise<PreflightReport> {
  await breakIt();
  try {
    return await validate(m.context, t);
  } finally {
    await repair();
  }
}

function swap<T extends object, K extends keyof T>(object: T, key: K, value: T[K]): [() => void, () => void] {
  const old = object[key];
  return [() => void (object[key] = value), () => void (object[key] = old)];
}

describe("a good pair", () => {
  it("passes every check, makes zero mutating requests, and reports JSON and Markdown", async () => {
    const since = emulator.requests.size;
    const progress: [number, number][] = [];
    const report = await validate(m.context, target, { onProgress: ({ done, total }) => progress.push([done, total]) });
    expect(emulator.requests.mutating(since)).toEqual([]);
    // Progress counts every check once, up to the total.
    expect(progress.map(([done]) => done)).toEqual(report.checks.map((_, i) => i + 1));
    expect(new Set(progress.map(([, total]) => total))).toEqual(new Set([report.checks.length]));
    expect(report.checks.filter((c) => c.status !== "pass")).toEqual([]);
    expect(report.ok).toBe(true);
    // The policy.* checks run only with { microsoft365: true } (test/policies/sharepoint-validate.test.ts).
    expect([...new Set(report.checks.map((c) => c.id))]).toEqual(CHECK_IDS.filter((id) => !id.startsWith("policy.")));
    // Per-vault checks appear once per vault; pair-wide ones once; per-subscription once per subscription.
    expect(report.find("vault.sku").map((c) => c.target)).toEqual([`vault ${spec.primary.vaultName} (primary)`, `vault ${spec.secondary.vaultName} (secondary)`]);
    expect(report.find("subscription.doNotCancel")).toHaveLength(2);
    expect(report.find("vault.regions.notPaired")).toHaveLength(1);

    const json = JSON.parse(JSON.stringify(report));
    expect(json).toMatchObject({ ok: true, workload: "exchange", summary: { pass: report.checks.length, fail: 0 } });
    const markdown = report.toMarkdown();
    expect(markdown).toMatch(/^# Customer Key preflight: Exchange Online\n/);
    expect(markdown).toContain("**Result: ready**");
    expect(markdown).toContain("| PASS | `key.recoveryLevel` Key recovery level is Recoverable+ProtectedSubscription |");
    expect(markdown).not.toContain("## Remediation");
    expect(markdown).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}|AzureKeyVaultKeyBackup|BEGIN [A-Z ]*KEY/);
  });

  it("accepts a VaultPairSpec and key URIs, and refuses invalid input before any request", async () => {
    const report = await validate(m.context, { ...spec, key: { name: KEY, size: 3072, protection: "hsm" } });
    expect(report.ok).toBe(true);
    const uris = await Promise.all([spec.primary, spec.secondary].map((v) => m.keys.getKeyUri(vaultRefOf(v), KEY)));
    const byUri = await validate(m.context, { workload: "exchange", primary: { subscriptionId: spec.primary.subscriptionId, vaultName: spec.primary.vaultName }, secondary: { subscriptionId: spec.secondary.subscriptionId, vaultName: spec.secondary.vaultName }, keyUris: uris });
    expect(byUri.ok).toBe(true);
    expect(byUri.find("key.type")[0]?.target).toContain(uris[0]!.split("/").at(-1));

    const before = emulator.requests.size;
    await expect(validate(m.context, { ...target, workload: "teams" as never })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(validate(m.context, { ...target, primary: { ...target.primary, subscriptionId: "sub-1" } })).rejects.toMatchObject({ code: "ERR_SUBSCRIPTION_ID_INVALID" });
    await expect(validate(m.context, { ...target, keyUris: [uris[1]!, uris[0]!] })).rejects.toMatchObject({ code: "ERR_KEY_ID_INVALID" });
    expect(emulator.requests.size).toBe(before);
  });

  it("keeps at most maxConcurrency requests in flight, also across parallel validate() calls", async () => {
    const context = contextFor(emulator, undefined, { maxConcurrency: 2 });
    const remove = emulator.faults.inject({ latencyMs: 15 });
    const since = emulator.requests.size;
    emulator.requests.resetPeak();
    try {
      const reports = await Promise.all([validate(context, target), validate(context, target)]);
      expect(reports.every((r) => r.ok)).toBe(true);
    } finally {
      remove();
    }
    expect(emulator.requests.size - since).toBeGreaterThan(10);
    expect(emulator.requests.peakInFlight).toBe(2);
  });

  it("isolates a failing read: the report still comes back, with the error as evidence", async () => {
    const up = emulator.faults.vaultDown(spec.primary.vaultName);
    let report: PreflightReport;
    try {
      report = await validate(contextFor(emulator, undefined, { retry: { maxRetries: 0 } }), target);
    } finally {
      up();
    }
    expect(report.ok).toBe(false);
    const keyType = report.find("key.type")[0]!;
    expect(keyType).toMatchObject({ status: "fail", evidence: expect.stringMatching(/Could not be checked: .*503/) });
    expect(report.find("key.type")[1]?.status).toBe("pass");
    expect(report.find("vault.sku").map((c) => c.status)).toEqual(["pass", "pass"]);
  });
});

describe("each check fails on a pair broken that way", () => {
  it("subscription.distinct", async () => {
    const report = await validate(m.context, { ...target, secondary: { ...target.secondary, subscriptionId: target.primary.subscriptionId } });
    expect(failed(report)).toContain("subscription.distinct");
    expect(report.find("subscription.distinct")[0]?.remediation).toMatch(/client\.vaultPairs\.plan/);
  });

  it("subscription.enabled", async () => {
    const sub = state().arm.subscriptions[spec.secondary.subscriptionId.toLowerCase()]!;
    const report = await broken(...swap(sub, "state", "Warned"));
    expect(failed(report)).toContain("subscription.enabled");
    expect(report.find("subscription.enabled").map((c) => c.status)).toEqual(["pass", "fail"]);
  });

  it("subscription.doNotCancel (and with it key.recoveryLevel)", async () => {
    const sub = state().arm.subscriptions[spec.primary.subscriptionId.toLowerCase()]!;
    const feature = Object.values(sub.features).find((f) => f.state === "Registered")!;
    const report = await broken(...swap(feature, "state", "Pending"));
    expect(failed(report).sort()).toEqual(["key.recoveryLevel", "subscription.doNotCancel"]);
    expect(report.find("subscription.doNotCancel")[0]?.remediation).toContain("Register-AzProviderFeature -FeatureName mandatoryRetentionPeriodEnabled -ProviderNamespace Microsoft.Resources");
    expect(report.find("key.recoveryLevel")[0]?.evidence).toMatch(/^Recoverable;/);
  });

  it("subscription.keyVaultProvider", async () => {
    const provider = Object.entries(state().arm.subscriptions[spec.secondary.subscriptionId.toLowerCase()]!.providers).find(([k]) => k.toLowerCase() === "microsoft.keyvault")![1];
    const report = await broken(...swap(provider, "registrationState", "NotRegistered"));
    expect(failed(report)).toContain("subscription.keyVaultProvider");
    expect(report.find("subscription.keyVaultProvider")[1]?.remediation).toContain("Register-AzResourceProvider -ProviderNamespace Microsoft.KeyVault");
  });

  it("vault.name", async () => {
    const missing = await validate(m.context, { ...target, secondary: { ...target.secondary, vaultName: "ck-does-not-exist" } });
    expect(failed(missing)).toEqual(["vault.name"]);
    expect(statusOf(missing, "key.expiry")).toEqual(["pass", "skip"]);
    const invalid = await validate(m.context, { ...target, secondary: { ...target.secondary, vaultName: "2-bad--name" } });
    expect(invalid.find("vault.name")[1]?.evidence).toMatch(/not a valid Key Vault name/);
  });

  it("vault.sku", async () => {
    const report = await broken(...swap(vaultRecord(spec.primary.vaultName).properties, "sku", { family: "A", name: "standard" }));
    expect(failed(report)).toEqual(["vault.sku"]);
    const lenient = await broken(...swap(vaultRecord(spec.primary.vaultName).properties, "sku", { family: "A", name: "standard" }), { ...target, allowSoftwareKeys: true });
    expect(lenient.ok).toBe(true);
    expect(statusOf(lenient, "vault.sku")).toEqual(["warn", "pass"]);
  });

  it("vault.softDelete (Azure never allows turning it off: broken in state)", async () => {
    const report = await broken(...swap(vaultRecord(spec.secondary.vaultName).properties, "softDeleteRetentionInDays", 30));
    expect(failed(report).sort()).toEqual(["key.recoveryLevel", "vault.softDelete"]);
    expect(report.find("vault.softDelete")[1]?.evidence).toMatch(/30 days/);
  });

  it("vault.purgeProtection", async () => {
    const report = await broken(...swap(vaultRecord(spec.primary.vaultName).properties, "enablePurgeProtection", false));
    expect(failed(report).sort()).toEqual(["key.recoveryLevel", "vault.purgeProtection"]);
    const markdown = report.toMarkdown();
    expect(markdown).toContain("**Result: NOT ready**");
    expect(markdown).toContain("## Remediation");
    expect(markdown).toContain(`Update-AzKeyVault -VaultName ${spec.primary.vaultName} -ResourceGroupName ${spec.primary.resourceGroup} -EnablePurgeProtection`);
    expect(markdown).toMatch(/\| FAIL \| `vault\.purgeProtection` Purge protection is on \| vault .* \(primary\) \| Purge protection is off/);
  });

  it("vault.regions.distinct", async () => {
    const report = await broken(...swap(vaultRecord(spec.secondary.vaultName), "location", "westeurope"));
    expect(failed(report)).toEqual(["vault.regions.distinct"]);
    expect(statusOf(report, "vault.regions.notPaired")).toEqual(["skip"]);
  });

  it("vault.regions.notPaired", async () => {
    const report = await broken(...swap(vaultRecord(spec.secondary.vaultName), "location", "northeurope"));
    expect(failed(report)).toEqual(["vault.regions.notPaired"]);
    const lenient = await broken(...swap(vaultRecord(spec.secondary.vaultName), "location", "northeurope"), { ...target, allowPairedRegions: true });
    expect(statusOf(lenient, "vault.regions.notPaired")).toEqual(["warn"]);
  });

  it("access.servicePrincipalExists", async () => {
    const directory = state().directory;
    const sp = directory.servicePrincipals.find((s) => s.appId === WORKLOAD_APP_IDS.exchange)!;
    const report = await broken(
      () => void (directory.servicePrincipals = directory.servicePrincipals.filter((s) => s !== sp)),
      () => void directory.servicePrincipals.push(sp),
    );
    expect(failed(report).sort()).toEqual(["access.servicePrincipal", "access.servicePrincipalExists"]);
    expect(report.find("access.servicePrincipalExists")[0]?.remediation).toContain(`New-AzADServicePrincipal -ApplicationId ${WORKLOAD_APP_IDS.exchange}`);
  });

  it("access.servicePrincipal", async () => {
    const properties = vaultRecord(spec.secondary.vaultName).properties;
    const sp = emulator.directory.findServicePrincipal(WORKLOAD_APP_IDS.exchange)!;
    const report = await broken(...swap(properties, "accessPolicies", properties.accessPolicies.filter((p) => p.objectId !== sp.objectId)));
    expect(failed(report)).toEqual(["access.servicePrincipal"]);
    expect(report.find("access.servicePrincipal")[1]?.remediation).toContain(
      `Set-AzKeyVaultAccessPolicy -VaultName ${spec.secondary.vaultName} -PermissionsToKeys wrapKey,unwrapKey,get -ServicePrincipalName ${WORKLOAD_APP_IDS.exchange}`,
    );
  });

  it("access.noAdminDelete (granted through the ARM client)", async () => {
    const ref = vaultRefOf(spec.primary);
    const report = await broken(
      () => grantKeyPermissions(emulator, ref, emulator.admin.objectId, ["delete"]),
      async () => {
        const properties = vaultRecord(spec.primary.vaultName).properties;
        const entry = properties.accessPolicies.find((p) => p.objectId === emulator.admin.objectId)!;
        entry.permissions.keys = entry.permissions.keys!.filter((k) => k !== "delete");
      },
    );
    expect(failed(report)).toEqual(["access.noAdminDelete"]);
    expect(report.find("access.noAdminDelete")[0]?.evidence).toContain(emulator.admin.userPrincipalName);
  });

  it("key.type (no such key)", async () => {
    const report = await validate(m.context, { ...target, backupDirectory: undefined, primary: { ...target.primary, keyName: "no-such-key" } });
    expect(failed(report)).toEqual(["key.type"]);
    expect(statusOf(report, "key.hsm")).toEqual(["skip", "pass"]);
  });

  it("key.hsm (a software key)", async () => {
    await m.keys.create(vaultRefOf(spec.primary), "soft-root", { protection: "software" });
    const report = await validate(m.context, { ...target, backupDirectory: undefined, primary: { ...target.primary, keyName: "soft-root" } });
    expect(failed(report)).toEqual(["key.hsm"]);
  });

  it("key.enabled", async () => {
    const report = await broken(...swap(keyVersion(spec.secondary.vaultName).attributes, "enabled", false));
    expect(failed(report)).toEqual(["key.enabled"]);
  });

  it("key.operations", async () => {
    const report = await broken(...swap(keyVersion(spec.primary.vaultName), "keyOps", ["sign", "verify"]));
    expect(failed(report)).toEqual(["key.operations"]);
  });

  it("key.expiry (set with the KeyClient, fixed with clearExpiry)", async () => {
    const vaultUrl = emulator.endpoints.vaultUrl(spec.primary.vaultName);
    const keyId = await m.keys.getKeyUri(vaultUrl, KEY);
    const report = await broken(
      async () => void (await rawKeyClient(emulator, vaultUrl).updateKeyProperties(KEY, keyId.split("/").at(-1)!, { expiresOn: new Date("2031-06-30T00:00:00Z") })),
      async () => void (await m.keys.clearExpiry(keyId)),
    );
    expect(failed(report)).toEqual(["key.expiry"]);
    expect(report.find("key.expiry")[0]?.remediation).toContain(`client.keys.clearExpiry("${keyId}")`);
    expect(report.find("key.expiry")[0]?.remediation).toContain(`Update-AzKeyVaultKey -VaultName ${spec.primary.vaultName} -Name ${KEY} -Expires (Get-Date -Date "12/31/9999")`);
    expect((await validate(m.context, target)).find("key.expiry").map((c) => c.status)).toEqual(["pass", "pass"]);
  });

  it("key.recoveryLevel", async () => {
    const version = keyVersion(spec.secondary.vaultName);
    const feature = Object.values(state().arm.subscriptions[spec.secondary.subscriptionId.toLowerCase()]!.features).find((f) => f.state === "Registered")!;
    const report = await broken(...swap(feature, "state", "Unregistering"));
    expect(failed(report)).toContain("key.recoveryLevel");
    expect(statusOf(report, "key.recoveryLevel")).toEqual(["pass", "fail"]);
    expect(version.attributes.enabled).toBe(true);
  });

  it("backup.current (no backup, then a stale one after a roll)", async () => {
    const none = await validate(m.context, { ...target, backupDirectory: tempDir() });
    expect(failed(none)).toEqual(["backup.current"]);
    expect(none.find("backup.current")[0]?.remediation).toContain("Backup-AzKeyVaultKey");

    const { key } = await m.keys.create(vaultRefOf(spec.secondary), "rolled-root", { size: 2048 });
    const dir = tempDir();
    await m.backups.backupKey(key.id, { directory: dir });
    await m.keys.roll(key.id);
    const stale = await validate(m.context, { ...target, backupDirectory: dir, primary: { ...target.primary, keyName: undefined }, secondary: { ...target.secondary, keyName: "rolled-root" } });
    expect(failed(stale)).toEqual(["backup.current"]);
    expect(stale.find("backup.current").map((c) => c.status)).toEqual(["skip", "fail"]);
    expect(stale.find("backup.current")[1]?.evidence).toMatch(/lacks the current version/);
  });
});

describe("RBAC vaults", () => {
  it("checks role assignments: the service role passes, a Key Vault Administrator fails access.noAdminDelete", async () => {
    const rbacSpec = await createPair(emulator, { permissionModel: "rbac" });
    const rbacTarget: ValidationTarget = {
      workload: "exchange",
      primary: { subscriptionId: rbacSpec.primary.subscriptionId, resourceGroup: rbacSpec.primary.resourceGroup, vaultName: rbacSpec.primary.vaultName },
      secondary: { subscriptionId: rbacSpec.secondary.subscriptionId, resourceGroup: rbacSpec.secondary.resourceGroup, vaultName: rbacSpec.secondary.vaultName },
    };
    const good = await validate(m.context, rbacTarget);
    expect(failed(good)).toEqual([]);
    expect(good.find("access.servicePrincipal")[0]?.evidence).toMatch(/RBAC vault/);

    const dave = emulator.directory.createUser({ userPrincipalName: "dave@contoso.onmicrosoft.com", displayName: "Dave" });
    const vaultScope = `/subscriptions/${rbacSpec.primary.subscriptionId}/resourceGroups/${rbacSpec.primary.resourceGroup}/providers/Microsoft.KeyVault/vaults/${rbacSpec.primary.vaultName}`;
    emulator.assignRole({ scope: vaultScope, roleId: "00482a5a-887f-4fb3-b363-3b7fe8e74483", principalId: dave.objectId });
    const bad = await validate(m.context, rbacTarget);
    expect(failed(bad)).toEqual(["access.noAdminDelete"]);
    expect(bad.find("access.noAdminDelete")[0]?.evidence).toMatch(/dave@contoso\.onmicrosoft\.com.*Key Vault Administrator/);
    expect(bad.find("access.noAdminDelete")[0]?.remediation).toContain("Remove-AzRoleAssignment");
  });
});
