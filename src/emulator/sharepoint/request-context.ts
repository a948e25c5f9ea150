import type { EmulatorEndpoints } from "../endpoints.js";
import { EMULATOR_HOSTS } from "../endpoints.js";
import type { EmulatorCore } from "../kernel/core.js";
import { READ_ONLY_ROLES } from "../kernel/directory.js";
import { ServiceError, type EmulatorRequest } from "../kernel/http.js";
import type { RouteContext } from "../kernel/router.js";
import { spErrors, UNAUTHORIZED_ACCESS } from "./errors.js";
import { DATA_LOCATION_CODES, sharePointState, type GeoRecord, type SiteRecord } from "./model.js";

/**
 * Host names of the emulated SharePoint Online, one pair per geo: the admin site
 * `{label}-admin.sharepoint.localhost` and the sites host `{label}.sharepoint.localhost`, where
 * `{label}` is the tenant's initial-domain prefix (`contoso`) for the default geo and
 * `contoso{code}` (e.g. `contosoeur`) for a satellite geo, as Microsoft names satellite hosts.
 */
export const ADMIN_HOST = `{admin}-admin.${EMULATOR_HOSTS.sharePointSuffix}`;
export const SITES_HOST = `{sites}.${EMULATOR_HOSTS.sharePointSuffix}`;

/** The tenant label of the emulated tenant, from the admin URL the endpoints give (`contoso`). */
export function tenantLabel(endpoints: EmulatorEndpoints): string {
  return new URL(endpoints.sharePointAdmin).hostname.split(".")[0]!.replace(/-admin$/, "");
}

/**
 * Token audiences the service accepts: for the default geo and every possible satellite geo, the
 * admin site and the root site, as `https://{label}[-admin].sharepoint.com` (what a client given
 * the real URL asks for) and as the emulator's own URL with and without its port. The handler then
 * accepts only audiences of geos the tenant has (a token for a SharePoint host is accepted on
 * every SharePoint host of the same tenant [INF]).
 */
export function sharePointAudiences(endpoints: EmulatorEndpoints): string[] {
  const base = tenantLabel(endpoints);
  const labels = [base, ...DATA_LOCATION_CODES.map((c) => `${base}${c.toLowerCase()}`)];
  return labels.flatMap((label) =>
    [`${label}-admin`, label].flatMap((host) => [
      `https://${host}.sharepoint.com`,
      `https://${host}.${EMULATOR_HOSTS.sharePointSuffix}`,
      `https://${host}.${EMULATOR_HOSTS.sharePointSuffix}:${endpoints.port}`,
    ]),
  );
}

/** The geo whose label is `label` (case-insensitive). */
export function geoByLabel(core: EmulatorCore, label: string): GeoRecord | undefined {
  return sharePointState(core).geos.find((g) => g.label === label.toLowerCase());
}

/** What a SharePoint handler works with: the geo of the host, whether it is the admin site, and the site addressed. */
export interface SpContext extends RouteContext {
  geo: GeoRecord;
  adminSite: boolean;
  /** The site of a sites-host request (`/` or `/sites/{name}`); undefined on the admin host. */
  site: SiteRecord | undefined;
}

function refuseAudience(aud: string): never {
  throw new ServiceError(401, UNAUTHORIZED_ACCESS, `Invalid audience Uri '${aud}'.`);
}

/**
 * Resolves the geo and site of the request, then checks the token names a SharePoint host of this
 * tenant and the caller holds SharePoint Administrator (or Global Administrator).
 */
export function openSharePoint(ctx: RouteContext, sitePath: string | undefined, access: { readOnly?: boolean } = {}): SpContext {
  const { req, core, caller } = ctx;
  const adminLabel = req.hostParams["admin"];
  const label = adminLabel ?? req.hostParams["sites"] ?? "";
  const geo = geoByLabel(core, label);
  if (!geo) throw spErrors.siteNotFound();
  let site: SiteRecord | undefined;
  if (adminLabel === undefined) {
    const path = sitePath === undefined ? "/" : `/sites/${sitePath.toLowerCase()}`;
    site = geo.sites.find((s) => s.path.toLowerCase() === path);
    if (!site) throw spErrors.siteNotFound();
  } else if (sitePath !== undefined) throw spErrors.siteNotFound();
  const aud = caller.claims?.aud ?? "";
  let audLabel: string;
  try {
    audLabel = new URL(aud).hostname.split(".")[0]!.replace(/-admin$/, "");
  } catch {
    refuseAudience(aud);
  }
  if (!geoByLabel(core, audLabel)) refuseAudience(aud);
  if (!core.directory.hasDirectoryRole(caller.objectId, access.readOnly ? ["SharePoint Administrator", ...READ_ONLY_ROLES] : ["SharePoint Administrator"])) throw spErrors.accessDenied();
  return { ...ctx, geo, adminSite: adminLabel !== undefined, site };
}

/** The URL of a site of a geo on this emulator. */
export function siteUrl(endpoints: EmulatorEndpoints, geo: GeoRecord, site: SiteRecord): string {
  const root = `https://${geo.label}.${EMULATOR_HOSTS.sharePointSuffix}:${endpoints.port}`;
  return site.path === "/" ? root : `${root}${site.path}`;
}

/** The admin site URL of a geo on this emulator. */
export function adminSiteUrl(endpoints: EmulatorEndpoints, geo: GeoRecord): string {
  return `https://${geo.label}-admin.${EMULATOR_HOSTS.sharePointSuffix}:${endpoints.port}`;
}

/** The JSON object body of a method call; anything else is the client's error. */
export async function bodyObject(req: EmulatorRequest, method: string): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    throw spErrors.badRequest(`The request body of ${method} is not valid JSON.`);
  }
  if (body === undefined) return {};
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw spErrors.badRequest(`The request body of ${method} must be a JSON object.`);
  return body as Record<string, unknown>;
}
