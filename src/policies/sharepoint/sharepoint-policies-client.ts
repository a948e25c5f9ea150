/**
 * `client.policies.sharePoint`: SharePoint Online's Customer Key policy, one per geo — register,
 * read, roll one key, recover. Key URIs are checked before anything is sent (shape and pairing
 * in rules/key-uris.ts, the live keys and subscriptions in azure/key-uri-reads.ts); the status is
 * read before every change, so a registration or roll that is still running refuses a second one
 * with a typed error instead of SharePoint's refusal. Each begin* poller sends its request once
 * (recorded in its state) and then only reads the status, so a resumed poller never sends twice.
 */
import { InvalidInputError, PreconditionFailedError } from "../../errors.js";
import type { ClientContext } from "../../internal/context.js";
import { runOperation, type OperationOptions } from "../../internal/operation.js";
import { createPoller, type CustomerKeyPoller } from "../../internal/poller.js";
import { checkCountSitesOptions, countSharePointSites, type CountSitesOptions, type SharePointSiteCounts } from "../../azure/sharepoint-site-counts.js";
import { checkGeoCode, listSharePointGeos, pickGeo, type SharePointGeo } from "../../azure/sharepoint-geos.js";
import { resolveKeyUri, resolveKeyUriPair, type ResolvedKeyUri } from "../../azure/key-uri-reads.js";
import { parseKeyUri, parseKeyUriPair, tryParseKeyUri, type ParsedKeyUri } from "../../rules/key-uris.js";
import type { CustomerKeyStatusInfo, CustomerKeyVaultInfo, SharePointKeyType, SharePointTransport } from "../../transports/sharepoint-transport.js";
import type {
  GetSharePointPolicyOptions,
  RecoverSharePointPolicyOptions,
  RegisterSharePointPolicyOptions,
  RollSharePointKeyOptions,
  SharePointPolicy,
  SharePointPolicyOperationKind,
  SharePointPolicyOperationState,
  SharePointPollerOptions,
} from "./types.js";

/** Serialized states of these pollers carry this kind, so one cannot resume another operation's poller. */
export const SHAREPOINT_POLICY_POLLER_KIND = "customer-key.policies.sharePoint";

/** States in which SharePoint refuses a registration or a roll: one key operation at a time. */
const BUSY = new Set(["registering", "rolling"]);
const is = (state: string | undefined, name: string) => (state ?? "").toLowerCase() === name.toLowerCase();

/** `client.policies.sharePoint`: SharePoint Online's Customer Key policy (one per geo in a Multi-Geo tenant). */
export interface SharePointPoliciesOperations {
  /**
   * `Register-SPODataEncryptionPolicy`: registers the two keys for a geo and follows
   * `RegistrationProgress` to `Registered` (hours). Before sending: both URIs valid, in two vaults of
   * two subscriptions, live enabled RSA keys permitting wrapKey and unwrapKey, and the geo
   * Unregistered. A geo already registered with these keys is a no-op; with other keys it is refused
   * (`ERR_SHAREPOINT_POLICY_CONFLICT`; roll instead).
   */
  beginRegister(options: RegisterSharePointPolicyOptions): CustomerKeyPoller<SharePointPolicyOperationState, SharePointPolicy>;
  /** `Get-SPODataEncryptionPolicy`: a geo's policy (the default geo unless `geo` is given). */
  get(options?: GetSharePointPolicyOptions): Promise<SharePointPolicy>;
  /** The policy of every geo of the tenant (geos read from Microsoft Graph), default geo first. */
  list(options?: OperationOptions): Promise<SharePointPolicy[]>;
  /**
   * The tenant's site collections counted per geo, for showing beside each geo's registration
   * progress: Microsoft Graph `GET /v1.0/sites/getAllSites`, every page, only `siteCollection`
   * selected. No Customer Key read returns a site count. Graph serves getAllSites only to an
   * application with the Sites.Read.All application permission; a signed-in user gets
   * `ERR_SERVICE_FORBIDDEN` (403) with that fix. One request per page (Graph's page size unless
   * `pageSize`); `onProgress` after each.
   */
  countSites(options?: CountSitesOptions): Promise<SharePointSiteCounts>;
  /**
   * `Update-SPODataEncryptionPolicy`: replaces the primary or secondary key (usually by a new version
   * of it) and follows the roll to `Registered`. Refused before sending while a registration or
   * another roll runs (`ERR_SHAREPOINT_OPERATION_IN_PROGRESS`; SharePoint rolls one key at a time) or
   * when the geo is not registered (`ERR_SHAREPOINT_NOT_REGISTERED`). A slot already holding the key
   * URI is a no-op.
   */
  beginRollKey(options: RollSharePointKeyOptions): CustomerKeyPoller<SharePointPolicyOperationState, SharePointPolicy>;
  /**
   * `Restore-SPODataEncryptionPolicy`: restores a geo in recovery mode (after Microsoft put it
   * there) with the two keys, checked as for `beginRegister`, and follows it to `Registered`.
   */
  beginRecover(options: RecoverSharePointPolicyOptions): CustomerKeyPoller<SharePointPolicyOperationState, SharePointPolicy>;
}

