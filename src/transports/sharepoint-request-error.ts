/**
 * The typed error of a SharePoint Online request, and how SharePoint's REST error body is read
 * (research m365-wire-shapes §3.3): `{"odata.error":{"code":"<HRESULT>, <class>","message":{"value"}}}`,
 * the same under `"error"` in verbose mode.
 */
import { ServiceRequestError, type CustomerKeyErrorCode, type CustomerKeyErrorOptions } from "../errors.js";

/** What a SharePoint error body said. */
export interface SharePointErrorParts {
  /** The HRESULT, e.g. -2146232832; undefined when the code had none. */
  hresult: number | undefined;
  /** The .NET exception class, e.g. `Microsoft.SharePoint.SPException`. */
  exceptionClass: string | undefined;
  /** The message text. */
  text: string;
  /** The body's `code` as sent. */
  serviceCode: string | undefined;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined);

/** Reads `odata.error` / `error` (JSON light or verbose); undefined when the body is neither. */
export function parseSharePointErrorBody(body: unknown): SharePointErrorParts | undefined {
  const error = obj(obj(body)?.["odata.error"]) ?? obj(obj(body)?.["error"]);
  if (!error) return undefined;
  const code = typeof error["code"] === "string" ? error["code"] : undefined;
  const message = error["message"];
  const text = (typeof message === "string" ? message : typeof obj(message)?.["value"] === "string" ? (obj(message)!["value"] as string) : undefined) ?? "SharePoint gave no reason.";
  // "<HRESULT>, <class>", split at the first comma as PnP Core does.
  const match = code ? /^\s*(-?\d+)\s*,\s*(.+)$/.exec(code) : null;
  return {
    hresult: match ? Number(match[1]) : undefined,
    exceptionClass: match ? match[2]!.trim() : undefined,
    text,
    serviceCode: code,
  };
}

/**
 * SharePoint's texts for a registration or roll that is still running. Only the documented rule
 * ("only allows you to roll one key at a time … wait for the first operation to complete") is
 * known; the service's exact wording is not (research wire-shapes §3.1), so the match is broad.
 */
const IN_PROGRESS = /\bin progress\b|already (running|in progress)|one key at a time|wait for (the|it)\b.*\bcomplete/i;

/** The code of a refusal: in-progress by its text, forbidden and not-found by class or status. */
export function sharePointErrorCode(parts: SharePointErrorParts | undefined, status: number): CustomerKeyErrorCode {
  const cls = parts?.exceptionClass ?? "";
  if (status === 401 || status === 403 || cls.endsWith("UnauthorizedAccessException")) return "ERR_SHAREPOINT_FORBIDDEN";
  if (status === 429 || cls.endsWith("SPRequestLimitExceededException")) return "ERR_SERVICE_THROTTLED";
  if (status === 503) return "ERR_SERVICE_UNAVAILABLE";
  if (status === 404 || cls.endsWith("FileNotFoundException") || cls.endsWith("SpoNoSiteException")) return "ERR_SHAREPOINT_SITE_NOT_FOUND";
  if (parts && IN_PROGRESS.test(parts.text)) return "ERR_SHAREPOINT_OPERATION_IN_PROGRESS";
  return "ERR_SHAREPOINT_REQUEST_FAILED";
}

/**
 * A SharePoint Online request that failed. `code`: `ERR_SHAREPOINT_OPERATION_IN_PROGRESS` (a
 * registration or roll is still running), `ERR_SHAREPOINT_FORBIDDEN` (the caller is not a SharePoint
 * Administrator), `ERR_SHAREPOINT_SITE_NOT_FOUND`, `ERR_SERVICE_THROTTLED`, `ERR_SERVICE_UNAVAILABLE`,
 * else `ERR_SHAREPOINT_REQUEST_FAILED`; `exceptionClass` and `hresult` are SharePoint's own.
 */
export class SharePointRequestError extends ServiceRequestError {
  /** The `SP.Site` method that failed, e.g. `RollTenantBringYourOwnKey`. */
  readonly method: string;
  /** SharePoint's HRESULT, e.g. -2146232832; undefined when the body had none. */
  readonly hresult: number | undefined;
  /** The .NET exception class, e.g. `Microsoft.SharePoint.SPException`; undefined when the body had none. */
  readonly exceptionClass: string | undefined;

  /** Makes the error from what the failed reply said. */
  constructor(
    code: CustomerKeyErrorCode,
    message: string,
    details: {
      method: string;
      operation: string;
      hresult?: number | undefined;
      exceptionClass?: string | undefined;
      statusCode?: number | undefined;
      serviceCode?: string | undefined;
      requestId?: string | undefined;
    },
    options?: CustomerKeyErrorOptions,
  ) {
    super(code, message, {
      operation: details.operation,
      ...(details.statusCode !== undefined ? { statusCode: details.statusCode } : {}),
      ...(details.serviceCode !== undefined ? { serviceCode: details.serviceCode } : {}),
      ...(details.requestId !== undefined ? { requestId: details.requestId } : {}),
    }, options);
    this.method = details.method;
    this.hresult = details.hresult;
    this.exceptionClass = details.exceptionClass;
  }
}
