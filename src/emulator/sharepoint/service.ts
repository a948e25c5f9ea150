import type { EmulatorCore } from "../kernel/core.js";
import type { EmulatorRequest, Reply, ServiceError } from "../kernel/http.js";
import { defineService } from "../kernel/service-definition.js";
import { REDACTED_TEXT } from "../kernel/snapshot.js";
import { FILE_NOT_FOUND, INVALID_CLIENT_QUERY, REQUEST_LIMIT_EXCEEDED, SP_EXCEPTION, UNAUTHORIZED_ACCESS } from "./errors.js";
import { emptySharePointState, newGeos, sharePointState, SHAREPOINT_STATE_KEY, type SharePointState } from "./model.js";
import { ADMIN_HOST, sharePointAudiences, SITES_HOST, tenantLabel } from "./request-context.js";
import { byokRoutes } from "./routes/byok.js";
import { errorBodyOf } from "./shapes.js";

/** The SharePoint Online application id: the `client_id` of its 401 challenge. */
const SHAREPOINT_APP_ID = "00000003-0000-0ff1-ce00-000000000000";

/**
 * Errors raised by the kernel (authentication, routing, throttling, injected faults) carry generic
 * codes; SharePoint answers them with its own `"<HRESULT>, <class>"` codes [INF for 401, 405, 429, 5xx].
 */
function sharePointCode(error: ServiceError): { code: string; message: string } {
  if (/^-?\d+, /.test(error.code)) return { code: error.code, message: error.message };
  switch (error.status) {
    case 400:
    case 413:
      return { code: INVALID_CLIENT_QUERY, message: error.message };
    case 401:
      return { code: UNAUTHORIZED_ACCESS, message: "Attempted to perform an unauthorized operation." };
    case 403:
      return { code: UNAUTHORIZED_ACCESS, message: "Access denied. You do not have permission to perform this action or access this resource." };
    case 404:
      return { code: FILE_NOT_FOUND, message: "File Not Found." };
    case 429:
      return { code: REQUEST_LIMIT_EXCEEDED, message: "The request has been throttled. Retry after the time the Retry-After header gives." };
    default:
      return { code: SP_EXCEPTION, message: error.status >= 500 ? "The server is busy or unavailable. Try again later." : error.message };
  }
}

function errorReply(error: ServiceError, req: EmulatorRequest, core: EmulatorCore): Reply {
  const { code, message } = sharePointCode(error);
  const reply = errorBodyOf(req, error, code, message);
  if (error.status === 401) {
    // SharePoint's bearer challenge and its diagnostics header (form known from SPO; values emulated).
    reply.headers = {
      ...reply.headers,
      "www-authenticate": `Bearer realm="${core.tenantId}",client_id="${SHAREPOINT_APP_ID}",trusted_issuers="00000001-0000-0000-c000-000000000000@*",authorization_uri="${core.endpoints.authorityHost}/common/oauth2/authorize"`,
      "x-ms-diagnostics": `3000003;reason="${error.message.replace(/"/g, "'")}";category="invalid_client"`,
    };
  }
  return reply;
}

/** Wrapped tenant keys leave a snapshot; the state file keeps them. */
function redact(state: SharePointState): void {
  for (const geo of state.geos) for (const slot of Object.values(geo.keys)) if (slot) slot.wrappedTenantKey = REDACTED_TEXT;
}

/**
 * SharePoint Online's Customer Key methods: per geo an admin site `{label}-admin.sharepoint.localhost`
 * and a sites host `{label}.sharepoint.localhost` (root site `/`, others `/sites/{name}`).
 */
export const sharePointService = defineService({
  name: "sharepoint",
  hosts: [ADMIN_HOST, SITES_HOST],
  audiences: sharePointAudiences,
  state: { key: SHAREPOINT_STATE_KEY, empty: emptySharePointState, redact },
  routes: byokRoutes,
  throttled: true,
  seed(core) {
    const state = sharePointState(core);
    if (state.geos.length === 0) {
      state.geos = newGeos(tenantLabel(core.endpoints), []);
      core.changed();
    }
  },
  errorReply,
});