/** Makes the transport of one admin site. */
export type SharePointTransportFactory = (adminSiteUrl: string) => SharePointTransport;

/** Implements SharePointPoliciesOperations; built by the facade. @internal */
export class SharePointPoliciesClient implements SharePointPoliciesOperations {
  readonly #context: ClientContext;
  readonly #transportFor: SharePointTransportFactory;
  readonly #transports = new Map<string, SharePointTransport>();
  readonly #defaultAdminSiteUrl: string | undefined;

  /** `defaultAdminSiteUrl` (endpoints.sharePointAdmin) is the default geo's admin site; without it Graph is asked. */
  constructor(context: ClientContext, transportFor: SharePointTransportFactory, defaultAdminSiteUrl?: string) {
    this.#context = context;
    this.#transportFor = transportFor;
    this.#defaultAdminSiteUrl = defaultAdminSiteUrl?.replace(/\/+$/, "");
  }

  #transport(adminSiteUrl: string): SharePointTransport {
    let transport = this.#transports.get(adminSiteUrl);
    if (!transport) this.#transports.set(adminSiteUrl, (transport = this.#transportFor(adminSiteUrl)));
    return transport;
  }

  /** The geo a `geo` option names: the configured admin site for the default geo, else Graph's. */
  async #geo(geo: string | undefined, options: OperationOptions): Promise<SharePointGeo> {
    if (geo === undefined && this.#defaultAdminSiteUrl) return { code: "", rootSiteUrl: "", adminSiteUrl: this.#defaultAdminSiteUrl, isDefault: true };
    return pickGeo(await this.#geos(options), geo);
  }

  async #geos(options: OperationOptions): Promise<SharePointGeo[]> {
    const geos = await listSharePointGeos(this.#context, options);
    if (this.#defaultAdminSiteUrl) for (const g of geos) if (g.isDefault) g.adminSiteUrl = this.#defaultAdminSiteUrl;
    return geos;
  }

  get(options: GetSharePointPolicyOptions = {}): Promise<SharePointPolicy> {
    const code = options.geo === undefined ? undefined : checkGeoCode(options.geo);
    return runOperation(this.#context, "policies.sharePoint.get", options, async (o) => {
      const geo = await this.#geo(code, o);
      return toPolicy(geo.code, geo.adminSiteUrl, await this.#transport(geo.adminSiteUrl).getTenantKeyStatus(o));
    });
  }

  list(options: OperationOptions = {}): Promise<SharePointPolicy[]> {
    return runOperation(this.#context, "policies.sharePoint.list", options, async (o) => {
      const out: SharePointPolicy[] = [];
      for (const geo of await this.#geos(o)) out.push(toPolicy(geo.code, geo.adminSiteUrl, await this.#transport(geo.adminSiteUrl).getTenantKeyStatus(o)));
      return out;
    });
  }

  countSites(options: CountSitesOptions = {}): Promise<SharePointSiteCounts> {
    return runOperation(this.#context, "policies.sharePoint.countSites", options, (o) => {
      checkCountSitesOptions(o);
      return countSharePointSites(this.#context, o);
    });
  }

  beginRegister(options: RegisterSharePointPolicyOptions): CustomerKeyPoller<SharePointPolicyOperationState, SharePointPolicy> {
    return this.#beginPair("register", options);
  }

  beginRecover(options: RecoverSharePointPolicyOptions): CustomerKeyPoller<SharePointPolicyOperationState, SharePointPolicy> {
    return this.#beginPair("recover", options);
  }

  beginRollKey(options: RollSharePointKeyOptions): CustomerKeyPoller<SharePointPolicyOperationState, SharePointPolicy> {
    checkOptions(options);
    if (options.keyType !== "primary" && options.keyType !== "secondary") {
      throw new InvalidInputError("ERR_SHAREPOINT_KEY_INFO_INVALID", `keyType must be "primary" or "secondary" (got '${String(options.keyType).slice(0, 40)}').`, { field: "keyType" });
    }
    const parsed = parseKeyUri(options.keyUri, "keyUri");
    const keyType = options.keyType;
    return this.#begin("rollKey", options, [options.keyUri], { keyType }, async (state, status, o) => {
      if (!is(status.Status, "Registered") || status.RecoveryEnabled) {
        throw new PreconditionFailedError("ERR_SHAREPOINT_NOT_REGISTERED", `SharePoint Online${geoText(state.geo)} is ${status.Status}, not Registered: a key roll needs a registered policy (client.policies.sharePoint.beginRegister, Register-SPODataEncryptionPolicy).`);
      }
      const resolved = await resolveKeyUri(this.#context, parsed, "keyUri", o);
      const inUse = tryParseKeyUri(keyType === "primary" ? status.PrimaryKeyVaultUri : status.SecondaryKeyVaultUri);
      const other = tryParseKeyUri(keyType === "primary" ? status.SecondaryKeyVaultUri : status.PrimaryKeyVaultUri);
      if (other && other.vaultName === resolved.vaultName) {
        throw new InvalidInputError("ERR_KEY_URIS_SAME_VAULT", `keyUri is in vault '${resolved.vaultName}', which already holds the ${keyType === "primary" ? "secondary" : "primary"} key: the two keys must stay in two different vaults.`, { field: "keyUri" });
      }
      state.keyUris = [resolved.keyUri];
      if (inUse && sameVersion(inUse, resolved)) return false; // already in place: nothing to send
      await this.#audited("rollKey", state, status, () => this.#transport(state.adminSiteUrl).rollTenantKey(keyType, vaultInfo(resolved), o));
      return true;
    });
  }

  #beginPair(kind: "register" | "recover", options: RegisterSharePointPolicyOptions): CustomerKeyPoller<SharePointPolicyOperationState, SharePointPolicy> {
    checkOptions(options);
    const pair = parseKeyUriPair(options.primaryKeyUri, options.secondaryKeyUri);
    return this.#begin(kind, options, [options.primaryKeyUri, options.secondaryKeyUri], {}, async (state, status, o) => {
      const keys = await resolveKeyUriPair(this.#context, pair, ["primaryKeyUri", "secondaryKeyUri"], o);
      state.keyUris = keys.map((k) => k.keyUri);
      const transport = this.#transport(state.adminSiteUrl);
      if (kind === "register") {
        if (is(status.Status, "Registered")) {
          if (holds(status, keys)) return false; // registered with these keys already: idempotent
          throw new PreconditionFailedError(
            "ERR_SHAREPOINT_POLICY_CONFLICT",
            `SharePoint Online${geoText(state.geo)} is already registered with other keys (primary ${status.PrimaryKeyVaultUri || "?"}, secondary ${status.SecondaryKeyVaultUri || "?"}). Nothing was sent. Change a key with client.policies.sharePoint.beginRollKey (Update-SPODataEncryptionPolicy).`,
          );
        }
        if (!is(status.Status, "Unregistered")) {
          throw new PreconditionFailedError("ERR_SHAREPOINT_POLICY_CONFLICT", `SharePoint Online${geoText(state.geo)} is ${status.Status}; a registration needs it Unregistered.`);
        }
        await this.#audited("register", state, status, () => transport.registerTenantKeys({ PrimaryKeyVault: vaultInfo(keys[0]), SecondaryKeyVault: vaultInfo(keys[1]) }, o));
        return true;
      }
      if (!status.RecoveryEnabled && !is(status.Status, "Recovering")) {
        if (is(status.Status, "Registered") && holds(status, keys)) return false;
        throw new PreconditionFailedError("ERR_SHAREPOINT_NOT_IN_RECOVERY", `SharePoint Online${geoText(state.geo)} is ${status.Status}, not in recovery mode: Restore-SPODataEncryptionPolicy is for a tenant Microsoft put in recovery after a key loss.`);
      }
      await this.#audited("recover", state, status, () => transport.recoverTenantKeys({ PrimaryKeyVault: vaultInfo(keys[0]), SecondaryKeyVault: vaultInfo(keys[1]) }, o));
      return true;
    });
  }

  /** Sends one registration, roll or recovery: one audit line, the status before and as the service answered it. */
  #audited(kind: SharePointPolicyOperationKind, state: SharePointPolicyOperationState, before: CustomerKeyStatusInfo, send: () => Promise<CustomerKeyStatusInfo>): Promise<CustomerKeyStatusInfo> {
    const seen = (s: CustomerKeyStatusInfo) => ({ status: s.Status, primaryKeyVaultUri: s.PrimaryKeyVaultUri, secondaryKeyVaultUri: s.SecondaryKeyVaultUri, recoveryEnabled: s.RecoveryEnabled });
    return this.#context.audit.change(
      { what: `policies.sharePoint.${kind}`, target: `${state.adminSiteUrl}${state.geo ? ` (geo ${state.geo})` : ""}`, before: seen(before) },
      send,
      (after) => ({ ...seen(after), requested: state.keyUris, ...(state.keyType ? { keyType: state.keyType } : {}) }),
    );
  }

  /**
   * The poller of one operation. Its first step finds the geo, reads the status (refusing while
   * another operation runs) and calls `send` (which checks the keys and sends, or returns false
   * when there is nothing to do); every later step reads the status until `Registered`.
   */
  #begin(
    kind: SharePointPolicyOperationKind,
    options: SharePointPollerOptions,
    keyUris: string[],
    extra: { keyType?: SharePointKeyType },
    send: (state: SharePointPolicyOperationState, status: CustomerKeyStatusInfo, options: OperationOptions) => Promise<boolean>,
  ): CustomerKeyPoller<SharePointPolicyOperationState, SharePointPolicy> {
    const code = options.geo === undefined ? undefined : checkGeoCode(options.geo);
    const initial: SharePointPolicyOperationState = {
      status: "notStarted",
      operation: kind,
      geo: code ?? "",
      adminSiteUrl: "",
      sent: false,
      keyUris,
      ...extra,
      policyState: undefined,
      progressPercent: 0,
      updatedAt: new Date().toISOString(),
    };
    const poller = createPoller<SharePointPolicyOperationState, SharePointPolicy>({
      kind: `${SHAREPOINT_POLICY_POLLER_KIND}.${kind}`,
      initialState: options.resumeFrom ?? initial,
      intervalInMs: options.updateIntervalInMs ?? this.#context.pollIntervalInMs,
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      step: (state, o) => this.#step(state, code, send, o),
      operation: { name: `policies.sharePoint.begin${kind[0]!.toUpperCase()}${kind.slice(1)}`, context: this.#context, ...(options.tracingOptions ? { tracingOptions: options.tracingOptions } : {}) },
    });
    if (options.resumeFrom && code !== undefined && poller.operationState.geo !== code) {
      throw new InvalidInputError("ERR_POLLER_STATE_INVALID", `resumeFrom belongs to geo '${poller.operationState.geo}', not '${code}'.`, { field: "resumeFrom" });
    }
    if (options.onProgress) poller.onProgress(options.onProgress);
    return poller;
  }

  async #step(
    previous: SharePointPolicyOperationState,
    code: string | undefined,
    send: (state: SharePointPolicyOperationState, status: CustomerKeyStatusInfo, options: OperationOptions) => Promise<boolean>,
    options: OperationOptions,
  ): Promise<SharePointPolicyOperationState> {
    const state: SharePointPolicyOperationState = { ...previous, keyUris: [...previous.keyUris], status: "running" };
    if (!state.adminSiteUrl) {
      const geo = await this.#geo(code, options);
      state.geo = geo.code;
      state.adminSiteUrl = geo.adminSiteUrl;
    }
    const transport = this.#transport(state.adminSiteUrl);
    let status = await transport.getTenantKeyStatus(options);
    if (!state.sent && startedByUs(state, status)) {
      // Our request landed but its answer was lost (or the process died before recording it): follow it, never send again.
      state.sent = true;
    }
    if (!state.sent) {
      if (BUSY.has(status.Status.toLowerCase())) {
        throw new PreconditionFailedError(
          "ERR_SHAREPOINT_OPERATION_IN_PROGRESS",
          `SharePoint Online${geoText(state.geo)} is ${status.Status} (${progressOf(status)} %); it runs one registration or key roll at a time. Nothing was sent: wait for it (client.policies.sharePoint.get, Get-SPODataEncryptionPolicy) and try again.`,
        );
      }
      let sent: boolean;
      try {
        sent = await send(state, status, options);
      } catch (error) {
        // A connection lost after the request went out: it may have run, and SharePoint would refuse
        // a second one as "in progress". Look once; when our request is running, follow it.
        const now = await transport.getTenantKeyStatus(options).catch(() => undefined);
        if (!now || !(startedByUs(state, now) || rollRunsOurKey(state, now))) throw error;
        this.#context.logger.info(`policies.sharePoint.${state.operation}: the answer was lost, but the request runs; following it.`);
        sent = true;
      }
      state.sent = true;
      if (sent) {
        this.#context.logger.info(`policies.sharePoint.${state.operation}: sent to ${state.adminSiteUrl}.`);
        status = await transport.getTenantKeyStatus(options);
      }
    }
    state.policyState = status.Status;
    state.progressPercent = progressOf(status);
    state.updatedAt = new Date().toISOString();
    if (is(status.Status, "Registered") && !status.RecoveryEnabled) {
      const policy = toPolicy(state.geo, state.adminSiteUrl, status);
      const expected = state.keyUris.map((u) => tryParseKeyUri(u));
      const reported = state.operation === "rollKey"
        ? [tryParseKeyUri(state.keyType === "primary" ? status.PrimaryKeyVaultUri : status.SecondaryKeyVaultUri)]
        : [tryParseKeyUri(status.PrimaryKeyVaultUri), tryParseKeyUri(status.SecondaryKeyVaultUri)];
      const mismatch = expected.some((e, i) => e && reported[i] && !sameVersion(reported[i]!, e));
      if (mismatch) {
        return { ...state, status: "failed", error: { code: "ERR_SHAREPOINT_POLICY_CONFLICT", message: `SharePoint Online${geoText(state.geo)} finished Registered with keys other than requested (primary ${status.PrimaryKeyVaultUri}, secondary ${status.SecondaryKeyVaultUri}).` } };
      }
      return { ...state, status: "succeeded", result: policy, progressPercent: 100 };
    }
    if (is(status.Status, "Unregistered") && state.sent) {
      return { ...state, status: "failed", error: { code: "ERR_SHAREPOINT_REQUEST_FAILED", message: `SharePoint Online${geoText(state.geo)} went back to Unregistered: the ${state.operation} did not complete.` } };
    }
    return state;
  }
}

