import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient, PipelineOptions, PipelinePolicy } from "@azure/core-rest-pipeline";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { FeatureClient } from "@azure/arm-features";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { ResourceManagementClient } from "@azure/arm-resources";
import { CryptographyClient, KeyClient, type KeyVaultKey } from "@azure/keyvault-keys";
import { logger as packageLogger, type CustomerKeyLogger } from "./logger.js";
import { defaultRetrySettings, type RetrySettings } from "./retry.js";
import { withLogSafeAgent } from "./agent-http-client.js";
import { AuditTrail, auditRequestIdPolicy, type AuditOptions } from "./audit.js";
import type { ExchangeTransport } from "../transports/exchange-transport.js";
import type { SharePointTransport } from "../transports/sharepoint-transport.js";

/** A policy added to every Azure client's pipeline, as `@azure/core-client` takes them. */
type AdditionalPolicy = { policy: PipelinePolicy; position: "perCall" | "perRetry" };

/** Endpoints of the services the SDK calls; the defaults are Azure's public cloud. */
export interface CustomerKeyEndpoints {
  /** Resource Manager; default `https://management.azure.com`. */
  resourceManager?: string;
  /** Microsoft Graph; default `https://graph.microsoft.com`. */
  graph?: string;
  /** Token scope for Resource Manager; default `https://management.azure.com/.default`. */
  resourceManagerScope?: string;
  /** Exchange Online (the admin gateway of `ExchangeRestTransport`); default `https://outlook.office365.com`. */
  exchange?: string;
  /** The tenant's SharePoint admin center, e.g. `https://contoso-admin.sharepoint.com`; default none (read from the tenant when needed). */
  sharePointAdmin?: string;
}

export type { AuditOptions } from "./audit.js";

/**
 * Options of `CustomerKeyClient`. The Azure pipeline options (agent, proxy, TLS, user agent …)
 * are passed to every underlying Azure SDK client, so `...emulator.clientOptions()` works.
 * Retries are done by the SDK in one place (`retry`), so the Azure clients' own retry is off.
 * An `agent` and `tlsOptions` are carried by the HTTP client, never on the request the Azure SDK
 * logs (the agent's sockets hold the raw request text, bearer token included; the TLS settings a
 * client certificate's private key).
 */
export interface CustomerKeyClientOptions extends Omit<PipelineOptions, "retryOptions"> {
  /** Sends the HTTP requests of every Azure client (the Azure SDK's `httpClient` option); default core-rest-pipeline's Node client. */
  httpClient?: HttpClient;
  /** The Entra tenant of the subscriptions and of Microsoft 365. */
  tenantId: string;
  /** Service endpoints; default Azure's public cloud. */
  endpoints?: CustomerKeyEndpoints;
  /** How transient failures are retried; defaults in `RetrySettings`. */
  retry?: RetrySettings;
  /** Receives the SDK's progress lines; defaults to the `customer-key` Azure logger. */
  logger?: CustomerKeyLogger;
  /** How often long operations poll; default 5 s (Do-Not-Cancel), lower it in tests. */
  pollIntervalInMs?: number;
  /** Upper bound of requests in flight for bulk reads such as validate(); default 8. */
  maxConcurrency?: number;
  /**
   * Runs the Exchange Online cmdlets of `client.policies`; default an `ExchangeRestTransport` built
   * from the client's credential, tenant, `endpoints.exchange`, pipeline options (agent, TLS) and retry settings.
   */
  exchangeTransport?: ExchangeTransport;
  /**
   * How `client.policies.sharePoint` reaches SharePoint Online: one transport for every geo, or a
   * function making the transport of a geo's admin site URL. Default: a `SharePointRestTransport`
   * per admin site with the client's credential, retry settings, logger and pipeline options.
   */
  sharePointTransport?: SharePointTransport | ((adminSiteUrl: string) => SharePointTransport);
  /**
   * Opt-in audit trail of every change the client makes, whichever method makes it (subscriptions,
   * vault pairs, keys, backups, policies, the key roll, onboarding): one JSON line per change
   * (`AuditRecord`: who, from the token's claims; what; target; before and after; when; the
   * service's request id when the service sent one), appended to `file` (created with mode 0600)
   * or passed to `write`. Only changes actually made are written: a call that finds everything in
   * place writes nothing. Tokens, client secrets, key material and backup bytes are never in it.
   * A transport you bring (`exchangeTransport`, `sharePointTransport`) is not seen by the SDK's
   * HTTP pipeline, so its lines carry no request id. Default: off.
   */
  audit?: AuditOptions;
}

/** What every module shares: the credential, the settings and cached Azure clients. */
export class ClientContext {
  readonly credential: TokenCredential;
  readonly tenantId: string;
  readonly resourceManagerEndpoint: string;
  readonly graphEndpoint: string;
  readonly resourceManagerScope: string;
  /** Exchange Online endpoint, no trailing slash. */
  readonly exchangeEndpoint: string;
  /** SharePoint admin center URL when given, no trailing slash. */
  readonly sharePointAdminEndpoint: string | undefined;
  /** The transport the caller gave, if any (client.ts builds the REST default). */
  readonly exchangeTransport: ExchangeTransport | undefined;
  readonly retry: Required<RetrySettings>;
  readonly logger: CustomerKeyLogger;
  readonly pollIntervalInMs: number;
  readonly maxConcurrency: number;
  /**
   * Options for every Azure client: the user's pipeline options with retries turned off and the
   * agent and TLS settings moved into `httpClient` (see agent-http-client.ts), so no request the
   * Azure SDK logs carries them.
   */
  readonly pipelineOptions: Omit<PipelineOptions, "agent" | "tlsOptions"> & { httpClient?: HttpClient; additionalPolicies?: AdditionalPolicy[] };
  /** `options.sharePointTransport`, when given. */
  readonly sharePointTransport: CustomerKeyClientOptions["sharePointTransport"];
  /** The client's audit trail (does nothing unless `options.audit` is set). */
  readonly audit: AuditTrail;
  readonly #cache = new Map<string, unknown>();

