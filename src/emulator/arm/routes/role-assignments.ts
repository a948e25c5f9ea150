import { json, ServiceError, type Reply } from "../../kernel/http.js";
import type { Route, RouteContext } from "../../kernel/router.js";
import { normaliseScope, scopeCovers } from "../../authz/arm-roles.js";
import { authorizationScopeOf, authorize, bodyObject, GUID, requireResourceGroup, requireSubscription } from "../request-context.js";
import { armErrors } from "../errors.js";
import { armState, type RoleAssignmentRecord } from "../model.js";
import { allRoleDefinitions, findRoleByName, findRoleDefinition, isCustomRole, type RoleDefinition } from "../../authz/role-definitions.js";
import { customRoleRoutes } from "./custom-roles.js";
import { VAULT_TYPE } from "../vault-records.js";
import { AUTHORIZATION_PROVIDER as AUTH, roleAssignmentResource, roleDefinitionPath, roleDefinitionResource } from "../shapes.js";

/** The scope shapes role assignments live at: tenant root, subscription, group, resource, child resource. */
const scopeShapes = [
  "",
  "/subscriptions/:subscriptionId",
  "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName",
  "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/:namespace/:type/:name",
  "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/:namespace/:type/:name/:childType/:childName",
];


/** Checks that the scope exists, as ARM does before touching assignments there. */
function requireScope(ctx: RouteContext): void {
  const { subscriptionId, resourceGroupName, namespace, type, name } = ctx.params;
  if (subscriptionId) requireSubscription(ctx.core, subscriptionId);
  if (subscriptionId && resourceGroupName) requireResourceGroup(ctx.core, subscriptionId, resourceGroupName);
  if (namespace && type && name) {
    const fullType = `${namespace}/${type}`;
    const vault = armState(ctx.core).vaults[name.toLowerCase()];
    const found =
      fullType.toLowerCase() === VAULT_TYPE.toLowerCase() &&
      vault?.subscriptionId === subscriptionId?.toLowerCase() &&
      vault?.resourceGroup.toLowerCase() === resourceGroupName?.toLowerCase();
    if (!found) throw armErrors.resourceNotFound(fullType, name, resourceGroupName ?? "");
  }
}

function findAssignment(ctx: RouteContext, scope: string): RoleAssignmentRecord | undefined {
  const name = ctx.params.roleAssignmentName!.toLowerCase();
  const found = Object.values(armState(ctx.core).roleAssignments).find((a) => a.name.toLowerCase() === name);
  return found && normaliseScope(found.scope) === normaliseScope(scope) ? found : undefined;
}

