import { isCustomRole, type RoleDefinition } from "../authz/role-definitions.js";
import type { RoleAssignmentRecord } from "./model.js";

/** The provider path of role assignments and definitions. */
export const AUTHORIZATION_PROVIDER = "/providers/Microsoft.Authorization";
const AUTH = AUTHORIZATION_PROVIDER;

function subscriptionOfScope(scope: string): string | undefined {
  return /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1]?.toLowerCase();
}

/** The wire form of a role definition id at a scope (subscription-relative when the scope has one). */
export function roleDefinitionPath(scope: string, id: string): string {
  const subscriptionId = subscriptionOfScope(scope);
  return `${subscriptionId ? `/subscriptions/${subscriptionId}` : ""}${AUTH}/roleDefinitions/${id}`;
}

/** A role assignment as `Microsoft.Authorization/roleAssignments` answers it. */
export function roleAssignmentResource(a: RoleAssignmentRecord): Record<string, unknown> {
  return {
    id: `${a.scope === "/" ? "" : a.scope}${AUTH}/roleAssignments/${a.name}`,
    type: "Microsoft.Authorization/roleAssignments",
    name: a.name,
    properties: {
      roleDefinitionId: a.roleDefinitionId,
      principalId: a.principalId,
      principalType: a.principalType,
      scope: a.scope,
      condition: null,
      conditionVersion: null,
      createdOn: a.createdOn,
      updatedOn: a.createdOn,
      createdBy: null,
      updatedBy: null,
      delegatedManagedIdentityResourceId: null,
      description: null,
    },
  };
}

/** A role definition as `Microsoft.Authorization/roleDefinitions` answers it. */
export function roleDefinitionResource(scope: string, d: RoleDefinition): Record<string, unknown> {
  const custom = isCustomRole(d);
  return {
    id: roleDefinitionPath(scope, d.id),
    type: "Microsoft.Authorization/roleDefinitions",
    name: d.id,
    properties: {
      roleName: d.roleName,
      type: custom ? "CustomRole" : "BuiltInRole",
      description: d.description,
      assignableScopes: custom ? d.assignableScopes : ["/"],
      permissions: [d.permissions],
      createdOn: custom ? d.createdOn : "2015-02-02T21:55:09.8806423Z",
      updatedOn: custom ? d.updatedOn : "2024-01-01T00:00:00.0000000Z",
      createdBy: null,
      updatedBy: null,
    },
  };
}