  constructor(credential: TokenCredential, options: CustomerKeyClientOptions) {
    const { tenantId, endpoints, retry, logger, pollIntervalInMs, maxConcurrency, exchangeTransport, sharePointTransport, audit, ...pipeline } = options;
    this.credential = credential;
    this.tenantId = tenantId;
    this.resourceManagerEndpoint = (endpoints?.resourceManager ?? "https://management.azure.com").replace(/\/+$/, "");
    this.graphEndpoint = (endpoints?.graph ?? "https://graph.microsoft.com").replace(/\/+$/, "");
    this.resourceManagerScope = endpoints?.resourceManagerScope ?? "https://management.azure.com/.default";
    this.exchangeEndpoint = (endpoints?.exchange ?? "https://outlook.office365.com").replace(/\/+$/, "");
    this.sharePointAdminEndpoint = endpoints?.sharePointAdmin?.replace(/\/+$/, "");
    this.exchangeTransport = exchangeTransport;
    this.sharePointTransport = sharePointTransport;
    this.audit = new AuditTrail(audit, credential, this.resourceManagerScope);
    this.retry = { ...defaultRetrySettings, ...retry };
    this.logger = logger ?? packageLogger;
    this.pollIntervalInMs = pollIntervalInMs ?? 5000;
    this.maxConcurrency = maxConcurrency ?? 8;
    // With the audit trail on, every pipeline reads the service's request id of each change (audit.ts).
    const given = (pipeline as { additionalPolicies?: AdditionalPolicy[] }).additionalPolicies ?? [];
    const additionalPolicies: AdditionalPolicy[] = audit ? [...given, { policy: auditRequestIdPolicy, position: "perCall" }] : given;
    this.pipelineOptions = { ...withLogSafeAgent(pipeline), retryOptions: { maxRetries: 0 }, ...(additionalPolicies.length ? { additionalPolicies } : {}) };
  }

  /** What withRetry needs for one call: the client's retry settings and logger, and the caller's AbortSignal. */
  retryOptions(options: { abortSignal?: AbortSignal } = {}): { retry: Required<RetrySettings>; logger: CustomerKeyLogger; abortSignal?: AbortSignal } {
    return { retry: this.retry, logger: this.logger, ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}) };
  }

  #cached<T>(key: string, create: () => T): T {
    if (!this.#cache.has(key)) this.#cache.set(key, create());
    return this.#cache.get(key) as T;
  }

  resources(subscriptionId: string): ResourceManagementClient {
    return this.#cached(`resources:${subscriptionId}`, () =>
      new ResourceManagementClient(this.credential, subscriptionId, {
        ...this.pipelineOptions,
        endpoint: this.resourceManagerEndpoint,
        credentialScopes: [this.resourceManagerScope],
      }),
    );
  }

  keyVaultManagement(subscriptionId: string): KeyVaultManagementClient {
    // arm-keyvault 5 is a modular client: its scope option is `credentials.scopes` (research §2.6).
    return this.#cached(`kvm:${subscriptionId}`, () =>
      new KeyVaultManagementClient(this.credential, subscriptionId, {
        ...this.pipelineOptions,
        endpoint: this.resourceManagerEndpoint,
        credentials: { scopes: [this.resourceManagerScope] },
      }),
    );
  }

  features(subscriptionId: string): FeatureClient {
    return this.#cached(`features:${subscriptionId}`, () =>
      new FeatureClient(this.credential, subscriptionId, {
        ...this.pipelineOptions,
        endpoint: this.resourceManagerEndpoint,
        credentialScopes: [this.resourceManagerScope],
      }),
    );
  }

  authorization(subscriptionId: string): AuthorizationManagementClient {
    return this.#cached(`authorization:${subscriptionId}`, () =>
      new AuthorizationManagementClient(this.credential, subscriptionId, {
        ...this.pipelineOptions,
        endpoint: this.resourceManagerEndpoint,
        credentialScopes: [this.resourceManagerScope],
      }),
    );
  }

  /** A KeyClient for a vault URL (`properties.vaultUri` of the vault). */
  keys(vaultUrl: string): KeyClient {
    const url = vaultUrl.replace(/\/+$/, "");
    return this.#cached(`keys:${url.toLowerCase()}`, () => new KeyClient(url, this.credential, { ...this.pipelineOptions }));
  }

  /** A CryptographyClient for a key id (versioned kid) or a key already read. */
  crypto(key: string | KeyVaultKey): CryptographyClient {
    const create = () => new CryptographyClient(key as KeyVaultKey, this.credential, { ...this.pipelineOptions });
    return typeof key === "string" ? this.#cached(`crypto:${key.toLowerCase()}`, create) : create();
  }
}
