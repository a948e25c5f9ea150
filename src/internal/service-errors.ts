import { isCustomerKeyError, ServiceRequestError, type CustomerKeyErrorCode } from "../errors.js";

/** Statuses and network failures worth another attempt. */
const transientStatuses = new Set([408, 429, 500, 502, 503, 504]);
const transientNetworkCodes = new Set([
  "ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENOTFOUND", "ESOCKETTIMEDOUT",
  "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "REQUEST_SEND_ERROR",
]);

interface HttpishError {
  statusCode?: number;
  code?: string;
  message?: string;
  response?: { headers?: { get?(name: string): string | undefined } | Record<string, string> };
  details?: { error?: { code?: string } };
}

export function statusOf(error: unknown): number | undefined {
  if (error instanceof ServiceRequestError) return error.statusCode;
  const status = (error as HttpishError | undefined)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** True for failures that may succeed if tried again: throttling, 5xx, timeouts and connection resets. */
export function isTransient(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined) return transientStatuses.has(status);
  const code = (error as HttpishError | undefined)?.code;
  return typeof code === "string" && transientNetworkCodes.has(code);
}

/** A host name that did not resolve (`getaddrinfo ENOTFOUND host`). */
export function isUnresolvedHost(error: unknown): boolean {
  const e = error as HttpishError | undefined;
  return e?.code === "ENOTFOUND" || (statusOf(error) === undefined && /\bENOTFOUND\b/.test(e?.message ?? ""));
}

function unresolvedHostHint(message: string): string {
  const host = /ENOTFOUND\s+([^\s,;)]+)/.exec(message)?.[1];
  return (
    `The host name ${host ? `'${host}' ` : ""}does not resolve. Most often the client's \`endpoints\` option is missing or wrong: ` +
    "without it the client calls Azure's public cloud (management.azure.com, graph.microsoft.com); against the emulator pass " +
    "its endpoints ({ endpoints: { resourceManager, graph } } from emulator.endpoints) and its clientOptions(). Otherwise check the vault URL and DNS."
  );
}

function header(error: unknown, name: string): string | undefined {
  // Azure RestError keeps headers on `response`; the Graph client's GraphError on `headers`.
  const e = error as (HttpishError & { headers?: unknown }) | undefined;
  const headers = (e?.response?.headers ?? e?.headers) as NonNullable<HttpishError["response"]>["headers"] | undefined;
  if (!headers) return undefined;
  // Fetch `Headers.get` answers null for a missing header.
  if (typeof (headers as { get?: unknown }).get === "function") return (headers as { get(n: string): string | null | undefined }).get(name) ?? undefined;
  return (headers as Record<string, string>)[name];
}

/**
 * The wait a service asked for, in milliseconds: Azure's `retry-after-ms` / `x-ms-retry-after-ms`
 * (milliseconds) first, as core-rest-pipeline reads them, else `Retry-After` (seconds or an HTTP date).
 */
