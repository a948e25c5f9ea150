import { randomUUID } from "node:crypto";
import type { EmulatorRequest, Reply, ServiceError } from "../kernel/http.js";
import type { KeyStatus } from "./key-state-machine.js";
import { CUSTOMER_KEY_STATUS } from "./model.js";

/**
 * SharePoint REST (OData v3) bodies, after research m365-wire-shapes §3.3. The three JSON modes
 * are SharePoint's own (seen for other types); their use for `SP.CustomerKeyStatusInfo` is inferred.
 */
export type ODataMode = "verbose" | "minimalmetadata" | "nometadata";

/**
 * The mode the `Accept` header asks for: `odata=verbose|minimalmetadata|nometadata` (or the v4
 * spelling `odata.metadata=full|minimal|none`, answered in the v3 shapes [INF]); plain
 * `application/json` or no Accept is minimal metadata (SharePoint's JSON default; a real server
 * answers Atom XML when no JSON is asked for, which the emulator does not serve).
 */
export function odataMode(req: EmulatorRequest): ODataMode {
  const accept = (req.header("accept") ?? "").toLowerCase();
  if (/odata\s*=\s*verbose|odata\.metadata\s*=\s*full/.test(accept)) return "verbose";
  if (/odata\s*=\s*nometadata|odata\.metadata\s*=\s*none/.test(accept)) return "nometadata";
  return "minimalmetadata";
}

/** Response headers SharePoint Online sends on `_api` answers (names seen on SPO; values emulated). */
export function sharePointHeaders(mode: ODataMode, requestId: string = randomUUID()): Record<string, string> {
  return {
    "content-type": mode === "verbose" ? "application/json;odata=verbose;charset=utf-8" : `application/json;odata=${mode};streaming=true;charset=utf-8`,
    dataserviceversion: "3.0",
    sprequestguid: requestId,
    "request-id": requestId,
    "x-sharepointhealthscore": "0",
    microsoftsharepointteamservices: "16.0.0.0",
  };
}

/** `SP.CustomerKeyStatusInfo` members in `$metadata` order; `Status` is the enum number. */
export function statusInfo(status: KeyStatus): Record<string, unknown> {
  return {
    AvailabilityKeyVaultUri: status.availabilityKeyVaultUri,
    PrimaryKeyVaultUri: status.primaryKeyVaultUri,
    RecoveryEnabled: status.recoveryEnabled,
    RegistrationProgress: status.registrationProgress,
    SecondaryKeyVaultUri: status.secondaryKeyVaultUri,
    Status: CUSTOMER_KEY_STATUS.indexOf(status.status),
  };
}

/**
 * A function result in the requested mode. A complex type is wrapped as
 * `{"d":{"<Method>":{"__metadata":{"type":…},…}}}` (verbose) or flattened beside `odata.metadata`
 * (minimal); a primitive sits in `value` (minimal, none) or under the method name (verbose).
 */
export function functionResult(req: EmulatorRequest, method: string, type: string, result: Record<string, unknown> | number): Reply {
  const mode = odataMode(req);
  const metadata = `${req.origin}${sitePrefix(req.path)}/_api/$metadata#${type}`;
  let body: unknown;
  if (typeof result === "number") {
    body = mode === "verbose" ? { d: { [method]: result } } : mode === "minimalmetadata" ? { "odata.metadata": metadata, value: result } : { value: result };
  } else {
    body = mode === "verbose" ? { d: { [method]: { __metadata: { type }, ...result } } } : mode === "minimalmetadata" ? { "odata.metadata": metadata, ...result } : result;
  }
  return { status: 200, body, headers: sharePointHeaders(mode, req.requestId) };
}

/** `/sites/x` of `/sites/x/_api/...`, empty for the root. */
function sitePrefix(path: string): string {
  const at = path.toLowerCase().indexOf("/_api/");
  return at > 0 ? path.slice(0, at) : "";
}

/**
 * SharePoint's REST error body: `{"odata.error":{code,message:{lang,value}}}`, or the same under
 * `"error"` in verbose mode (research wire-shapes §3.3).
 */
export function errorBodyOf(req: EmulatorRequest, error: ServiceError, code: string, message: string): Reply {
  const mode = odataMode(req);
  const inner = { code, message: { lang: "en-US", value: message } };
  return {
    status: error.status,
    body: mode === "verbose" ? { error: inner } : { "odata.error": inner },
    headers: { ...sharePointHeaders(mode, req.requestId), ...error.extra.headers },
  };
}