async function create(ctx: RouteContext): Promise<Reply> {
  const scope = authorizationScopeOf(ctx.req);
  authorize(ctx, scope, "Microsoft.Authorization/roleAssignments/write");
  requireScope(ctx);
  const name = ctx.params.roleAssignmentName!;
  if (!GUID.test(name)) throw armErrors.badRequest(`The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`, "InvalidRoleAssignmentId");
  const body = await bodyObject(ctx.req);
  const props = (body["properties"] ?? {}) as Record<string, unknown>;
  const roleDefinitionId = String(props["roleDefinitionId"] ?? "");
  const principalId = String(props["principalId"] ?? "").toLowerCase();
  if (!GUID.test(principalId)) throw armErrors.badRequest(`The Principal ID '${principalId}' is not valid. Principal ID must be a GUID.`, "InvalidPrincipalId");
  const customRoles = armState(ctx.core).customRoles;
  const definition = findRoleDefinition(roleDefinitionId, customRoles);
  if (!definition) {
    throw armErrors.badRequest(`The specified role definition with ID '${roleDefinitionId.split("/").at(-1)}' does not exist.`, "RoleDefinitionDoesNotExist");
  }
  if (isCustomRole(definition) && !definition.assignableScopes.some((s) => scopeCovers(s, scope))) {
    throw armErrors.badRequest(`The role definition '${definition.id}' is not assignable at scope '${scope}': it is not within the role's assignable scopes.`, "InvalidRoleAssignmentScope");
  }
  const principal = ctx.core.directory.findPrincipal(principalId);
  const group = principal ? undefined : ctx.core.directory.findGroup(principalId);
  if (!principal && !group) {
    throw armErrors.badRequest(
      `Principal ${principalId} does not exist in the directory ${ctx.core.tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
      "PrincipalNotFound",
    );
  }
  const actualType = group ? "Group" : principal!.kind === "user" ? "User" : "ServicePrincipal";
  const askedType = props["principalType"];
  if (typeof askedType === "string" && askedType.toLowerCase() !== actualType.toLowerCase()) {
    throw armErrors.badRequest(`The PrincipalId '${principalId}' has type '${actualType}' , which is different from specified PrincipalType '${askedType}'.`, "UnmatchedPrincipalType");
  }
  const existing = armState(ctx.core).roleAssignments[name.toLowerCase()] ?? Object.values(armState(ctx.core).roleAssignments).find((a) => a.name.toLowerCase() === name.toLowerCase());
  const sameGrant = (a: RoleAssignmentRecord) =>
    a.principalId.toLowerCase() === principalId && findRoleDefinition(a.roleDefinitionId, customRoles)?.id === definition.id && normaliseScope(a.scope) === normaliseScope(scope);
  if (existing) {
    if (sameGrant(existing)) return json(roleAssignmentResource(existing), 201);
    throw armErrors.badRequest("Tenant ID, application ID, principal ID, and scope are not allowed to be updated.", "RoleAssignmentUpdateNotPermitted");
  }
  if (Object.values(armState(ctx.core).roleAssignments).some(sameGrant)) throw new ServiceError(409, "RoleAssignmentExists", "The role assignment already exists.");
  const record: RoleAssignmentRecord = {
    name: name.toLowerCase(),
    scope,
    roleDefinitionId: roleDefinitionPath(scope, definition.id),
    principalId,
    principalType: actualType,
    createdOn: ctx.core.clock.now().toISOString(),
  };
  armState(ctx.core).roleAssignments[record.name] = record;
  ctx.core.changed();
  return json(roleAssignmentResource(record), 201);
}

/** `$filter`: `atScope()`, `principalId eq '…'`, `assignedTo('…')`, joined by `and`. */
function listAssignments(ctx: RouteContext): Reply {
  const scope = authorizationScopeOf(ctx.req);
  authorize(ctx, scope, "Microsoft.Authorization/roleAssignments/read");
  requireScope(ctx);
  const filter = ctx.req.query("$filter") ?? "";
  const atScope = /atScope\(\)/i.test(filter);
  const principalId = /principalId\s+eq\s+'([^']+)'/i.exec(filter)?.[1]?.toLowerCase();
  const assignedTo = /assignedTo\('([^']+)'\)/i.exec(filter)?.[1]?.toLowerCase();
  const principals = assignedTo ? new Set([assignedTo, ...ctx.core.directory.groupsOf(assignedTo)]) : undefined;
  const value = Object.values(armState(ctx.core).roleAssignments).filter((a) => {
    const related = atScope ? scopeCovers(a.scope, scope) : scopeCovers(a.scope, scope) || scopeCovers(scope, a.scope);
    if (!related) return false;
    if (principalId && a.principalId.toLowerCase() !== principalId) return false;
    if (principals && !principals.has(a.principalId.toLowerCase())) return false;
    return true;
  });
  return json({ value: value.map(roleAssignmentResource) });
}

function roleAssignmentRoutes(shape: string): Route[] {
  const base = `${shape}${AUTH}/roleAssignments`;
  return [
    { method: "GET", path: base, operation: "RoleAssignments_ListForScope", handler: listAssignments },
    {
      method: "GET",
      path: `${base}/:roleAssignmentName`,
      operation: "RoleAssignments_Get",
      handler: (ctx) => {
        const scope = authorizationScopeOf(ctx.req);
        authorize(ctx, scope, "Microsoft.Authorization/roleAssignments/read");
        requireScope(ctx);
        const found = findAssignment(ctx, scope);
        if (!found) throw new ServiceError(404, "RoleAssignmentNotFound", `The role assignment '${ctx.params.roleAssignmentName}' is not found.`);
        return json(roleAssignmentResource(found));
      },
    },
    { method: "PUT", path: `${base}/:roleAssignmentName`, operation: "RoleAssignments_Create", handler: create },
    {
      method: "DELETE",
      path: `${base}/:roleAssignmentName`,
      operation: "RoleAssignments_Delete",
      handler: (ctx) => {
        const scope = authorizationScopeOf(ctx.req);
        authorize(ctx, scope, "Microsoft.Authorization/roleAssignments/delete");
        requireScope(ctx);
        const found = findAssignment(ctx, scope);
        if (!found) return { status: 204 };
        delete armState(ctx.core).roleAssignments[found.name];
        ctx.core.changed();
        return json(roleAssignmentResource(found));
      },
    },
  ];
}

function roleDefinitionRoutes(shape: string): Route[] {
  const base = `${shape}${AUTH}/roleDefinitions`;
  return [
    {
      method: "GET",
      path: base,
      operation: "RoleDefinitions_List",
      handler: (ctx) => {
        const scope = authorizationScopeOf(ctx.req);
        if (scope !== "/") authorize(ctx, scope, "Microsoft.Authorization/roleDefinitions/read");
        const roleName = /roleName\s+eq\s+'([^']+)'/i.exec(ctx.req.query("$filter") ?? "")?.[1];
        const customRoles = armState(ctx.core).customRoles;
        const definitions = roleName
          ? [findRoleByName(roleName, customRoles)].filter((d): d is RoleDefinition => d !== undefined)
          : allRoleDefinitions(customRoles).filter((d) => !isCustomRole(d) || d.assignableScopes.some((s) => scopeCovers(s, scope) || scopeCovers(scope, s)));
        return json({ value: definitions.map((d) => roleDefinitionResource(scope, d)) });
      },
    },
    {
      method: "GET",
      path: `${base}/:roleDefinitionId`,
      operation: "RoleDefinitions_Get",
      handler: (ctx) => {
        const scope = authorizationScopeOf(ctx.req);
        if (scope !== "/") authorize(ctx, scope, "Microsoft.Authorization/roleDefinitions/read");
        const definition = findRoleDefinition(ctx.params.roleDefinitionId!, armState(ctx.core).customRoles);
        if (!definition) throw new ServiceError(404, "RoleDefinitionDoesNotExist", `The specified role definition with ID '${ctx.params.roleDefinitionId}' does not exist.`);
        return json(roleDefinitionResource(scope, definition));
      },
    },
    ...customRoleRoutes(base),
  ];
}

/** Every route at every scope shape (a doubled leading slash is folded by EmulatorRequest). */
export const authorizationRoutes: Route[] = scopeShapes.flatMap((shape) => [...roleAssignmentRoutes(shape), ...roleDefinitionRoutes(shape)]);
