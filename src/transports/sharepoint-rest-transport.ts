/**
 * SharePointRestTransport (experimental): the Customer Key methods of `SP.Site` over SharePoint
 * REST, `POST {site}/_api/site/<Method>` with the named parameters as a JSON body. The methods,
 * their parameters and types are certain (SharePoint's `$metadata`, the CSOM API); that this REST
 * form reaches them is inferred from the metadata (research m365-endpoints §3.2–3.4) and has not
 * been seen on the wire. The PowerShell cmdlets use CSOM ProcessQuery instead.
 */
import type { TokenCredential } from "@azure/core-auth";
import { InvalidInputError } from "../errors.js";
import { logger as packageLogger, type CustomerKeyLogger } from "../internal/logger.js";
import { runOperation, type OperationOptions } from "../internal/operation.js";
import { defaultRetrySettings, withRetry, type RetrySettings } from "../internal/retry.js";
import { toServiceError } from "../internal/service-errors.js";
import { isGuid } from "../rules/ids.js";
import { isValidVaultName } from "../rules/vault-naming.js";
import { didNotRun, httpsOrigin, jsonOf, JsonPoster, replyCause, type HttpReply, type TransportPipelineOptions } from "./rest-pipeline.js";
import { parseSharePointErrorBody, SharePointRequestError, sharePointErrorCode } from "./sharepoint-request-error.js";
import {
  CUSTOMER_KEY_STATUS_NAMES,
  type CustomerKeyInfo,
  type CustomerKeyStatusInfo,
  type CustomerKeyVaultInfo,
  type SharePointKeyType,
  type SharePointTransport,
} from "./sharepoint-transport.js";

/**
 * Options of {@link SharePointRestTransport} (experimental); the pipeline options (agent, proxy,
 * user agent…) go to every request.
 *
 * @beta
 */
export interface SharePointRestTransportOptions extends TransportPipelineOptions {
  /** Gets the tokens, for `{origin of the site}/.default`; the caller needs the SharePoint Administrator role. */
  credential: TokenCredential;
  /** The tenant admin site, e.g. `https://contoso-admin.sharepoint.com` (one per geo in a multi-geo tenant). */
  adminSiteUrl: string;
  /** How transient failures are retried; defaults in `RetrySettings`. */
  retry?: RetrySettings;
  /** Receives one line per call and retry (method names only, never values); defaults to the `customer-key` Azure logger. */
  logger?: CustomerKeyLogger;
}

/** `SP.CustomerKeyVaultKeyType`: the `keyType` number of a roll. */
const KEY_TYPE_NUMBERS: Record<SharePointKeyType, number> = { primary: 0, secondary: 1 };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
/** Methods that change nothing, so any transient failure may be retried. */
const READS = new Set(["GetBringYourOwnKeyTenantStatus", "GetBringYourOwnKeySiteStatus"]);

/**
 * Runs SharePoint Online's Customer Key operations over SharePoint REST on the tenant admin site.
 *
 * Experimental: the REST form (`POST {adminSiteUrl}/_api/site/<Method>` with JSON bodies) is
 * inferred from SharePoint's service metadata and has not been seen on the wire; the PowerShell
 * cmdlets use CSOM. Use `SharePointPowerShellTransport` where the REST form is refused.
 *
 * @beta
 */
export class SharePointRestTransport implements SharePointTransport {
  readonly #credential: TokenCredential;
  readonly #pipeline: TransportPipelineOptions;
  readonly #admin: URL;
  readonly #adminPath: string;
  readonly #retry: Required<RetrySettings>;
  readonly #logger: CustomerKeyLogger;
  /** One pipeline per token audience: the admin site's origin, and each site origin asked about. */
  readonly #posters = new Map<string, JsonPoster>();

  /** Makes the transport; throws InvalidInputError for options that cannot work (nothing is sent). */
  constructor(options: SharePointRestTransportOptions) {
    const { credential, adminSiteUrl, retry, logger, ...pipeline } = options ?? ({} as SharePointRestTransportOptions);
    if (!credential || typeof (credential as { getToken?: unknown }).getToken !== "function") {
      throw new InvalidInputError("ERR_CREDENTIAL_INVALID", "credential must be a TokenCredential (e.g. new DefaultAzureCredential()).", { field: "credential" });
    }
    this.#admin = httpsOrigin(adminSiteUrl, "adminSiteUrl");
    this.#adminPath = new URL(adminSiteUrl).pathname.replace(/\/+$/, "");
    this.#credential = credential;
    this.#pipeline = pipeline;
    this.#retry = { ...defaultRetrySettings, ...retry };
    this.#logger = logger ?? packageLogger;
  }

