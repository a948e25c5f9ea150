/**
 * SharePoint Online's geos, read from Microsoft Graph as Microsoft's Multi-Geo discovery does
 * (`GET /v1.0/sites?$filter=siteCollection/root ne null`: one root site per geo, with its
 * `dataLocationCode`), and each geo's admin site URL derived from its root site as the service
 * names them: `https://contosoeur.sharepoint.com` → `https://contosoeur-admin.sharepoint.com`.
 * Shared by the SharePoint policies and the preflight report.
 */
import type { Client } from "@microsoft/microsoft-graph-client";
import { InvalidInputError, PreconditionFailedError } from "../errors.js";
import type { ClientContext } from "../internal/context.js";
import { withRetry } from "../internal/retry.js";
import { createGraphClient, graphCall } from "./graph-transport.js";

/** One geo of the tenant's SharePoint Online. */
export interface SharePointGeo {
  /** The data location code (`NAM`, `EUR`, …); `""` for a single-geo tenant. */
  code: string;
  /** The geo's root site, e.g. `https://contosoeur.sharepoint.com`. */
  rootSiteUrl: string;
  /** The geo's admin site, e.g. `https://contosoeur-admin.sharepoint.com`. */
  adminSiteUrl: string;
  /** True for the tenant's default geo (Graph's `sites/root`). */
  isDefault: boolean;
}

interface GraphSite {
  webUrl?: string;
  siteCollection?: { hostname?: string; dataLocationCode?: string };
}

/** The admin site URL of a root site URL: `-admin` after the first host label, port kept. */
export function adminSiteUrlOf(rootSiteUrl: string): string {
  const url = new URL(rootSiteUrl);
  const [label, ...rest] = url.hostname.split(".");
  return `https://${label}-admin.${rest.join(".")}${url.port ? `:${url.port}` : ""}`;
}

/** A data location code: 3 letters (Microsoft's Multi-Geo codes), upper case; InvalidInputError otherwise. */
export function checkGeoCode(geo: unknown, field = "geo"): string {
  if (typeof geo !== "string" || !/^[A-Za-z]{3}$/.test(geo)) {
    throw new InvalidInputError("ERR_SHAREPOINT_GEO_INVALID", `${field} must be a Multi-Geo data location code such as NAM or EUR (got '${String(geo).slice(0, 40)}').`, { field });
  }
  return geo.toUpperCase();
}

const graphClients = new WeakMap<ClientContext, Client>();

/** Reads the tenant's geos from Graph (root sites with their data location codes; the default geo from `sites/root`). */
export async function listSharePointGeos(context: ClientContext, options: { abortSignal?: AbortSignal } = {}): Promise<SharePointGeo[]> {
  let graph = graphClients.get(context);
  if (!graph) graphClients.set(context, (graph = createGraphClient(context)));
  const client = graph;
  const signal = options.abortSignal;
  const roots = await withRetry("graph.sites.list", () => graphCall(async () => {
    const request = client.api("/sites").filter("siteCollection/root ne null").select("webUrl,siteCollection");
    if (signal) request.option("signal", signal);
    return (await request.get()) as { value?: GraphSite[] };
  }), context.retryOptions(options));
  const root = await withRetry("graph.sites.root", () => graphCall(async () => {
    const request = client.api("/sites/root").select("webUrl,siteCollection");
    if (signal) request.option("signal", signal);
    return (await request.get()) as GraphSite;
  }), context.retryOptions(options));
  const defaultOrigin = root.webUrl ? new URL(root.webUrl).origin.toLowerCase() : undefined;
  return (roots.value ?? [])
    .filter((s): s is GraphSite & { webUrl: string } => typeof s.webUrl === "string")
    .map((s) => {
      const origin = new URL(s.webUrl).origin;
      return { code: (s.siteCollection?.dataLocationCode ?? "").toUpperCase(), rootSiteUrl: origin, adminSiteUrl: adminSiteUrlOf(origin), isDefault: origin.toLowerCase() === defaultOrigin };
    })
    .sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
}

/** The geo a `geo` option names (the default geo when omitted); PreconditionFailedError `ERR_SHAREPOINT_GEO_UNKNOWN` when the tenant has no such geo. */
export function pickGeo(geos: readonly SharePointGeo[], geo: string | undefined): SharePointGeo {
  const found = geo === undefined ? (geos.find((g) => g.isDefault) ?? geos[0]) : geos.find((g) => g.code === geo);
  if (!found) {
    const known = geos.map((g) => g.code || "(single geo)").join(", ") || "none";
    throw new PreconditionFailedError("ERR_SHAREPOINT_GEO_UNKNOWN", `The tenant's SharePoint Online has no geo '${geo ?? "(default)"}'; Graph lists: ${known}.`);
  }
  return found;
}
