import { findRoleDefinition, type RoleDefinition } from "./role-definitions.js";
import type { ArmState } from "../arm/model.js";

export type { RoleDefinition, RolePermissions } from "./role-definitions.js";
export { ROLE_DEFINITIONS, findRoleDefinition, findRoleByName } from "./role-definitions.js";

/** Who is asking: an object id and the groups it belongs to (a `Caller` fits). */
export interface AccessPrincipal {
  objectId: string;
  groupIds: readonly string[];
}

/** Normalises an ARM scope for comparison: lower case, no trailing slash, `/` for the root. */
export function normaliseScope(scope: string): string {
  const trimmed = scope.trim().replace(/\/+$/, "").toLowerCase();
  return trimmed === "" ? "/" : trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}

/** True when `assignmentScope` is `target` or one of its ancestors, on a `/` boundary. */
export function scopeCovers(assignmentScope: string, target: string): boolean {
  const a = normaliseScope(assignmentScope);
  const t = normaliseScope(target);
  return a === "/" || t === a || t.startsWith(`${a}/`);
}

/**
 * The role definitions that apply to a caller at a scope: every assignment to the caller (or one
 * of its groups) made at the scope or above it. Unknown role definition ids are skipped.
 */
export function assignmentsFor(arm: Pick<ArmState, "roleAssignments" | "customRoles">, scope: string, caller: AccessPrincipal): RoleDefinition[] {
  const principals = new Set([caller.objectId.toLowerCase(), ...caller.groupIds.map((g) => g.toLowerCase())]);
  const result: RoleDefinition[] = [];
  for (const assignment of Object.values(arm.roleAssignments)) {
    if (!principals.has(assignment.principalId.toLowerCase())) continue;
    if (!scopeCovers(assignment.scope, scope)) continue;
    const definition = findRoleDefinition(assignment.roleDefinitionId, arm.customRoles);
    if (definition && !result.includes(definition)) result.push(definition);
  }
  return result;
}

/**
 * Azure's wildcard match of an operation against a permission pattern: case-insensitive, `*`
 * matches any run of characters. A `/*\/` in the middle also matches a single `/`, so that
 * `Microsoft.KeyVault/vaults/*\/read` covers `Microsoft.KeyVault/vaults/read` as the Key Vault
 * roles rely on (they can read vaults).
 */
export function actionMatches(pattern: string, action: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*")
    .replace(/\/\.\*\//g, "/(?:.*/)?");
  return new RegExp(`^${source}$`, "i").test(action);
}

/**
 * Whether any of the definitions grants the action. Each definition's `notActions` (or
 * `notDataActions`) only subtract from that definition's own grants, as in Azure RBAC.
 */
export function permits(definitions: readonly RoleDefinition[], action: string, options: { data: boolean }): boolean {
  return definitions.some((d) => {
    const allow = options.data ? d.permissions.dataActions : d.permissions.actions;
    const deny = options.data ? d.permissions.notDataActions : d.permissions.notActions;
    return allow.some((p) => actionMatches(p, action)) && !deny.some((p) => actionMatches(p, action));
  });
}