  /** `Get-SPODataEncryptionPolicy`: the tenant's state (method `GetBringYourOwnKeyTenantStatus`, operation `sharepoint.getTenantKeyStatus`). */
  getTenantKeyStatus(options: OperationOptions = {}): Promise<CustomerKeyStatusInfo> {
    return this.#call("sharepoint.getTenantKeyStatus", "GetBringYourOwnKeyTenantStatus", () => ({}), options);
  }

  /** `Register-SPODataEncryptionPolicy`: starts the registration (method `OnboardTenantForBringYourOwnKey`); poll getTenantKeyStatus for progress. */
  registerTenantKeys(keyInfo: CustomerKeyInfo, options: OperationOptions = {}): Promise<CustomerKeyStatusInfo> {
    return this.#call("sharepoint.registerTenantKeys", "OnboardTenantForBringYourOwnKey", () => ({ keyInfo: keyInfoBody(keyInfo) }), options);
  }

  /** `Update-SPODataEncryptionPolicy`: starts a roll of one key (method `RollTenantBringYourOwnKey`, `keyType` primary 0, secondary 1); one roll at a time. */
  rollTenantKey(keyType: SharePointKeyType, keyVaultInfo: CustomerKeyVaultInfo, options: OperationOptions = {}): Promise<CustomerKeyStatusInfo> {
    return this.#call("sharepoint.rollTenantKey", "RollTenantBringYourOwnKey", () => {
      const number = KEY_TYPE_NUMBERS[keyType];
      if (number === undefined || !Object.hasOwn(KEY_TYPE_NUMBERS, keyType)) {
        throw new InvalidInputError("ERR_SHAREPOINT_KEY_INFO_INVALID", `keyType must be "primary" or "secondary", got '${String(keyType).slice(0, 40)}'.`, { field: "keyType" });
      }
      return { keyType: number, keyVaultInfo: vaultInfoBody(keyVaultInfo, "keyVaultInfo") };
    }, options);
  }

  /** `Restore-SPODataEncryptionPolicy`: restores the keys of a tenant in recovery mode (method `RecoverTenantForBringYourOwnKey`). */
  recoverTenantKeys(keyInfo: CustomerKeyInfo, options: OperationOptions = {}): Promise<CustomerKeyStatusInfo> {
    return this.#call("sharepoint.recoverTenantKeys", "RecoverTenantForBringYourOwnKey", () => ({ keyInfo: keyInfoBody(keyInfo) }), options);
  }

  /**
   * `Get-SPOSiteDataEncryptionPolicy`: one site's state (method `GetBringYourOwnKeySiteStatus` on
   * the site itself, with a token for the site's origin). The site must be in the admin site's
   * SharePoint domain (same parent domain and port), so the token goes nowhere else.
   */
  getSiteKeyStatus(siteUrl: string, options: OperationOptions = {}): Promise<CustomerKeyStatusInfo> {
    return this.#call("sharepoint.getSiteKeyStatus", "GetBringYourOwnKeySiteStatus", () => ({}), options, () => this.#siteBase(siteUrl));
  }

  /** A site URL in the tenant's SharePoint domain, without a trailing slash; else InvalidInputError. */
  #siteBase(siteUrl: string): string {
    let url: URL | undefined;
    try {
      url = typeof siteUrl === "string" ? new URL(siteUrl) : undefined;
    } catch {
      url = undefined;
    }
    const parent = (host: string) => host.slice(host.indexOf(".") + 1);
    if (!url || url.protocol !== "https:" || url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "" || url.port !== this.#admin.port || parent(url.hostname) !== parent(this.#admin.hostname)) {
      throw new InvalidInputError("ERR_SHAREPOINT_SITE_URL_INVALID", `siteUrl must be an https URL of a site in ${parent(this.#admin.hostname)} (the admin site's domain), such as https://contoso.${parent(this.#admin.hostname)}/sites/finance; got '${String(siteUrl).slice(0, 120)}'.`, { field: "siteUrl" });
    }
    return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
  }

  #poster(origin: string): JsonPoster {
    let poster = this.#posters.get(origin);
    if (!poster) this.#posters.set(origin, (poster = new JsonPoster(this.#credential, `${origin}/.default`, this.#pipeline)));
    return poster;
  }

  /** One method call: input checked first (`body` and `base` throw InvalidInputError), then one POST with the retries maySendAgain allows. */
  #call(operation: string, method: string, body: () => Json, options: OperationOptions, base: () => string = () => `${this.#admin.origin}${this.#adminPath}`): Promise<CustomerKeyStatusInfo> {
    return runOperation({ logger: this.#logger }, operation, options, async (updated) => {
      const payload = body();
      const siteBase = base();
      const poster = this.#poster(new URL(siteBase).origin);
      const url = `${siteBase}/_api/site/${method}`;
      const idempotent = READS.has(method);
      const outcome = await withRetry(operation, async (): Promise<{ json: Json } | { failed: unknown }> => {
        let reply: HttpReply;
        try {
          // JSON light without metadata both ways; the answer is read in any of the three OData modes.
          reply = await poster.post(url, payload, { accept: "application/json;odata=nometadata", "content-type": "application/json;odata=nometadata" }, {
            abortSignal: updated.abortSignal,
            tracingOptions: updated.tracingOptions,
          });
        } catch (error) {
          if (updated.abortSignal?.aborted || maySendAgain(error, idempotent)) throw error;
          return { failed: error };
        }
        if (reply.status >= 200 && reply.status < 300) {
          const json = jsonOf(reply.text);
          if (isObject(json)) return { json };
          return { failed: new SharePointRequestError("ERR_SHAREPOINT_REQUEST_FAILED", `${method}: SharePoint answered ${reply.status} without a JSON body.`, { method, operation, statusCode: reply.status }) };
        }
        const error = sharePointErrorOf(reply, method, operation);
        if (maySendAgain(error, idempotent)) throw error;
        return { failed: error };
      }, { ...(updated.abortSignal ? { abortSignal: updated.abortSignal } : {}), retry: this.#retry, logger: this.#logger });
      if ("failed" in outcome) throw toServiceError(outcome.failed, operation);
      return statusInfoOf(outcome.json, method, operation);
    });
  }
}

