import type { Reply } from "../../kernel/http.js";
import type { Route, RouteContext } from "../../kernel/router.js";
import { spErrors } from "../errors.js";
import { member } from "../key-vault-info.js";
import { onboard, recover, roll, siteStatus, tenantStatus } from "../key-state-machine.js";
import { KEY_TYPES } from "../model.js";
import { bodyObject, openSharePoint, type SpContext } from "../request-context.js";
import { functionResult, statusInfo } from "../shapes.js";

/**
 * The Customer Key methods of `SP.Site` (research m365-endpoints §3.2) in their REST form
 * `POST {site}/_api/site/<Method>` with a JSON body of the named parameters [INF: the REST form is
 * inferred from `$metadata`; the methods and types are certain]. Tenant methods answer on the admin
 * site of a geo; `GetBringYourOwnKeySiteStatus` on any site (and on the admin site).
 */

const STATUS_TYPE = "SP.CustomerKeyStatusInfo";

/** Refuses parameters the method does not have (SharePoint REST does; wire text is its usual one). */
function onlyParameters(body: Record<string, unknown>, method: string, allowed: readonly string[]): void {
  for (const name of Object.keys(body)) {
    if (name === "__metadata") continue;
    if (!allowed.some((a) => a.toLowerCase() === name.toLowerCase())) throw spErrors.unknownParameter(name, method);
  }
}

function objectParameter(body: Record<string, unknown>, name: string, method: string): Record<string, unknown> {
  const value = member(body, name);
  if (value === undefined || value === null) throw spErrors.missingParameter(name, method);
  if (typeof value !== "object" || Array.isArray(value)) throw spErrors.badRequest(`The parameter ${name} of method ${method} must be an object.`);
  return value as Record<string, unknown>;
}

interface MethodSpec {
  name: string;
  /** Reads only: also answers GET, and `requests.mutating()` leaves it out. */
  readOnly?: boolean;
  /** Only on a geo's admin site. */
  tenant: boolean;
  run(sp: SpContext, body: Record<string, unknown>): Reply;
}

const methods: MethodSpec[] = [
  {
    name: "GetBringYourOwnKeyTenantStatus",
    readOnly: true,
    tenant: true,
    run: (sp) => functionResult(sp.req, "GetBringYourOwnKeyTenantStatus", STATUS_TYPE, statusInfo(tenantStatus(sp.core, sp.geo))),
  },
  {
    name: "OnboardTenantForBringYourOwnKey",
    tenant: true,
    run: (sp, body) => {
      const method = "OnboardTenantForBringYourOwnKey";
      onlyParameters(body, method, ["keyInfo"]);
      onboard(sp.core, sp.geo, objectParameter(body, "keyInfo", method));
      return functionResult(sp.req, method, STATUS_TYPE, statusInfo(tenantStatus(sp.core, sp.geo)));
    },
  },
  {
    name: "RollTenantBringYourOwnKey",
    tenant: true,
    run: (sp, body) => {
      const method = "RollTenantBringYourOwnKey";
      onlyParameters(body, method, ["keyType", "keyVaultInfo"]);
      const keyType = member(body, "keyType");
      if (keyType === undefined || keyType === null) throw spErrors.missingParameter("keyType", method);
      // Edm.Int32 of SP.CustomerKeyVaultKeyType; the enum name is accepted too, as OData parsers do.
      const slot = typeof keyType === "number" ? KEY_TYPES[keyType] : KEY_TYPES.find((k) => k.toLowerCase() === String(keyType).toLowerCase());
      if (slot === undefined || (typeof keyType === "number" && !Number.isInteger(keyType))) {
        throw spErrors.badRequest(`The value '${String(keyType)}' of parameter keyType is not a valid CustomerKeyVaultKeyType (0 Primary, 1 Secondary, 2 Availability).`);
      }
      roll(sp.core, sp.geo, slot, objectParameter(body, "keyVaultInfo", method));
      return functionResult(sp.req, method, STATUS_TYPE, statusInfo(tenantStatus(sp.core, sp.geo)));
    },
  },
  {
    name: "RecoverTenantForBringYourOwnKey",
    tenant: true,
    run: (sp, body) => {
      const method = "RecoverTenantForBringYourOwnKey";
      onlyParameters(body, method, ["keyInfo"]);
      recover(sp.core, sp.geo, objectParameter(body, "keyInfo", method));
      return functionResult(sp.req, method, STATUS_TYPE, statusInfo(tenantStatus(sp.core, sp.geo)));
    },
  },
  {
    name: "GetBringYourOwnKeyRecoveryKeyMode",
    readOnly: true,
    tenant: true,
    run: (sp) => functionResult(sp.req, "GetBringYourOwnKeyRecoveryKeyMode", "Edm.Int32", sp.geo.recoveryKeyMode),
  },
  {
    name: "GetBringYourOwnKeySiteStatus",
    readOnly: true,
    tenant: false,
    run: (sp) => {
      // On the admin site the root site of the geo stands for it (the admin site is not a BYOK content site).
      const site = sp.site ?? sp.geo.sites[0]!;
      return functionResult(sp.req, "GetBringYourOwnKeySiteStatus", STATUS_TYPE, statusInfo(siteStatus(sp.core, sp.geo, site)));
    },
  },
];

function handler(spec: MethodSpec) {
  return async (ctx: RouteContext): Promise<Reply> => {
    const sp = openSharePoint(ctx, ctx.params["site"], { readOnly: spec.readOnly === true });
    if (spec.tenant && !sp.adminSite) throw spErrors.notAdminSite(spec.name);
    const body = ctx.req.method === "POST" ? await bodyObject(ctx.req, spec.name) : {};
    if (spec.readOnly) onlyParameters(body, spec.name, []);
    return spec.run(sp, body);
  };
}

/** Each method at `/_api/site/<Method>` and, for sites, `/sites/{name}/_api/site/<Method>`; reads also by GET. */
export const byokRoutes: Route[] = methods.flatMap((spec) => {
  const paths = spec.tenant ? [`/_api/site/${spec.name}`] : [`/_api/site/${spec.name}`, `/sites/:site/_api/site/${spec.name}`];
  const verbs = spec.readOnly ? ["POST", "GET"] : ["POST"];
  return paths.flatMap((path) =>
    verbs.map((method): Route => ({ method, path, operation: spec.name, handler: handler(spec), ...(spec.readOnly ? { readOnly: true } : {}) })),
  );
});