/**
 * True when a registration or recovery is running with exactly the requested keys (versions
 * included): the one this poller sent before its answer was lost. Only for those: a Rolling
 * status does not say which slot rolls, so a roll cannot be told from someone else's and is
 * refused as in progress (re-run it once done: a slot already holding the key is a no-op).
 * Versionless input URIs never match: their version is only known once resolved.
 */
function startedByUs(state: SharePointPolicyOperationState, status: CustomerKeyStatusInfo): boolean {
  if (state.operation === "rollKey" || !is(status.Status, "Registering")) return false;
  const wanted = state.keyUris.map((u) => tryParseKeyUri(u));
  if (wanted.length !== 2 || wanted.some((w) => !w?.version)) return false;
  const reported = [tryParseKeyUri(status.PrimaryKeyVaultUri), tryParseKeyUri(status.SecondaryKeyVaultUri)];
  return wanted.every((w, i) => !!reported[i] && sameVersion(reported[i]!, w!));
}

/** A roll running with the key this roll just sent in its slot (only asked right after sending it). */
function rollRunsOurKey(state: SharePointPolicyOperationState, status: CustomerKeyStatusInfo): boolean {
  if (state.operation !== "rollKey" || !is(status.Status, "Rolling")) return false;
  const wanted = tryParseKeyUri(state.keyUris[0]);
  const reported = tryParseKeyUri(state.keyType === "primary" ? status.PrimaryKeyVaultUri : status.SecondaryKeyVaultUri);
  return !!wanted?.version && !!reported && sameVersion(reported, wanted);
}