/**
 * Whether a failed call may be sent again (withRetry then decides by status). An answer with
 * SharePoint's own error body is the service's verdict (a state conflict comes as 500 with
 * SPException) and is not sent again, unless it says throttled or unavailable. Reads go again on
 * any other transient failure; a registration, roll or recovery only when it certainly did not
 * run, since a second one would be refused as "in progress" and hide that the first started.
 */
function maySendAgain(error: unknown, idempotent: boolean): boolean {
  if (error instanceof SharePointRequestError && error.exceptionClass !== undefined) {
    return error.statusCode === 429 || error.statusCode === 503 || error.exceptionClass.endsWith("SPRequestLimitExceededException");
  }
  return idempotent || didNotRun(error);
}

/** The typed error of a failed reply. */
export function sharePointErrorOf(reply: HttpReply, method: string, operation: string): SharePointRequestError {
  const parts = parseSharePointErrorBody(jsonOf(reply.text));
  const code = sharePointErrorCode(parts, reply.status);
  const requestId = reply.headers.get("sprequestguid") ?? reply.headers.get("request-id") ?? undefined;
  const why = parts?.text ?? `HTTP ${reply.status} without an error body.`;
  const hint = code === "ERR_SHAREPOINT_FORBIDDEN" ? " The caller needs the SharePoint Administrator role (an application: Sites.FullControl.All on SharePoint)." : "";
  const message = `${method} failed: ${why}${parts?.exceptionClass ? ` (${parts.exceptionClass})` : ""}${hint}`;
  return new SharePointRequestError(code, message, {
    method,
    operation,
    statusCode: reply.status,
    ...(parts?.hresult !== undefined ? { hresult: parts.hresult } : {}),
    ...(parts?.exceptionClass ? { exceptionClass: parts.exceptionClass } : {}),
    ...(parts?.serviceCode ? { serviceCode: parts.serviceCode } : {}),
    ...(requestId ? { requestId } : {}),
  }, { cause: replyCause(reply, message) });
}

/** `SP.CustomerKeyInfo`: the two customer keys (the availability key is Microsoft's and not sent). */
function keyInfoBody(keyInfo: CustomerKeyInfo): Json {
  if (!isObject(keyInfo)) throw new InvalidInputError("ERR_SHAREPOINT_KEY_INFO_INVALID", "keyInfo must be { PrimaryKeyVault, SecondaryKeyVault }.", { field: "keyInfo" });
  return {
    PrimaryKeyVault: vaultInfoBody(keyInfo.PrimaryKeyVault, "keyInfo.PrimaryKeyVault"),
    SecondaryKeyVault: vaultInfoBody(keyInfo.SecondaryKeyVault, "keyInfo.SecondaryKeyVault"),
  };
}

/**
 * `SP.CustomerKeyVaultInfo`, checked. `KeyVersion` and `SubscriptionId` are Edm.Guid, so sent in
 * the dashed GUID form; `Uri` is sent as the key's versioned id, since the cmdlets' BYOK_Uri
 * parameter set (`-KeyVaultUri` alone, no name or version) can only mean that [INF].
 */
