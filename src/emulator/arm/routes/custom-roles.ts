import { json, ServiceError, type Reply } from "../../kernel/http.js";
import type { Route, RouteContext } from "../../kernel/router.js";
import { scopeCovers } from "../../authz/arm-roles.js";
import { authorizationScopeOf, authorize, bodyObject, GUID, requireSubscription } from "../request-context.js";
import { armErrors } from "../errors.js";
import { armState, type CustomRoleRecord } from "../model.js";
import { findRoleDefinition, ROLE_DEFINITIONS } from "../../authz/role-definitions.js";
import { roleDefinitionResource } from "../shapes.js";

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

async function put(ctx: RouteContext): Promise<Reply> {
  const scope = authorizationScopeOf(ctx.req);
  const id = ctx.params.roleDefinitionId!.toLowerCase();
  if (!GUID.test(id)) throw armErrors.badRequest(`The role definition ID '${id}' is not valid. The role definition ID must be a GUID.`, "InvalidRoleDefinitionId");
  if (ROLE_DEFINITIONS.some((d) => d.id === id)) throw armErrors.badRequest(`The role definition '${id}' is a built-in role and cannot be changed.`, "RoleDefinitionUpdateNotPermitted");
  const props = ((await bodyObject(ctx.req))["properties"] ?? {}) as Record<string, unknown>;
  const roleName = typeof props["roleName"] === "string" ? props["roleName"].trim() : "";
  if (!roleName) throw armErrors.badRequest("The role definition must have a roleName.", "InvalidRoleDefinitionName");
  const assignableScopes = strings(props["assignableScopes"]).map((s) => s.replace(/\/+$/, ""));
  if (assignableScopes.length === 0) throw armErrors.badRequest("The role definition must have at least one assignable scope.", "InvalidAssignableScopes");
  if (!assignableScopes.some((s) => scopeCovers(scope, s))) {
    throw armErrors.badRequest(`The assignable scopes must lie within the scope of the request '${scope}'.`, "InvalidAssignableScopes");
  }
  for (const assignable of assignableScopes) {
    const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(assignable)?.[1];
    if (subscriptionId) requireSubscription(ctx.core, subscriptionId);
    authorize(ctx, assignable, "Microsoft.Authorization/roleDefinitions/write");
  }
  const permissionBlock = (Array.isArray(props["permissions"]) ? props["permissions"][0] : undefined) as Record<string, unknown> | undefined;
  const customRoles = (armState(ctx.core).customRoles ??= {});
  const clash = Object.values(customRoles).find((r) => r.id !== id && r.roleName.toLowerCase() === roleName.toLowerCase());
  if (clash || ROLE_DEFINITIONS.some((d) => d.roleName.toLowerCase() === roleName.toLowerCase())) {
    throw new ServiceError(409, "RoleDefinitionWithSameNameExists", `A custom role with the same name '${roleName}' already exists in this directory.`);
  }
  const now = ctx.core.clock.now().toISOString();
  const existing = customRoles[id];
  const record: CustomRoleRecord = {
    id,
    roleName,
    description: typeof props["description"] === "string" ? props["description"] : "",
    permissions: {
      actions: strings(permissionBlock?.["actions"]),
      notActions: strings(permissionBlock?.["notActions"]),
      dataActions: strings(permissionBlock?.["dataActions"]),
      notDataActions: strings(permissionBlock?.["notDataActions"]),
    },
    assignableScopes,
    createdOn: existing?.createdOn ?? now,
    updatedOn: now,
  };
  customRoles[id] = record;
  ctx.core.changed();
  return json(roleDefinitionResource(scope, record), existing ? 200 : 201);
}

function remove(ctx: RouteContext): Reply {
  const scope = authorizationScopeOf(ctx.req);
  const id = ctx.params.roleDefinitionId!.toLowerCase();
  const record = armState(ctx.core).customRoles?.[id];
  if (!record) return { status: 204 };
  for (const assignable of record.assignableScopes) authorize(ctx, assignable, "Microsoft.Authorization/roleDefinitions/delete");
  const inUse = Object.values(armState(ctx.core).roleAssignments).some((a) => findRoleDefinition(a.roleDefinitionId, armState(ctx.core).customRoles)?.id === id);
  if (inUse) throw new ServiceError(409, "RoleDefinitionHasAssignments", `There are existing role assignments referencing role definition '${id}'; remove them first.`);
  delete armState(ctx.core).customRoles![id];
  ctx.core.changed();
  return json(roleDefinitionResource(scope, record));
}

/**
 * Custom role definitions (`PUT`/`DELETE {scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}`).
 * Role names are unique in the tenant; every assignable scope needs `roleDefinitions/write`; a role
 * that is still assigned cannot be deleted; built-in roles cannot be changed.
 */
export function customRoleRoutes(base: string): Route[] {
  return [
    { method: "PUT", path: `${base}/:roleDefinitionId`, operation: "RoleDefinitions_CreateOrUpdate", handler: put },
    { method: "DELETE", path: `${base}/:roleDefinitionId`, operation: "RoleDefinitions_Delete", handler: remove },
  ];
}
