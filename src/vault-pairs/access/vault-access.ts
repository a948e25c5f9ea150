/**
 * Day-two access on one vault: list who can do what, grant an administrator, revoke one
 * principal (the leaver case). Each touches only the principal named; nobody gains delete.
 */
import type { Vault } from "@azure/arm-keyvault";
import { ConfirmationRequiredError, InvalidInputError, PreconditionFailedError } from "../../errors.js";
import type { DirectoryPrincipal, GraphDirectory, PrincipalKind } from "../../azure/graph-directory.js";
import { isGuid } from "../../rules/ids.js";
import {
  customerKeyAdminRoleDefinition,
  customerKeyAdminRoleGuid,
  keyPermissionsIncludeDelete,
  KNOWN_ROLE_DATA_ACTIONS,
  missingPermissions,
  roleAssignmentName,
  roleIncludesDelete,
} from "../../rules/access-model.js";
import { normaliseScope, roleGuid, vaultId, type CallOptions, type VaultArm } from "../../azure/arm-vaults.js";
import { principalType } from "../plan/plan-vault.js";
import { validateVaultName } from "../../rules/vault-naming.js";
import { isPrincipalReference } from "../../rules/vault-pair-spec.js";
import { ADMIN_KEY_PERMISSIONS } from "../../rules/access-model.js";
import { WORKLOAD_APP_IDS } from "../../rules/workloads.js";
import type { VaultCoordinates as VaultRef } from "../../azure/vault-and-key-ids.js";
import type { OperationOptions } from "../../internal/operation.js";
import { UNCHANGED, type AuditTrail } from "../../internal/audit.js";

/** A role a principal holds on (or above) the vault. */
export interface RoleHolding {
  /** The role's name, e.g. `Key Vault Crypto Service Encryption User`. */
  roleName: string;
  /** The role definition's resource id. */
  roleDefinitionId: string;
  /** The scope of the assignment (the vault, or above it when inherited). */
  scope: string;
  /** Assigned above the vault (resource group, subscription); revokeAccess leaves these alone. */
  inherited: boolean;
  /** The role assignment's name (a GUID). */
  assignmentName: string;
}

/** Who can do what on a vault: one entry per principal and kind of grant. */
export interface AccessEntry {
  /** UPN, display name or, when the directory does not know it, the object id. */
  principal: string;
  /** The principal's Entra object id. */
  objectId: string;
  /** User, service principal or group, or `unknown` when Graph has no such object. */
  principalKind: PrincipalKind | "unknown";
  /** Whether the grant is an access-policy entry or a role assignment. */
  kind: "accessPolicy" | "roleAssignment";
  /** Access-policy key permissions. */
  permissions?: string[];
  /** The roles held, for role assignments. */
  roles?: RoleHolding[];
  /** True when this grant lets the principal delete or purge keys (on the vault's permission model). */
  includesDelete: boolean;
}

/** Options of `vaultPairs.revokeAccess`. */
export interface RevokeAccessOptions extends OperationOptions {
  /** Must repeat the principal exactly as passed: the revocation cannot be undone by the SDK. */
  confirm: string;
  /** Revoking a Microsoft 365 service principal cuts Microsoft 365 off the key; refused unless true. */
  allowMicrosoft365Revocation?: boolean;
}

/** What `vaultPairs.revokeAccess` removed. */
export interface RevokeAccessResult {
  /** The principal whose access was removed. */
  objectId: string;
  /** True when an access-policy entry was removed. */
  removedAccessPolicy: boolean;
  /** The names of the role assignments removed. */
  removedRoleAssignments: string[];
  /** What the principal still holds on the vault (e.g. roles inherited from the subscription). */
  remaining: AccessEntry[];
}

/** What `vaultPairs.grantAdministrator` did. */
export interface GrantAdministratorResult {
  /** The principal granted. */
  objectId: string;
  /** False when the principal already had exactly these permissions (nothing was sent). */
  changed: boolean;
}

function validateRef(ref: VaultRef): void {
  if (!ref || typeof ref !== "object") throw new InvalidInputError("ERR_VAULT_REF_INVALID", "vault must be { subscriptionId, resourceGroup, vaultName }.", { field: "vault" });
  validateVaultName(ref.vaultName, "vault.vaultName");
  if (!isGuid(ref.subscriptionId)) throw new InvalidInputError("ERR_SUBSCRIPTION_ID_INVALID", `vault.subscriptionId '${String(ref.subscriptionId)}' is not a subscription id (a GUID).`, { field: "vault.subscriptionId" });
}

function validatePrincipal(principal: string): void {
  if (!isPrincipalReference(principal)) {
    throw new InvalidInputError("ERR_PRINCIPAL_INVALID", `principal '${String(principal)}' is neither a user principal name (name@domain) nor an object id (GUID); nothing was sent.`, { field: "principal" });
  }
}