function vaultInfoBody(info: CustomerKeyVaultInfo, field: string): Json {
  const bad = (member: string, why: string): never => {
    throw new InvalidInputError("ERR_SHAREPOINT_KEY_INFO_INVALID", `${field}.${member} ${why}`, { field: `${field}.${member}` });
  };
  if (!isObject(info)) throw new InvalidInputError("ERR_SHAREPOINT_KEY_INFO_INVALID", `${field} must be an object with KeyName, KeyVersion, Uri and VaultName.`, { field });
  if (typeof info.VaultName !== "string" || !isValidVaultName(info.VaultName)) bad("VaultName", "must be a Key Vault name (3 to 24 letters, digits and hyphens).");
  if (typeof info.KeyName !== "string" || !/^[0-9a-zA-Z-]{1,127}$/.test(info.KeyName)) bad("KeyName", "must be a Key Vault key name (1 to 127 letters, digits and hyphens).");
  const version = typeof info.KeyVersion === "string" ? info.KeyVersion.replace(/[{}-]/g, "") : "";
  if (!/^[0-9a-f]{32}$/i.test(version)) bad("KeyVersion", "must be the key version: 32 hex digits, as in the key id.");
  let uri: URL | undefined;
  try {
    uri = typeof info.Uri === "string" ? new URL(info.Uri) : undefined;
  } catch {
    uri = undefined;
  }
  if (!uri || uri.protocol !== "https:" || uri.search !== "" || uri.hash !== "") bad("Uri", "must be the vault's https URI (https://contoso-ck-eu1.vault.azure.net/) or the key's versioned id.");
  if (uri!.hostname.split(".")[0]!.toLowerCase() !== String(info.VaultName).toLowerCase()) bad("Uri", "is not in the vault VaultName names.");
  const inUri = /^\/keys\/([^/]+)\/([0-9a-f]{32})\/?$/i.exec(uri!.pathname);
  if (uri!.pathname.replace(/\/+$/, "") !== "" && !(inUri && inUri[1] === info.KeyName && inUri[2]!.toLowerCase() === version.toLowerCase())) {
    bad("Uri", "must be the vault's URI, or the versioned id of the key KeyName and KeyVersion name.");
  }
  if (info.SubscriptionId !== undefined && !isGuid(info.SubscriptionId)) bad("SubscriptionId", "must be a subscription id (a GUID).");
  if (info.ResourceGroupName !== undefined && (typeof info.ResourceGroupName !== "string" || info.ResourceGroupName.trim() === "")) bad("ResourceGroupName", "must be a resource group name.");
  return {
    KeyName: info.KeyName,
    KeyVersion: dashed(version),
    ...(info.ResourceGroupName !== undefined ? { ResourceGroupName: info.ResourceGroupName } : {}),
    ...(info.SubscriptionId !== undefined ? { SubscriptionId: info.SubscriptionId.toLowerCase() } : {}),
    // The versioned key id: the cmdlets' BYOK_Uri set names a key by this URI alone [INF].
    Uri: `${uri!.origin}/keys/${info.KeyName}/${version.toLowerCase()}`,
    VaultName: info.VaultName,
  };
}

const dashed = (hex: string) => {
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/**
 * `SP.CustomerKeyStatusInfo` in any OData mode (verbose `{"d":{"<Method>":{…}}}`, minimal with
 * `odata.*` members, none), mapped to CustomerKeyStatusInfo: `Status` as name and number,
 * `RegistrationProgress` as the service's number in text, absent URIs as `""`.
 */
export function statusInfoOf(body: Json, method: string, operation: string): CustomerKeyStatusInfo {
  const d = isObject(body["d"]) ? body["d"] : undefined;
  const info = (d && isObject(d[method]) ? d[method] : d) ?? body;
  const member = (name: string): unknown => {
    const key = Object.keys(info).find((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : info[key];
  };
  const raw = member("Status");
  let code: number;
  let name: string;
  if (typeof raw === "number" && Number.isInteger(raw)) {
    code = raw;
    name = CUSTOMER_KEY_STATUS_NAMES[raw] ?? `Unknown(${raw})`;
  } else if (typeof raw === "string" && raw !== "") {
    const index = CUSTOMER_KEY_STATUS_NAMES.findIndex((n) => n.toLowerCase() === raw.toLowerCase());
    code = index;
    name = index >= 0 ? CUSTOMER_KEY_STATUS_NAMES[index]! : raw;
  } else {
    throw new SharePointRequestError("ERR_SHAREPOINT_REQUEST_FAILED", `${method}: SharePoint's answer has no Status; it is not an SP.CustomerKeyStatusInfo.`, { method, operation, statusCode: 200 });
  }
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  const progress = member("RegistrationProgress");
  return {
    Status: name,
    StatusCode: code,
    RegistrationProgress: typeof progress === "number" || typeof progress === "string" ? String(progress) : "",
    PrimaryKeyVaultUri: text(member("PrimaryKeyVaultUri")),
    SecondaryKeyVaultUri: text(member("SecondaryKeyVaultUri")),
    AvailabilityKeyVaultUri: text(member("AvailabilityKeyVaultUri")),
    RecoveryEnabled: member("RecoveryEnabled") === true,
  };
}
