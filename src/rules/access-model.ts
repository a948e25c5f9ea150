/**
 * Who gets what on a Customer Key vault, in both permission models, and the pure helpers that
 * compare it with what exists. Admins never get delete or purge (CK-2023: "This is intentional").
 */
import { createHash } from "node:crypto";
import type { RoleDefinition } from "@azure/arm-authorization";

/** Key Vault data-plane authorisation: classic access policies, or Azure RBAC role assignments. */
export type PermissionModel = "accessPolicy" | "rbac";

/**
 * Key permissions of a human key-vault administrator. Deliberately no `delete` and no `purge`:
 * "does not include the permission to delete keys. This is intentional" (CK-2023).
 */
export const ADMIN_KEY_PERMISSIONS: readonly string[] = Object.freeze(["create", "import", "list", "get", "backup", "restore"]);

/** Key permissions of the workload's service principal. */
export const SERVICE_KEY_PERMISSIONS: readonly string[] = Object.freeze(["get", "wrapKey", "unwrapKey"]);

/** Azure built-in role ids used by the RBAC model (GUIDs are Azure's own). */
export const ROLE_IDS = Object.freeze({
  /** Key Vault Crypto Service Encryption User: read key metadata, wrap and unwrap. */
  cryptoServiceEncryptionUser: "e147488a-f6f5-4113-8e2d-b22465e65bf6",
  /** Key Vault Crypto Officer: NOT used for admins, its data actions include delete and purge. */
  cryptoOfficer: "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
  /** Contributor: given to the principals a spec lists as `contributors`, on each vault. */
  contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
});