export class VaultAccess {
  constructor(
    private readonly arm: VaultArm,
    private readonly directory: GraphDirectory,
    private readonly audit: AuditTrail,
  ) {}

  async #vault(ref: VaultRef, options: CallOptions): Promise<Vault> {
    const vault = await this.arm.getVault(ref, options);
    if (!vault) throw new PreconditionFailedError("ERR_VAULT_NOT_FOUND", `Vault ${ref.vaultName} was not found in resource group ${ref.resourceGroup} of subscription ${ref.subscriptionId}.`);
    return vault;
  }

  async listAccess(ref: VaultRef, options: CallOptions = {}): Promise<AccessEntry[]> {
    validateRef(ref);
    const vault = await this.#vault(ref, options);
    const rbac = vault.properties.enableRbacAuthorization === true;
    const scope = vaultId(ref);
    const entries: AccessEntry[] = [];
    for (const policy of vault.properties.accessPolicies ?? []) {
      const who = await this.#describe(policy.objectId, options);
      const keys = policy.permissions.keys ?? [];
      entries.push({ ...who, kind: "accessPolicy", permissions: [...keys], includesDelete: !rbac && keyPermissionsIncludeDelete(keys) });
    }
    const byPrincipal = new Map<string, RoleHolding[]>();
    const deleteRoles = new Set<string>();
    for (const a of await this.arm.listRoleAssignments(ref.subscriptionId, scope, options)) {
      if (!a.principalId) continue;
      const guid = roleGuid(a.roleDefinitionId);
      const { roleName, includesDelete } = await this.#role(ref.subscriptionId, guid, options);
      if (includesDelete) deleteRoles.add(a.principalId.toLowerCase());
      const holding: RoleHolding = {
        roleName,
        roleDefinitionId: a.roleDefinitionId ?? guid,
        scope: a.scope ?? scope,
        inherited: normaliseScope(a.scope ?? scope) !== normaliseScope(scope),
        assignmentName: a.name ?? "",
      };
      byPrincipal.set(a.principalId, [...(byPrincipal.get(a.principalId) ?? []), holding]);
    }
    for (const [objectId, roles] of byPrincipal) {
      const who = await this.#describe(objectId, options);
      entries.push({ ...who, kind: "roleAssignment", roles, includesDelete: rbac && deleteRoles.has(objectId.toLowerCase()) });
    }
    return entries;
  }

  async grantAdministrator(ref: VaultRef, principal: string, options: CallOptions = {}): Promise<GrantAdministratorResult> {
    validateRef(ref);
    validatePrincipal(principal);
    const found = await this.directory.resolve(principal, options);
    if (!found) throw new PreconditionFailedError("ERR_PRINCIPAL_NOT_FOUND", `'${principal}' was not found in the directory.`);
    const vault = await this.#vault(ref, options);
    const tenantId = vault.properties.tenantId;
    if (vault.properties.enableRbacAuthorization !== true) {
      const entry = (vault.properties.accessPolicies ?? []).find((e) => e.objectId.toLowerCase() === found.objectId.toLowerCase() && !e.applicationId);
      const missing = missingPermissions(ADMIN_KEY_PERMISSIONS, entry?.permissions.keys);
      if (missing.length === 0) return { objectId: found.objectId, changed: false };
      await this.audit.change(
        { what: "vaultPairs.grantAdministrator.accessPolicy", target: `${vaultId(ref)}/accessPolicies/${found.objectId}`, before: entry ? { objectId: found.objectId, keys: entry.permissions.keys ?? [] } : null },
        () => this.arm.updateAccessPolicy(ref, "add", [{ tenantId, objectId: found.objectId, permissions: { keys: missing } }], options),
        () => ({ objectId: found.objectId, keys: [...new Set([...(entry?.permissions.keys ?? []), ...missing])] }),
      );
      return { objectId: found.objectId, changed: true };
    }
    const sub = ref.subscriptionId;
    const guid = customerKeyAdminRoleGuid(sub);
    let changed = false;
    if (!(await this.arm.getRoleDefinition(sub, guid, options))) {
      await this.audit.change(
        { what: "vaultPairs.grantAdministrator.roleDefinition", target: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${guid}`, before: null },
        () => this.arm.createRoleDefinition(sub, guid, customerKeyAdminRoleDefinition(sub), options),
        (d) => ({ roleName: d.roleName }),
      );
      changed = true;
    }
    const scope = vaultId(ref);
    const existing = await this.arm.listRoleAssignments(sub, scope, options);
    if (!existing.some((a) => a.principalId?.toLowerCase() === found.objectId.toLowerCase() && roleGuid(a.roleDefinitionId) === guid)) {
      const name = roleAssignmentName(scope, guid, found.objectId);
      const outcome = await this.audit.change(
        { what: "vaultPairs.grantAdministrator.roleAssignment", target: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`, before: null },
        () => this.arm.createRoleAssignment(sub, scope, name, guid, found.objectId, principalType(found), options),
        (o) => (o === "created" ? { principalId: found.objectId, roleDefinitionGuid: guid, scope } : UNCHANGED),
      );
      changed ||= outcome === "created";
    }
    return { objectId: found.objectId, changed };
  }

  /**
   * Removes one principal's access policy entry and its role assignments made at the vault's own
   * scope. Inherited assignments and every other principal stay as they are.
   */
  async revokeAccess(ref: VaultRef, principal: string, options: RevokeAccessOptions): Promise<RevokeAccessResult> {
    validateRef(ref);
    validatePrincipal(principal);
    if (options?.confirm !== principal) {
      throw new ConfirmationRequiredError(`revokeAccess removes every grant of '${principal}' on vault ${ref.vaultName}; pass { confirm: ${JSON.stringify(principal)} } to proceed.`);
    }
    // A leaver's account may already be deleted from Entra: an object id is used as given.
    let objectId = principal;
    let found: DirectoryPrincipal | undefined;
    if (isGuid(principal)) found = await this.directory.findByObjectId(principal, options);
    else {
      found = await this.directory.findUser(principal, options);
      if (!found) throw new PreconditionFailedError("ERR_PRINCIPAL_NOT_FOUND", `'${principal}' was not found in the directory; pass the object id shown by listAccess instead.`);
      objectId = found.objectId;
    }
    if (found?.kind === "servicePrincipal" && Object.values(WORKLOAD_APP_IDS).includes(found.appId ?? "") && options.allowMicrosoft365Revocation !== true) {
      throw new PreconditionFailedError("ERR_REVOKE_MICROSOFT_365", `'${principal}' is a Microsoft 365 service principal; revoking it makes the data encrypted with this key unavailable. Set allowMicrosoft365Revocation: true only for the data-purge path.`);
    }
    const vault = await this.#vault(ref, options);
    const mine = (vault.properties.accessPolicies ?? []).filter((e) => e.objectId.toLowerCase() === objectId.toLowerCase());
    if (mine.length > 0) {
      await this.audit.change(
        { what: "vaultPairs.revokeAccess.accessPolicy", target: `${vaultId(ref)}/accessPolicies/${objectId}`, before: mine.map((e) => ({ objectId: e.objectId, applicationId: e.applicationId, permissions: e.permissions })) },
        () => this.arm.updateAccessPolicy(ref, "remove", mine, options),
        () => null,
      );
    }
    const scope = vaultId(ref);
    const removed: string[] = [];
    for (const a of await this.arm.listRoleAssignments(ref.subscriptionId, scope, options)) {
      if (a.principalId?.toLowerCase() !== objectId.toLowerCase() || !a.name) continue;
      if (normaliseScope(a.scope ?? "") !== normaliseScope(scope)) continue;
      await this.audit.change(
        { what: "vaultPairs.revokeAccess.roleAssignment", target: a.id ?? `${scope}/providers/Microsoft.Authorization/roleAssignments/${a.name}`, before: { principalId: a.principalId, roleDefinitionId: a.roleDefinitionId, scope: a.scope } },
        () => this.arm.deleteRoleAssignment(ref.subscriptionId, scope, a.name!, options),
        () => null,
      );
      removed.push(a.name);
    }
    const remaining = (await this.listAccess(ref, options)).filter((e) => e.objectId.toLowerCase() === objectId.toLowerCase());
    return { objectId, removedAccessPolicy: mine.length > 0, removedRoleAssignments: removed, remaining };
  }

  async #describe(objectId: string, options: CallOptions): Promise<{ principal: string; objectId: string; principalKind: PrincipalKind | "unknown" }> {
    const found = await this.directory.findByObjectId(objectId, options);
    return { principal: found?.userPrincipalName ?? found?.displayName ?? objectId, objectId, principalKind: found?.kind ?? "unknown" };
  }

  /** Role name and whether it can delete keys: the definition if readable, else Azure's built-in list. */
  async #role(subscriptionId: string, guid: string, options: CallOptions): Promise<{ roleName: string; includesDelete: boolean }> {
    const known = KNOWN_ROLE_DATA_ACTIONS[guid];
    if (known) return { roleName: known.roleName, includesDelete: roleIncludesDelete({ permissions: [{ dataActions: known.dataActions }] }) };
    const definition = await this.arm.getRoleDefinition(subscriptionId, guid, options).catch(() => undefined);
    return { roleName: definition?.roleName ?? guid, includesDelete: roleIncludesDelete(definition) };
  }
}
