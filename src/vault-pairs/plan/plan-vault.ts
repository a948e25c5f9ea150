/**
 * Reads what exists for one vault of the pair and turns the difference into planned changes and
 * findings. Sends reads only (checkNameAvailability is a read-only POST).
 */
import type { Vault } from "@azure/arm-keyvault";
import { statusOf } from "../../internal/service-errors.js";
import type { SubscriptionReads } from "../../azure/arm-subscriptions.js";
import {
  accessPolicyPermissions,
  customerKeyAdminRoleDefinition,
  customerKeyAdminRoleGuid,
  keyPermissionsIncludeDelete,
  KNOWN_ROLE_DATA_ACTIONS,
  missingPermissions,
  rbacRole,
  roleIncludesDelete,
} from "../../rules/access-model.js";
import { resourceGroupId, roleGuid, subscriptionScope, vaultId, type CallOptions, type VaultArm } from "../../azure/arm-vaults.js";
import type { PairMember, PlanFinding, PlannedChange, ResolvedPrincipal } from "./plan-types.js";
import { normalizeRegion } from "../../rules/regions.js";
import type { VaultLocation, VaultPairSpec } from "../../rules/vault-pair-spec.js";

export const RETENTION_DAYS = 90;

export interface MemberPlan {
  changes: { provider: PlannedChange[]; resourceGroup: PlannedChange[]; vault: PlannedChange[]; roleDefinition: PlannedChange[]; access: PlannedChange[] };
  problems: PlanFinding[];
  warnings: PlanFinding[];
}

interface Inputs {
  arm: VaultArm;
  subscriptions: SubscriptionReads;
  tenantId: string;
  spec: VaultPairSpec;
  member: PairMember;
  principals: ResolvedPrincipal[];
  options: CallOptions;
}

/** The vault properties Customer Key wants (premium, soft delete 90 days, purge protection). */
export function desiredVaultProperties(spec: VaultPairSpec, location: VaultLocation, tenantId: string): Record<string, unknown> {
  return {
    location: normalizeRegion(location.location),
    sku: "premium",
    enableSoftDelete: true,
    softDeleteRetentionInDays: RETENTION_DAYS,
    enablePurgeProtection: true,
    enableRbacAuthorization: spec.permissionModel === "rbac",
    tenantId,
    tags: { ...(spec.tags ?? {}) },
  };
}

export function currentVaultProperties(vault: Vault): Record<string, unknown> {
  const p = vault.properties;
  return {
    location: normalizeRegion(vault.location ?? ""),
    sku: p.sku?.name,
    enableSoftDelete: p.enableSoftDelete ?? true,
    softDeleteRetentionInDays: p.softDeleteRetentionInDays ?? RETENTION_DAYS,
    enablePurgeProtection: p.enablePurgeProtection === true,
    enableRbacAuthorization: p.enableRbacAuthorization === true,
    tenantId: p.tenantId,
    tags: { ...(vault.tags ?? {}) },
  };
}

