import type { EmulatorCore } from "../../kernel/core.js";
import { MICROSOFT_365_APPS } from "../../kernel/directory.js";
import { json, ServiceError, type EmulatorRequest, type Reply } from "../../kernel/http.js";
import type { Route, RouteContext } from "../../kernel/router.js";
import { collection, matches, parseFilter, select } from "../odata-query.js";
import { group, GROUP_DEFAULTS, organization, servicePrincipal, SERVICE_PRINCIPAL_DEFAULTS, user, USER_DEFAULTS } from "../shapes.js";
import { notFound } from "../errors.js";

const contextUrl = (req: EmulatorRequest, version: string, fragment: string) => `${req.origin}/${version}/$metadata#${fragment}`;

function findUser(core: EmulatorCore, id: string) {
  const found = core.directory.findUser(id);
  if (!found) throw notFound(id);
  return found;
}

/** The directory routes under `/v1.0` or `/beta`. */
export function routesFor(version: "v1.0" | "beta"): Route[] {
  const at = (path: string) => `/${version}${path}`;
  const list = (ctx: RouteContext, entity: string, items: Record<string, unknown>[], defaults: readonly string[]): Reply => {
    const clauses = parseFilter(ctx.req.query("$filter"));
    const chosen = items.filter((i) => matches(i, clauses)).map((i) => select(ctx.req, i, defaults));
    return json(collection(ctx.req, contextUrl(ctx.req, version, entity), chosen));
  };
  const one = (ctx: RouteContext, entity: string, item: Record<string, unknown>, defaults: readonly string[]): Reply =>
    json({ "@odata.context": contextUrl(ctx.req, version, `${entity}/$entity`), ...select(ctx.req, item, defaults) });
  return [
    {
      method: "GET",
      path: at("/organization"),
      operation: "Organization_List",
      handler: (ctx) => list(ctx, "organization", [organization(ctx.core)], ["id", "displayName", "tenantType", "verifiedDomains"]),
    },
    {
      method: "GET",
      path: at("/me"),
      operation: "Me_Get",
      handler: (ctx) => {
        if (ctx.caller.kind !== "user") {
          throw new ServiceError(400, "BadRequest", "/me request is only valid with delegated authentication flow.");
        }
        return one(ctx, "users", user(findUser(ctx.core, ctx.caller.objectId)), USER_DEFAULTS);
      },
    },
    {
      method: "GET",
      path: at("/users"),
      operation: "Users_List",
      handler: (ctx) => list(ctx, "users", ctx.core.directory.users.map(user), USER_DEFAULTS),
    },
    {
      method: "GET",
      path: at("/users/:id"),
      operation: "Users_Get",
      handler: (ctx) => one(ctx, "users", user(findUser(ctx.core, ctx.params.id!)), USER_DEFAULTS),
    },
    {
      method: "GET",
      path: at("/servicePrincipals"),
      operation: "ServicePrincipals_List",
      handler: (ctx) =>
        list(ctx, "servicePrincipals", ctx.core.directory.servicePrincipals.map((sp) => servicePrincipal(sp, ctx.core.tenantId)), SERVICE_PRINCIPAL_DEFAULTS),
    },
    {
      method: "POST",
      path: at("/servicePrincipals"),
      operation: "ServicePrincipals_Create",
      handler: async (ctx) => {
        const body = (await ctx.req.json()) as { appId?: unknown } | undefined;
        const appId = typeof body?.appId === "string" ? body.appId.toLowerCase() : "";
        if (ctx.core.directory.findServicePrincipal(appId)) {
          throw new ServiceError(409, "Request_MultipleObjectsWithSameKeyValue", "Another object with the same value for property appId already exists.");
        }
        // Only Microsoft's first-party apps can be instantiated here: the emulator has no app registrations.
        const app = Object.values(MICROSOFT_365_APPS).find((a) => a.appId === appId);
        if (!app) throw new ServiceError(400, "Request_BadRequest", `The appId '${appId}' of the service principal does not reference a valid application object.`);
        const created = ctx.core.directory.createServicePrincipal({ displayName: app.displayName, appId: app.appId, firstParty: true });
        return json({ "@odata.context": contextUrl(ctx.req, version, "servicePrincipals/$entity"), ...servicePrincipal(created, ctx.core.tenantId) }, 201);
      },
    },
    {
      method: "GET",
      path: at("/servicePrincipals/:id"),
      operation: "ServicePrincipals_Get",
      handler: (ctx) => {
        // By object id only, as Graph's /servicePrincipals/{id} is.
        const sp = ctx.core.directory.servicePrincipals.find((s) => s.objectId === ctx.params.id!.toLowerCase());
        if (!sp) throw notFound(ctx.params.id!);
        return one(ctx, "servicePrincipals", servicePrincipal(sp, ctx.core.tenantId), SERVICE_PRINCIPAL_DEFAULTS);
      },
    },
    {
      method: "GET",
      path: at("/groups/:id"),
      operation: "Groups_Get",
      handler: (ctx) => {
        const g = ctx.core.directory.findGroup(ctx.params.id!);
        if (!g) throw notFound(ctx.params.id!);
        return one(ctx, "groups", group(g), GROUP_DEFAULTS);
      },
    },
    {
      method: "GET",
      path: at("/groups/:id/members"),
      operation: "Groups_ListMembers",
      handler: (ctx) => {
        const g = ctx.core.directory.findGroup(ctx.params.id!);
        if (!g) throw notFound(ctx.params.id!);
        const members = g.members.flatMap((id) => {
          const u = ctx.core.directory.users.find((x) => x.objectId === id);
          if (u) return [{ "@odata.type": "#microsoft.graph.user", ...user(u) }];
          const sp = ctx.core.directory.servicePrincipals.find((x) => x.objectId === id);
          if (sp) return [{ "@odata.type": "#microsoft.graph.servicePrincipal", ...servicePrincipal(sp, ctx.core.tenantId) }];
          const inner = ctx.core.directory.groups.find((x) => x.objectId === id);
          return inner ? [{ "@odata.type": "#microsoft.graph.group", ...group(inner) }] : [];
        });
        return json(collection(ctx.req, contextUrl(ctx.req, version, "directoryObjects"), members));
      },
    },
  ];
}