export function retryAfterMs(error: unknown, now = Date.now()): number | undefined {
  if (error instanceof ServiceRequestError) return retryAfterMs(error.cause, now);
  const ms = Number(header(error, "retry-after-ms") ?? header(error, "x-ms-retry-after-ms") ?? Number.NaN);
  if (Number.isFinite(ms)) return Math.max(0, ms);
  const value = header(error, "retry-after");
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const codeByStatus: Record<number, CustomerKeyErrorCode> = {
  400: "ERR_SERVICE_BAD_REQUEST",
  401: "ERR_SERVICE_UNAUTHENTICATED",
  403: "ERR_SERVICE_FORBIDDEN",
  404: "ERR_SERVICE_NOT_FOUND",
  409: "ERR_SERVICE_CONFLICT",
  429: "ERR_SERVICE_THROTTLED",
  503: "ERR_SERVICE_UNAVAILABLE",
};

/** The Key Vault key permission each of our operations needs (for a 403 whose text does not name it). */
const KEY_PERMISSION_OF_OPERATION: Record<string, string> = {
  "keys.create": "create",
  "keys.roll": "create",
  "keys.import": "import",
  "keys.get": "get",
  "keys.getKeyUri": "get",
  "keys.listVersions": "list",
  "keys.updateProperties": "update",
  "keys.clearExpiry": "update",
  "keys.recover": "recover",
  "keys.backup": "backup",
  "backups.backupKey": "backup",
  "keys.restore": "restore",
  "backups.restoreKey": "restore",
  "keys.rootKey.wrapKey": "wrapKey",
  "keys.rootKey.unwrapKey": "unwrapKey",
};

/** Permissions Microsoft's administrator set (and our plan) leaves out on purpose: granted for one task, then removed. */
const TEMPORARY_KEY_PERMISSIONS = new Set(["update", "recover", "delete", "purge"]);

/**
 * What a 403 lacked, said so that the reader can act: Key Vault names the access-policy
 * permission ("does not have keys update permission") or the RBAC data action ("Action: '…'");
 * otherwise the operation tells which key permission it needs.
 */
export function missingPermissionHint(message: string, operation: string): string | undefined {
  const policy = /does not have (keys|secrets|certificates) (\w+) permission/i.exec(message);
  const action = /Action: '([^']+)'/i.exec(message);
  const permission = policy ? `${policy[1]!.toLowerCase()} ${policy[2]}` : undefined;
  const wanted = policy?.[2] ?? KEY_PERMISSION_OF_OPERATION[operation];
  const temporary = wanted !== undefined && TEMPORARY_KEY_PERMISSIONS.has(wanted)
    ? ` Administrators do not hold '${wanted}' (Microsoft's administrator set leaves it out): grant it for this task only and remove it afterwards (Set-AzKeyVaultAccessPolicy -PermissionsToKeys ${wanted}, then Remove-AzKeyVaultAccessPolicy; with the SDK, KeyVaultManagementClient.vaults.updateAccessPolicy "add" then "remove"; see the README's "Rights you need").`
    : "";
  if (permission) return `Missing ${permission} permission on the vault.${temporary}`;
  if (action) return `Missing the role data action '${action[1]}' on the vault (RBAC).${temporary.replace("Set-AzKeyVaultAccessPolicy -PermissionsToKeys " + wanted + ", then Remove-AzKeyVaultAccessPolicy", "a role assignment such as Key Vault Crypto Officer, then its removal")}`;
  if (wanted && /permission|authoriz/i.test(message)) return `Probably missing keys ${wanted} permission on the vault.${temporary}`;
  return undefined;
}

/** The errors `@azure/identity` credentials throw when they cannot get a token. */
const SIGN_IN_FAILURES = new Set(["CredentialUnavailableError", "AuthenticationError", "AggregateAuthenticationError", "AuthenticationRequiredError"]);

/**
 * Turns a failure of an Azure SDK call into a ServiceRequestError that keeps the status, the
 * service's code and the request id, and drops the request object (its headers hold the token).
 */
export function toServiceError(error: unknown, operation: string, hint?: string): Error {
  if (isCustomerKeyError(error)) return error;
  const e = (error ?? {}) as HttpishError;
  const statusCode = statusOf(error);
  const serviceCode = e.details?.error?.code ?? (typeof e.code === "string" ? e.code : undefined);
  // The credential got no token (no sign-in found, or Entra ID refused it): not an unreachable service.
  const signIn = statusCode === undefined && SIGN_IN_FAILURES.has((error as Error | undefined)?.name ?? "");
  const code: CustomerKeyErrorCode = signIn ? "ERR_SERVICE_UNAUTHENTICATED" : statusCode === undefined ? "ERR_SERVICE_UNREACHABLE" : (codeByStatus[statusCode] ?? (statusCode >= 500 ? "ERR_SERVICE_FAILED" : "ERR_SERVICE_REQUEST"));
  const requestId = header(error, "x-ms-request-id");
  const what = signIn ? "got no token from the credential" : statusCode === undefined ? "could not reach the service" : `failed with ${statusCode}${serviceCode ? ` ${serviceCode}` : ""}`;
  const full = e.message ?? String(error);
  const text = full.split("\n")[0]!.trim();
  const forbidden = statusCode === 403 ? missingPermissionHint(full, operation) : undefined;
  if (forbidden) hint = hint ? `${forbidden} ${hint}` : forbidden;
  if (statusCode === undefined && isUnresolvedHost(error)) hint = hint ? `${unresolvedHostHint(full)} ${hint}` : unresolvedHostHint(full);
  const cause = Object.assign(new Error(text), { name: (error as Error)?.name ?? "Error", statusCode, code: serviceCode });
  const retry = retryAfterMs(error);
  if (retry !== undefined) Object.assign(cause, { response: { headers: { "retry-after-ms": String(retry) } } });
  return new ServiceRequestError(code, `${operation} ${what}: ${text}${hint ? ` ${hint}` : ""}`, {
    ...(statusCode !== undefined ? { statusCode } : {}),
    ...(serviceCode ? { serviceCode } : {}),
    operation,
    ...(requestId ? { requestId } : {}),
  }, { cause });
}