function checkOptions(options: unknown): void {
  if (!options || typeof options !== "object") throw new InvalidInputError("ERR_SHAREPOINT_KEY_INFO_INVALID", "options are required.", { field: "options" });
}

const geoText = (geo: string) => (geo ? ` (geo ${geo})` : "");

/** `RegistrationProgress` as a number 0–100 (the service sends text such as `"42"` or `"42 %"`). */
function progressOf(status: CustomerKeyStatusInfo): number {
  if (is(status.Status, "Registered")) return 100;
  const n = Number.parseFloat(String(status.RegistrationProgress ?? "").replace(",", "."));
  return Number.isFinite(n) ? Math.max(0, Math.min(100, Math.round(n * 100) / 100)) : 0;
}

function toPolicy(geo: string, adminSiteUrl: string, status: CustomerKeyStatusInfo): SharePointPolicy {
  return {
    geo,
    adminSiteUrl,
    state: status.Status,
    progressPercent: progressOf(status),
    primaryKeyUri: status.PrimaryKeyVaultUri || undefined,
    secondaryKeyUri: status.SecondaryKeyVaultUri || undefined,
    availabilityKeyUri: status.AvailabilityKeyVaultUri || undefined,
    recoveryEnabled: status.RecoveryEnabled === true,
  };
}

const sameVersion = (a: ParsedKeyUri, b: ParsedKeyUri) => a.vaultName === b.vaultName && a.keyName.toLowerCase() === b.keyName.toLowerCase() && (a.version ?? "") === (b.version ?? "");

/** True when the status names exactly these two keys, in order. */
function holds(status: CustomerKeyStatusInfo, keys: readonly [ResolvedKeyUri, ResolvedKeyUri]): boolean {
  const p = tryParseKeyUri(status.PrimaryKeyVaultUri);
  const s = tryParseKeyUri(status.SecondaryKeyVaultUri);
  return !!p && !!s && sameVersion(p, keys[0]) && sameVersion(s, keys[1]);
}

function vaultInfo(key: ResolvedKeyUri): CustomerKeyVaultInfo {
  return {
    VaultName: key.vaultName,
    KeyName: key.keyName,
    KeyVersion: key.version,
    Uri: key.keyUri,
    ...(key.subscriptionId ? { SubscriptionId: key.subscriptionId } : {}),
    ...(key.resourceGroup ? { ResourceGroupName: key.resourceGroup } : {}),
  };
}
