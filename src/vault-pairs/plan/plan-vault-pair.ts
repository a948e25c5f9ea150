/** plan(): validate the spec, resolve principals, read both vaults, list what apply would do. */
import { createHash } from "node:crypto";
import type { GraphDirectory } from "../../azure/graph-directory.js";
import { throwIfAborted } from "../../internal/abort.js";
import { azureCallOptions } from "../../azure/key-vault-reads.js";
import type { SubscriptionReads } from "../../azure/arm-subscriptions.js";
import type { VaultArm } from "../../azure/arm-vaults.js";
import { planMember, type MemberPlan } from "./plan-vault.js";
import type { PlanFinding, PlannedChange, PlanOptions, ResolvedPrincipal, VaultPairPlan } from "./plan-types.js";
import { areaOf, arePaired, normalizeRegion, regionInfo } from "../../rules/regions.js";
import { validateVaultPairSpec } from "../../rules/vault-pair-spec.js";
import { WORKLOAD_APP_IDS, WORKLOAD_DISPLAY_NAMES } from "../../rules/workloads.js";
import type { VaultPairSpec } from "../../rules/vault-pair-spec.js";

export interface PlannerDeps {
  arm: VaultArm;
  directory: GraphDirectory;
  subscriptions: SubscriptionReads;
  tenantId: string;
}

/** Digest of what apply would do; the apply state names it. */
export function planFingerprint(changes: readonly PlannedChange[]): string {
  const material = JSON.stringify(changes.map((c) => [c.id, c.kind, c.target, c.after]));
  return createHash("sha256").update(material).digest("hex").slice(0, 32);
}

export async function planVaultPair(deps: PlannerDeps, spec: VaultPairSpec, options: PlanOptions = {}): Promise<VaultPairPlan> {
  validateVaultPairSpec(spec);
  throwIfAborted(options.abortSignal, "vaultPairs.plan");
  const call = azureCallOptions(options);
  const problems: PlanFinding[] = [];
  const warnings: PlanFinding[] = [];
  const notes: string[] = [];

  const principals = await resolvePrincipals(deps.directory, spec, problems, call);

  const members: MemberPlan[] = [];
  for (const member of ["primary", "secondary"] as const) {
    members.push(await planMember({ arm: deps.arm, subscriptions: deps.subscriptions, tenantId: deps.tenantId, spec, member, principals, options: call }));
  }
  // Order of apply: providers, resource groups, vaults, role definitions, then access.
  const changes: PlannedChange[] = [];
  for (const group of ["provider", "resourceGroup", "vault", "roleDefinition", "access"] as const) {
    for (const m of members) changes.push(...m.changes[group]);
  }
  for (const m of members) {
    problems.push(...m.problems);
    warnings.push(...m.warnings);
  }
  regionWarnings(spec, warnings);
  if (spec.key) {
    notes.push(
      `The root key '${spec.key.name}' (RSA${spec.key.protection === "hsm" ? "-HSM" : ""} ${spec.key.size}) is not created by vaultPairs: create it in both vaults with client.keys after apply, then back it up.`,
    );
  }
  notes.push("Premium SKU, soft delete (90 days) and purge protection cannot be turned off once set; nothing here deletes a vault or a key.");
  if (spec.permissionModel === "rbac") {
    notes.push("RBAC: administrators get the custom role 'Customer Key Administrator' (no delete/purge), not Key Vault Crypto Officer, whose keys/* includes delete and purge.");
  }
  return {
    version: 1,
    createdAt: new Date().toISOString(),
    tenantId: deps.tenantId,
    spec: structuredClone(spec),
    changes,
    problems,
    warnings,
    notes,
    resolved: { principals },
    fingerprint: planFingerprint(changes),
  };
}

async function resolvePrincipals(
  directory: GraphDirectory,
  spec: VaultPairSpec,
  problems: PlanFinding[],
  options: PlanOptions,
): Promise<ResolvedPrincipal[]> {
  const resolved: ResolvedPrincipal[] = [];
  const seen = new Set<string>();
  const lists: ["administrator" | "contributor", string[]][] = [
    ["administrator", spec.administrators],
    ["contributor", spec.contributors ?? []],
  ];
  for (const [role, list] of lists) {
    for (const [i, input] of list.entries()) {
      const field = `${role === "administrator" ? "administrators" : "contributors"}[${i}]`;
      const found = await directory.resolve(input, options);
      if (!found) {
        problems.push({ code: "ERR_PRINCIPAL_NOT_FOUND", message: `${field} '${input}' was not found in the directory (Microsoft Graph).`, target: field });
        continue;
      }
      const key = `${role}:${found.objectId.toLowerCase()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      resolved.push({ input, role, ...found });
    }
  }
  const appId = WORKLOAD_APP_IDS[spec.workload];
  const sp = await directory.findServicePrincipalByAppId(appId, options);
  if (!sp) {
    problems.push({
      code: "ERR_SERVICE_PRINCIPAL_MISSING",
      message: `The tenant has no service principal for ${WORKLOAD_DISPLAY_NAMES[spec.workload]} (appId ${appId}); create it (e.g. New-MgServicePrincipal -AppId ${appId}) and plan again.`,
      target: "workload",
    });
  } else {
    resolved.push({ input: appId, role: "workload", ...sp });
  }
  return resolved;
}

function regionWarnings(spec: VaultPairSpec, warnings: PlanFinding[]): void {
  const a = normalizeRegion(spec.primary.location);
  const b = normalizeRegion(spec.secondary.location);
  if (arePaired(a, b)) {
    warnings.push({ code: "REGIONS_PAIRED", message: `${a} and ${b} are an Azure region pair (allowed by allowPairedRegions); Microsoft advises non-paired regions.`, target: "secondary.location" });
  }
  if (areaOf(a) !== areaOf(b)) {
    warnings.push({ code: "REGIONS_DIFFERENT_AREAS", message: `${a} (${areaOf(a)}) and ${b} (${areaOf(b)}) are far apart; Microsoft advises both vaults near the Microsoft 365 data location.`, target: "secondary.location" });
  }
  for (const [field, name] of [["primary.location", a], ["secondary.location", b]] as const) {
    if (regionInfo(name)?.restricted) warnings.push({ code: "REGION_RESTRICTED", message: `${name} is a restricted region: vaults can be created there only after an access request.`, target: field });
  }
}