export async function planMember(input: Inputs): Promise<MemberPlan> {
  const { arm, spec, member, options, tenantId } = input;
  const where = spec[member];
  const sub = where.subscriptionId;
  const ref = { subscriptionId: sub, resourceGroup: where.resourceGroup, vaultName: where.vaultName };
  const id = vaultId(ref);
  const out: MemberPlan = { changes: { provider: [], resourceGroup: [], vault: [], roleDefinition: [], access: [] }, problems: [], warnings: [] };
  const problem = (code: string, message: string, target: string) => out.problems.push({ code, message, target });
  const warn = (code: string, message: string, target: string) => out.warnings.push({ code, message, target });
  const change = (c: Omit<PlannedChange, "member" | "subscriptionId">) => ({ ...c, member, subscriptionId: sub });

  // The subscription: reachable, enabled, in this tenant.
  try {
    const info = await input.subscriptions.get(sub, options);
    if (info.state.toLowerCase() !== "enabled") problem("SUBSCRIPTION_NOT_ENABLED", `Subscription ${sub} is ${info.state}; Customer Key needs an enabled, paid subscription.`, `${member}.subscriptionId`);
    if (info.tenantId && info.tenantId.toLowerCase() !== tenantId.toLowerCase()) {
      problem("SUBSCRIPTION_TENANT_MISMATCH", `Subscription ${sub} belongs to tenant ${info.tenantId}, not ${tenantId}; both subscriptions must be in the Microsoft 365 tenant.`, `${member}.subscriptionId`);
    }
  } catch (error) {
    const status = statusOf(error);
    if (status === 403 || status === 404) {
      problem("SUBSCRIPTION_NOT_ACCESSIBLE", `Subscription ${sub} does not exist or the caller cannot read it (${status}).`, `${member}.subscriptionId`);
      return out;
    }
    throw error;
  }
  const dnc = await input.subscriptions.getDoNotCancelState(sub, options);
  if (!dnc.protected) {
    warn("DO_NOT_CANCEL_NOT_REGISTERED", `Do-Not-Cancel (mandatoryRetentionPeriodEnabled) on ${sub} is ${dnc.featureState}; start it with subscriptions.beginRegisterDoNotCancel — Microsoft takes days to approve.`, subscriptionScope(sub));
  }

  // The Key Vault resource provider must be registered before a vault can be created.
  const providerTarget = `${subscriptionScope(sub)}/providers/Microsoft.KeyVault`;
  const providerState = dnc.providerState;
  const providerReady = providerState.toLowerCase() === "registered";
  out.changes.provider.push(change({
    id: `${member}/provider`, kind: providerReady ? "noop" : "create", resource: "resourceProvider", target: providerTarget,
    before: { registrationState: providerState }, after: { namespace: "Microsoft.KeyVault", registrationState: "Registered" },
    description: providerReady ? `Microsoft.KeyVault is registered on ${sub}.` : `Register the Microsoft.KeyVault resource provider on ${sub} (now ${providerState}).`,
  }));

  // Resource group.
  const rg = await arm.getResourceGroup(sub, where.resourceGroup, options);
  out.changes.resourceGroup.push(change({
    id: `${member}/resourceGroup`, kind: rg ? "noop" : "create", resource: "resourceGroup", target: resourceGroupId(sub, where.resourceGroup),
    before: rg ? { name: rg.name, location: rg.location } : null,
    after: { name: where.resourceGroup, location: rg?.location ?? normalizeRegion(where.location), tags: { ...(spec.tags ?? {}) } },
    description: rg ? `Resource group ${where.resourceGroup} exists.` : `Create resource group ${where.resourceGroup} in ${normalizeRegion(where.location)}.`,
  }));

  // The vault. Key Vault APIs answer 409 MissingSubscriptionRegistration until the provider is
  // registered, so then nothing can exist there, and the (global) name check goes through the
  // other subscription of the pair.
  const vault = rg && providerReady ? await arm.getVault(ref, options) : undefined;
  const desired = desiredVaultProperties(spec, where, tenantId);
  if (!vault) {
    const checkSub = providerReady ? sub : spec[member === "primary" ? "secondary" : "primary"].subscriptionId;
    const availability = await arm.checkNameAvailability(checkSub, where.vaultName, options).catch((error: unknown) => {
      if (providerReady || ![403, 404, 409].includes(statusOf(error) ?? 0)) throw error;
      warn("VAULT_NAME_NOT_CHECKED", `The availability of vault name '${where.vaultName}' could not be checked before Microsoft.KeyVault is registered; apply fails at the vault step if the name is taken.`, `${member}.vaultName`);
      return { nameAvailable: undefined, reason: undefined };
    });
    if (availability.nameAvailable === false) {
      const deleted = await arm.getDeletedVault(checkSub, where.vaultName, normalizeRegion(where.location), options).catch(() => undefined);
      if (deleted) {
        problem("ERR_VAULT_SOFT_DELETED", `Vault name '${where.vaultName}' belongs to a soft-deleted vault (purge date ${deleted.properties?.scheduledPurgeDate?.toISOString?.() ?? "unknown"}). Recover that vault (createMode 'recover') or choose another name.`, `${member}.vaultName`);
      } else {
        problem("ERR_VAULT_NAME_TAKEN", `Vault name '${where.vaultName}' is taken elsewhere (${availability.reason ?? "AlreadyExists"}): vault names are global. Choose another name, or point the spec at the existing vault's subscription and resource group.`, `${member}.vaultName`);
      }
    }
    out.changes.vault.push(change({
      id: `${member}/vault`, kind: "create", resource: "vault", target: id, before: null, after: desired,
      description: `Create premium vault ${where.vaultName} in ${desired.location} (soft delete ${RETENTION_DAYS} days, purge protection, ${spec.permissionModel === "rbac" ? "RBAC" : "access policies"}).`,
    }));
  } else {
    const current = currentVaultProperties(vault);
    if (current.location !== desired.location) problem("VAULT_LOCATION_MISMATCH", `Vault ${where.vaultName} is in ${String(current.location)}, the spec says ${String(desired.location)}; a vault cannot move.`, `${member}.location`);
    if (String(current.tenantId).toLowerCase() !== tenantId.toLowerCase()) problem("VAULT_TENANT_MISMATCH", `Vault ${where.vaultName} belongs to tenant ${String(current.tenantId)}, not ${tenantId}.`, id);
    if (current.enableRbacAuthorization !== desired.enableRbacAuthorization) {
      problem("VAULT_PERMISSION_MODEL_MISMATCH", `Vault ${where.vaultName} uses ${current.enableRbacAuthorization ? "RBAC" : "access policies"} but the spec asks for ${spec.permissionModel}; switching models changes who can use the keys, so do it deliberately by hand or change the spec.`, `${member}.permissionModel`);
    }
    if (current.enableSoftDelete === true && current.softDeleteRetentionInDays !== RETENTION_DAYS) {
      problem("VAULT_RETENTION_NOT_90", `Vault ${where.vaultName} keeps deleted objects ${String(current.softDeleteRetentionInDays)} days; Customer Key needs ${RETENTION_DAYS} and retention cannot change after creation.`, id);
    }
    const patch: Record<string, unknown> = {};
    if (current.sku !== "premium") patch.sku = "premium";
    if (current.enableSoftDelete !== true) patch.enableSoftDelete = true;
    if (current.enablePurgeProtection !== true) patch.enablePurgeProtection = true;
    const tags = current.tags as Record<string, string>;
    if (Object.entries(spec.tags ?? {}).some(([k, v]) => tags[k] !== v)) patch.tags = { ...tags, ...(spec.tags ?? {}) };
    const needs = Object.keys(patch);
    out.changes.vault.push(change({
      id: `${member}/vault`, kind: needs.length ? "update" : "noop", resource: "vault", target: id,
      before: current, after: { ...current, ...patch },
      description: needs.length ? `Update vault ${where.vaultName}: ${needs.join(", ")}.` : `Vault ${where.vaultName} already has the Customer Key settings.`,
    }));
  }

  // RBAC admins get the custom "Customer Key Administrator" role, defined once per subscription.
  const admins = input.principals.filter((p) => p.role === "administrator");
  if (spec.permissionModel === "rbac" && admins.length > 0) {
    const guid = customerKeyAdminRoleGuid(sub);
    const definition = customerKeyAdminRoleDefinition(sub);
    const existing = await arm.getRoleDefinition(sub, guid, options);
    const target = `${subscriptionScope(sub)}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
    out.changes.roleDefinition.push(change({
      id: `${member}/roleDefinition`, kind: existing ? "noop" : "create", resource: "roleDefinition", target,
      before: existing ? { roleName: existing.roleName, dataActions: existing.permissions?.[0]?.dataActions ?? [] } : null,
      after: { roleDefinitionGuid: guid, roleName: definition.roleName, dataActions: definition.permissions?.[0]?.dataActions ?? [], assignableScopes: definition.assignableScopes },
      description: existing ? `Custom role '${definition.roleName}' exists.` : `Create custom role '${definition.roleName}' (keys: create, import, list, get, backup, restore; no delete, no purge).`,
    }));
  }

  // Access on the vault.
  const assignments = vault && rg ? await arm.listRoleAssignments(sub, id, options) : [];
  const policies = vault?.properties.accessPolicies ?? [];
  for (const p of input.principals) {
    const label = p.userPrincipalName ?? p.displayName ?? p.objectId;
    if (spec.permissionModel === "accessPolicy" && p.role !== "contributor") {
      const wanted = accessPolicyPermissions(p.role);
      const entry = policies.find((e) => e.objectId.toLowerCase() === p.objectId.toLowerCase() && !e.applicationId);
      const missing = missingPermissions(wanted, entry?.permissions.keys);
      if (p.role === "administrator" && keyPermissionsIncludeDelete(entry?.permissions.keys)) {
        warn("ADMIN_HAS_DELETE", `Administrator ${label} can delete or purge keys in ${where.vaultName}; Customer Key admins should not (revokeAccess, then grantAdministrator).`, id);
      }
      out.changes.access.push(change({
        id: `${member}/access/${p.objectId.toLowerCase()}`, kind: missing.length === 0 ? "noop" : entry ? "update" : "create", resource: "accessPolicy",
        target: `${id}/accessPolicies/${p.objectId}`,
        before: entry ? { objectId: entry.objectId, keys: entry.permissions.keys ?? [] } : null,
        after: { objectId: p.objectId, principal: label, role: p.role, keys: [...wanted], add: missing },
        description: missing.length === 0 ? `${label} already has key permissions ${wanted.join(", ")}.` : `Grant ${label} (${p.role}) key permissions ${missing.join(", ")} on ${where.vaultName}.`,
      }));
      continue;
    }
    const { roleGuid: wantedRole, roleName } = rbacRole(p.role, sub);
    const mine = assignments.filter((a) => a.principalId?.toLowerCase() === p.objectId.toLowerCase());
    const has = mine.some((a) => roleGuid(a.roleDefinitionId) === wantedRole);
    if (p.role === "administrator") {
      for (const a of mine) {
        const known = KNOWN_ROLE_DATA_ACTIONS[roleGuid(a.roleDefinitionId)];
        if (known && roleIncludesDelete({ permissions: [{ dataActions: known.dataActions }] })) {
          warn("ADMIN_HAS_DELETE", `Administrator ${label} holds ${known.roleName} on ${where.vaultName}, which can delete or purge keys.`, id);
        }
      }
    }
    out.changes.access.push(change({
      id: `${member}/role/${wantedRole}/${p.objectId.toLowerCase()}`, kind: has ? "noop" : "create", resource: "roleAssignment",
      target: `${id}/providers/Microsoft.Authorization/roleAssignments`,
      before: has ? { principalId: p.objectId, roleDefinitionGuid: wantedRole } : null,
      after: { scope: id, principalId: p.objectId, principalType: principalType(p), principal: label, role: p.role, roleDefinitionGuid: wantedRole, roleName },
      description: has ? `${label} already holds ${roleName} on ${where.vaultName}.` : `Assign ${roleName} to ${label} (${p.role}) on ${where.vaultName}.`,
    }));
  }
  return out;
}

export function principalType(p: Pick<ResolvedPrincipal, "kind">): "User" | "ServicePrincipal" | "Group" {
  return p.kind === "servicePrincipal" ? "ServicePrincipal" : p.kind === "group" ? "Group" : "User";
}
