import { EMULATOR_HOSTS } from "../../endpoints.js";
import type { EmulatorCore } from "../../kernel/core.js";
import { json, ServiceError, type EmulatorRequest } from "../../kernel/http.js";
import type { Route, RouteContext } from "../../kernel/router.js";
import { collection } from "../odata-query.js";
import { sharePointState, type GeoRecord, type SiteRecord } from "../../sharepoint/model.js";

/**
 * Graph's `sites` for Multi-Geo discovery (research m365-endpoints §5, sp-dev-docs
 * multigeo-discovery.md): `GET /v1.0/sites?filter=siteCollection/root ne null` lists the root site
 * of every geo with `siteCollection.dataLocationCode` (empty string on a single-geo tenant). The
 * query options are accepted with or without `$`, as that page writes them without.
 *
 * `GET /v1.0/sites/getAllSites` (learn.microsoft.com/graph/api/site-getallsites) lists every site
 * of every geo, paged with `@odata.nextLink`. Its documented permission is the application
 * permission Sites.Read.All; delegated tokens are "Not supported" and answered 403 `accessDenied`
 * "Access denied" even for a SharePoint administrator (microsoft-graph-docs-contrib issue #9064,
 * PR #9102). An application needs Sites.Read.All (or Sites.ReadWrite.All / Sites.FullControl.All,
 * which include it) in its token's `roles` claim: `directory.grantApplicationPermission` is the
 * administrator's consent. Directory roles do not count: the permission is what Graph checks.
 */

/** A query option by name, with or without its `$`. */
function option(req: EmulatorRequest, name: string): string | null {
  return req.query(`$${name}`) ?? req.query(name);
}

function siteEntity(core: EmulatorCore, geo: GeoRecord, site: SiteRecord): Record<string, unknown> {
  const hostname = `${geo.label}.${EMULATOR_HOSTS.sharePointSuffix}`;
  const root = `https://${hostname}:${core.endpoints.port}`;
  const isRoot = site.path === "/";
  const created = new Date(site.createdAtMs || core.clock.nowMs()).toISOString();
  return {
    createdDateTime: created,
    id: `${hostname},${site.id},${site.webId}`,
    lastModifiedDateTime: created,
    name: isRoot ? "" : site.path.split("/").pop(),
    webUrl: isRoot ? root : `${root}${site.path}`,
    displayName: site.title,
    ...(isRoot ? { root: {} } : {}),
    siteCollection: { hostname, dataLocationCode: geo.code, ...(isRoot ? { root: {} } : {}) },
  };
}

/** `$select` over the top-level members (case-insensitive); all members without it. */
function pick(req: EmulatorRequest, entity: Record<string, unknown>): Record<string, unknown> {
  const wanted = option(req, "select");
  if (!wanted) return entity;
  const out: Record<string, unknown> = {};
  for (const name of wanted.split(",").map((s) => s.trim()).filter(Boolean)) {
    const key = Object.keys(entity).find((k) => k.toLowerCase() === name.toLowerCase());
    if (key) out[key] = entity[key];
  }
  return out;
}

/** The only filter Graph's site listing is used with here; others are Graph's 400. */
function rootOnly(req: EmulatorRequest): boolean {
  const filter = option(req, "filter");
  if (filter === null) return false;
  if (/^\s*siteCollection\/root\s+ne\s+null\s*$/i.test(filter)) return true;
  throw new ServiceError(400, "invalidRequest", `Invalid filter clause: the emulator supports only 'siteCollection/root ne null', got '${filter}'.`);
}

/** Any of these in an application token's `roles` lets it list every site. */
const SITES_READ = ["Sites.Read.All", "Sites.ReadWrite.All", "Sites.FullControl.All"];

/** Application only, with Sites.Read.All (or a permission including it) in its token's `roles`. */
function requireSitesReadAll(ctx: RouteContext): void {
  if (ctx.caller.kind !== "servicePrincipal" || ctx.caller.claims?.idtyp !== "app") throw new ServiceError(403, "accessDenied", "Access denied");
  if (!(ctx.caller.claims.roles ?? []).some((r) => SITES_READ.includes(r))) throw new ServiceError(403, "accessDenied", "Access denied");
}

export function siteRoutesFor(version: "v1.0" | "beta"): Route[] {
  const context = (req: EmulatorRequest, fragment: string) => `${req.origin}/${version}/$metadata#${fragment}`;
  const geos = (core: EmulatorCore) => (core.services.has("sharepoint") ? sharePointState(core).geos : []);
  return [
    {
      method: "GET",
      path: `/${version}/sites`,
      operation: "Sites_List",
      handler: (ctx) => {
        const roots = rootOnly(ctx.req);
        // Without a filter every site collection is listed [INF: Graph's unfiltered answer was not captured].
        const value = geos(ctx.core).flatMap((geo) => (roots ? geo.sites.slice(0, 1) : geo.sites).map((site) => pick(ctx.req, siteEntity(ctx.core, geo, site))));
        return json({ "@odata.context": context(ctx.req, "sites"), value });
      },
    },
    {
      method: "GET",
      path: `/${version}/sites/getAllSites`,
      operation: "Sites_GetAllSites",
      handler: (ctx) => {
        requireSitesReadAll(ctx);
        const all = geos(ctx.core).flatMap((geo) => geo.sites.map((site) => pick(ctx.req, siteEntity(ctx.core, geo, site))));
        return json(collection(ctx.req, context(ctx.req, "sites"), all));
      },
    },
    {
      method: "GET",
      path: `/${version}/sites/root`,
      operation: "Sites_GetRoot",
      handler: (ctx) => {
        const geo = geos(ctx.core)[0];
        if (!geo) throw new ServiceError(404, "itemNotFound", "Requested site could not be found");
        return json({ "@odata.context": context(ctx.req, "sites/$entity"), ...pick(ctx.req, siteEntity(ctx.core, geo, geo.sites[0]!)) });
      },
    },
  ];
}
