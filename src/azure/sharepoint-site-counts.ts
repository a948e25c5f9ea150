/**
 * SharePoint Online's site collections counted per geo, from Microsoft Graph's
 * `GET /v1.0/sites/getAllSites` (every site of every geo, paged with `@odata.nextLink`; each site's
 * `siteCollection.dataLocationCode`, present on Multi-Geo tenants only). No Customer Key read gives
 * the number: `GetBringYourOwnKeyTenantStatus` reports a registration percentage, and the per-site
 * status (`Get-SPOSiteDataEncryptionPolicy`) needs the site's URL. Graph answers getAllSites to an
 * application with Sites.Read.All only; a delegated (user) token gets 403 accessDenied
 * (learn.microsoft.com/graph/api/site-getallsites; microsoft-graph-docs-contrib #9064, #9102).
 * That the count matches the sites the registration percentage is taken over is inferred.
 */
import type { Client } from "@microsoft/microsoft-graph-client";
import { InvalidInputError } from "../errors.js";
import { throwIfAborted } from "../internal/abort.js";
import type { ClientContext } from "../internal/context.js";
import type { OperationOptions } from "../internal/operation.js";
import { withRetry } from "../internal/retry.js";
import { toServiceError } from "../internal/service-errors.js";
import { createGraphClient, graphCall } from "./graph-transport.js";

/** Sites of one geo. */
export interface SharePointGeoSiteCount {
  /** The data location code (`NAM`, `EUR`, …); `""` on a single-geo tenant (Graph reports none). */
  geo: string;
  /** Site collections Graph lists in that geo (OneDrive sites included, as getAllSites lists them). */
  sites: number;
}

/** What `client.policies.sharePoint.countSites()` returns. */
export interface SharePointSiteCounts {
  /** One entry per geo that has sites, in the order Graph first listed them. */
  geos: SharePointGeoSiteCount[];
  /** All sites of the tenant. */
  total: number;
}

/** Progress of the count, reported after each page. */
export interface SharePointSiteCountProgress {
  /** Sites read so far. */
  sitesRead: number;
  /** Pages read so far. */
  pages: number;
}

/** Options of `countSites`; the abort signal stops the count between pages and during a request. */
export interface CountSitesOptions extends OperationOptions {
  /** Sites per page (`$top`), 1 to 999; default Graph's own page size. */
  pageSize?: number;
  /** Called after each page. */
  onProgress?: (progress: SharePointSiteCountProgress) => void;
}

interface SitesPage {
  value?: { siteCollection?: { dataLocationCode?: string | null } }[];
  "@odata.nextLink"?: string;
}

const OPERATION = "policies.sharePoint.countSites";
const DELEGATED_HINT =
  "— Graph's sites/getAllSites answers only an application with the Sites.Read.All application permission (a signed-in user is refused even as SharePoint administrator): " +
  "run it as an app registration with Sites.Read.All granted (admin consent).";

const graphClients = new WeakMap<ClientContext, Client>();

/** Checks the options before any request. */
export function checkCountSitesOptions(options: CountSitesOptions): void {
  const size = options.pageSize;
  if (size !== undefined && !(Number.isInteger(size) && size >= 1 && size <= 999)) {
    throw new InvalidInputError("ERR_TRANSPORT_OPTIONS_INVALID", `pageSize must be a whole number from 1 to 999, got ${String(size)}.`, { field: "pageSize" });
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== "function") {
    throw new InvalidInputError("ERR_TRANSPORT_OPTIONS_INVALID", "onProgress must be a function.", { field: "onProgress" });
  }
}

/** Reads every page of getAllSites (only `siteCollection`) and counts the sites per geo. */
export async function countSharePointSites(context: ClientContext, options: CountSitesOptions = {}): Promise<SharePointSiteCounts> {
  let graph = graphClients.get(context);
  if (!graph) graphClients.set(context, (graph = createGraphClient(context)));
  const client = graph;
  const signal = options.abortSignal;
  const graphOrigin = new URL(context.graphEndpoint).origin.toLowerCase();
  const counts = new Map<string, number>();
  let next: string | undefined;
  let sitesRead = 0;
  let pages = 0;
  do {
    throwIfAborted(signal, OPERATION);
    const link = next;
    let page: SitesPage;
    try {
      page = await withRetry("graph.sites.getAllSites", () => graphCall(async () => {
        const request = link ? client.api(link) : client.api("/sites/getAllSites").select("siteCollection");
        if (!link && options.pageSize !== undefined) request.top(options.pageSize);
        if (signal) request.option("signal", signal);
        try {
          return (await request.get()) as SitesPage;
        } catch (error) {
          // Not transient: mapped here, with the fix, so withRetry passes it on as it is.
          if ((error as { statusCode?: number }).statusCode === 403) throw toServiceError(error, OPERATION, DELEGATED_HINT);
          throw error;
        }
      }), context.retryOptions(options));
    } catch (error) {
      if (signal?.aborted) throw error;
      throw toServiceError(error, OPERATION);
    }
    for (const site of page.value ?? []) {
      const geo = (site.siteCollection?.dataLocationCode ?? "").toUpperCase();
      counts.set(geo, (counts.get(geo) ?? 0) + 1);
      sitesRead++;
    }
    pages++;
    options.onProgress?.({ sitesRead, pages });
    next = page["@odata.nextLink"];
    // The token goes to Graph only: a nextLink on another host is not followed.
    if (next !== undefined && new URL(next).origin.toLowerCase() !== graphOrigin) {
      throw toServiceError(Object.assign(new Error(`Graph returned a next page on another host (${new URL(next).host}); not followed.`), { statusCode: 502 }), OPERATION);
    }
  } while (next);
  const geos = [...counts].map(([geo, sites]) => ({ geo, sites }));
  return { geos, total: sitesRead };
}