/** A GUID derived from its parts (UUID v5 layout over SHA-1): the same inputs give the same id. */
export function deterministicGuid(...parts: string[]): string {
  const hash = createHash("sha1").update(parts.map((p) => p.toLowerCase()).join("\n")).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Data actions of "Customer Key Administrator": the RBAC form of the access-policy admin set
 * create/import/list/get/backup/restore. Built-in Key Vault Crypto Officer is not used: its
 * `Microsoft.KeyVault/vaults/keys/*` includes delete and purge.
 */
export const CUSTOMER_KEY_ADMIN_DATA_ACTIONS: readonly string[] = Object.freeze([
  "Microsoft.KeyVault/vaults/keys/read",
  "Microsoft.KeyVault/vaults/keys/create/action",
  "Microsoft.KeyVault/vaults/keys/import/action",
  "Microsoft.KeyVault/vaults/keys/backup/action",
  "Microsoft.KeyVault/vaults/keys/restore/action",
]);

/** The name of the custom admin role the RBAC model creates per subscription. */
export const CUSTOMER_KEY_ADMIN_ROLE_NAME = "Customer Key Administrator";

/** The custom role's id in a subscription: fixed, so creating it again finds the first one. */
export function customerKeyAdminRoleGuid(subscriptionId: string): string {
  return deterministicGuid("customer-key", "administrator-role", subscriptionId);
}

/**
 * The custom role definition for one subscription. Azure wants custom role names unique per
 * tenant and Customer Key uses two subscriptions, so the name carries the subscription id.
 */
export function customerKeyAdminRoleDefinition(subscriptionId: string): RoleDefinition {
  return {
    roleName: `${CUSTOMER_KEY_ADMIN_ROLE_NAME} (${subscriptionId})`,
    description: "Microsoft 365 Customer Key vault administrator: create, import, list, get, back up and restore keys. No delete, no purge.",
    roleType: "CustomRole",
    permissions: [{ actions: ["Microsoft.KeyVault/vaults/read"], notActions: [], dataActions: [...CUSTOMER_KEY_ADMIN_DATA_ACTIONS], notDataActions: [] }],
    assignableScopes: [`/subscriptions/${subscriptionId}`],
  };
}

/** Name of a role assignment from scope, role and principal: re-running creates no duplicate. */
export function roleAssignmentName(scope: string, roleGuid: string, principalId: string): string {
  return deterministicGuid("customer-key", "role-assignment", scope.replace(/\/+$/, ""), roleGuid, principalId);
}

/** One grant the pair needs on a vault. */
export interface DesiredGrant {
  objectId: string;
  /** How people know the principal (UPN, display name or app id). */
  label: string;
  principalType: "User" | "ServicePrincipal" | "Group";
  role: "administrator" | "contributor" | "workload";
  /** Access-policy model: key permissions. */
  keyPermissions?: readonly string[];
  /** RBAC (and contributors in both models): role GUID at vault scope. */
  roleGuid?: string;
  roleName?: string;
}

/** Key permissions of an admin or the workload, in the access-policy model. */
export function accessPolicyPermissions(role: DesiredGrant["role"]): readonly string[] {
  return role === "workload" ? SERVICE_KEY_PERMISSIONS : ADMIN_KEY_PERMISSIONS;
}

/** The role an admin, contributor or the workload gets in the RBAC model. */
export function rbacRole(role: DesiredGrant["role"], subscriptionId: string): { roleGuid: string; roleName: string } {
  if (role === "workload") return { roleGuid: ROLE_IDS.cryptoServiceEncryptionUser, roleName: "Key Vault Crypto Service Encryption User" };
  if (role === "contributor") return { roleGuid: ROLE_IDS.contributor, roleName: "Contributor" };
  return { roleGuid: customerKeyAdminRoleGuid(subscriptionId), roleName: CUSTOMER_KEY_ADMIN_ROLE_NAME };
}

/** Permissions of `wanted` not present in `held` (case-insensitive; `all` covers every one). */
export function missingPermissions(wanted: readonly string[], held: readonly string[] | undefined): string[] {
  const have = new Set((held ?? []).map((p) => p.toLowerCase()));
  if (have.has("all")) return [];
  return wanted.filter((p) => !have.has(p.toLowerCase()));
}

const DELETE_KEY_PERMISSIONS = new Set(["delete", "purge", "all"]);

/** True when an access-policy key permission list allows deleting or purging keys. */
export function keyPermissionsIncludeDelete(keys: readonly string[] | undefined): boolean {
  return (keys ?? []).some((p) => DELETE_KEY_PERMISSIONS.has(p.toLowerCase()));
}

/** Data actions that delete or purge keys. */
const DELETE_DATA_ACTIONS = [
  "Microsoft.KeyVault/vaults/keys/delete",
  "Microsoft.KeyVault/vaults/keys/purge/action",
  "Microsoft.KeyVault/vaults/deletedKeys/delete",
];

/** Azure's wildcard match of a permission pattern (case-insensitive, `*` = any run). */
export function actionMatches(pattern: string, action: string): boolean {
  const source = pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
  return new RegExp(`^${source}$`, "i").test(action);
}

/** True when the role's data actions (minus its notDataActions) allow deleting or purging keys. */
export function roleIncludesDelete(definition: Pick<RoleDefinition, "permissions"> | undefined): boolean {
  return (definition?.permissions ?? []).some((p) =>
    DELETE_DATA_ACTIONS.some(
      (action) => (p.dataActions ?? []).some((d) => actionMatches(d, action)) && !(p.notDataActions ?? []).some((d) => actionMatches(d, action)),
    ),
  );
}

/**
 * Data actions of the built-in roles people meet on vaults, used when a role definition cannot be
 * read (e.g. no permission to read definitions). GUIDs and actions are Azure's own.
 */
export const KNOWN_ROLE_DATA_ACTIONS: Readonly<Record<string, { roleName: string; dataActions: string[] }>> = Object.freeze({
  [ROLE_IDS.cryptoServiceEncryptionUser]: {
    roleName: "Key Vault Crypto Service Encryption User",
    dataActions: ["Microsoft.KeyVault/vaults/keys/read", "Microsoft.KeyVault/vaults/keys/wrap/action", "Microsoft.KeyVault/vaults/keys/unwrap/action"],
  },
  [ROLE_IDS.cryptoOfficer]: { roleName: "Key Vault Crypto Officer", dataActions: ["Microsoft.KeyVault/vaults/keys/*", "Microsoft.KeyVault/vaults/keyrotationpolicies/*"] },
  "00482a5a-887f-4fb3-b363-3b7fe8e74483": { roleName: "Key Vault Administrator", dataActions: ["Microsoft.KeyVault/vaults/*"] },
  "12338af0-0e69-4776-bea7-57ae8d297424": {
    roleName: "Key Vault Crypto User",
    dataActions: ["Microsoft.KeyVault/vaults/keys/read", "Microsoft.KeyVault/vaults/keys/update/action", "Microsoft.KeyVault/vaults/keys/backup/action", "Microsoft.KeyVault/vaults/keys/encrypt/action", "Microsoft.KeyVault/vaults/keys/decrypt/action", "Microsoft.KeyVault/vaults/keys/wrap/action", "Microsoft.KeyVault/vaults/keys/unwrap/action", "Microsoft.KeyVault/vaults/keys/sign/action", "Microsoft.KeyVault/vaults/keys/verify/action"],
  },
  "21090545-7ca7-4776-b22c-e363652d74d2": { roleName: "Key Vault Reader", dataActions: ["Microsoft.KeyVault/vaults/*/read"] },
  [ROLE_IDS.contributor]: { roleName: "Contributor", dataActions: [] },
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": { roleName: "Owner", dataActions: [] },
  "acdd72a7-3385-48ef-bd42-f606fba81ae7": { roleName: "Reader", dataActions: [] },
});
