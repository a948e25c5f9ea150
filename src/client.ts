/**
 * CustomerKeyClient: the facade. One credential, one set of options (endpoints, pipeline options,
 * retry, logger), shared by every module through a ClientContext. The one place that wires the
 * feature folders together: they never import each other (test/package/layers.test.ts).
 */
import type { TokenCredential } from "@azure/core-auth";
import { SubscriptionReads } from "./azure/arm-subscriptions.js";
import { VaultArm } from "./azure/arm-vaults.js";
import { GraphDirectory } from "./azure/graph-directory.js";
import { BackupsClient, type BackupsOperations } from "./backups/backups-client.js";
import { DirectoryClient, type DirectoryOperations } from "./directory/directory-client.js";
import { InvalidInputError } from "./errors.js";
import { ClientContext, type CustomerKeyClientOptions } from "./internal/context.js";
import { runOperation } from "./internal/operation.js";
import { KeysClient, type KeysOperations } from "./keys/keys-client.js";
import type { PreflightReport } from "./preflight/report.js";
import type { ValidateOptions, ValidationInput } from "./preflight/types.js";
import { validate } from "./preflight/run-preflight.js";
import { isGuid } from "./rules/ids.js";
import { SubscriptionsClient, type SubscriptionsOperations } from "./subscriptions/subscriptions-client.js";
import { VaultPairsClient, type VaultPairsOperations } from "./vault-pairs/vault-pairs-client.js";
// ── SharePoint policies and key roll (wave3-policies-sharepoint) ──
import { SharePointPoliciesClient, type SharePointPoliciesOperations, type SharePointTransportFactory } from "./policies/sharepoint/sharepoint-policies-client.js";
import { SharePointRestTransport } from "./transports/sharepoint-rest-transport.js";
import { ExchangeRestTransport } from "./transports/exchange-rest-transport.js";
import type { ExchangeTransport } from "./transports/exchange-transport.js";
import { beginRollRootKey, type KeyRollDependencies } from "./key-roll/key-roll.js";
import { ExchangePolicyRefresher } from "./key-roll/exchange-policy-refresher.js";
import type { KeyRollOperationState, KeyRollResult, RollRootKeyEverywhereOptions } from "./key-roll/types.js";
import type { CustomerKeyPoller } from "./internal/poller.js";
import { parseKeyId } from "./azure/vault-and-key-ids.js";
// ── end SharePoint policies and key roll ──

/** Every module of one client, wired to one context and one set of shared readers. @internal */
export interface ClientModules {
  context: ClientContext;
  subscriptions: SubscriptionsClient;
  vaultPairs: VaultPairsClient;
  keys: KeysClient;
  backups: BackupsClient;
  directory: DirectoryClient;
  // ── SharePoint policies and key roll (wave3-policies-sharepoint) ──
  sharePointPolicies: SharePointPoliciesClient;
  keyRoll: KeyRollDependencies;
  // ── end SharePoint policies and key roll ──
  validate(target: ValidationInput, options?: ValidateOptions): Promise<PreflightReport>;
}

/** Builds the modules on one context: shared readers once, the directory cache once. @internal */
export function wireModules(context: ClientContext): ClientModules {
  const arm = new VaultArm(context);
  const graph = new GraphDirectory(context);
  const subscriptionReads = new SubscriptionReads(context);
  const backups = new BackupsClient(context);
  const services = { arm, directory: graph, subscriptions: subscriptionReads };
  // ── SharePoint policies and key roll (wave3-policies-sharepoint) ──
  const keys = new KeysClient(context, backups);
  const sharePointPolicies = new SharePointPoliciesClient(context, sharePointTransportFactory(context), context.sharePointAdminEndpoint);
  const keyRoll: KeyRollDependencies = {
    keys: {
      currentKeyUri: (keyId, o) => keys.getKeyUri(parseKeyId(keyId).vaultUrl, parseKeyId(keyId).name, o),
      roll: async (keyId, o) => (await keys.roll(keyId, o)).currentKeyId,
      isEnabled: async (keyId, o) => {
        const { vaultUrl, name, version } = parseKeyId(keyId);
        return (await keys.get(vaultUrl, name, { ...o, ...(version ? { version } : {}) })).enabled;
      },
    },
    backups,
    sharePoint: sharePointPolicies,
    workloads: new ExchangePolicyRefresher(exchangeTransportOf(context)),
  };
  // ── end SharePoint policies and key roll ──
  return {
    context,
    subscriptions: new SubscriptionsClient(context, subscriptionReads),
    vaultPairs: new VaultPairsClient(context, arm, graph, subscriptionReads),
    keys,
    backups,
    directory: new DirectoryClient(context, graph),
    // ── SharePoint policies and key roll (wave3-policies-sharepoint) ──
    sharePointPolicies,
    keyRoll,
    // ── end SharePoint policies and key roll ──
    validate: (target, options = {}) => runOperation(context, "validate", options, (o) => validate(context, { ...services, sharePoint: sharePointPolicies }, target, o)),
  };
}

// ── SharePoint policies and key roll (wave3-policies-sharepoint) ──
/** The transport of each SharePoint admin site: the user's (one, or a factory), else SharePointRestTransport on the client's settings. */
function sharePointTransportFactory(context: ClientContext): SharePointTransportFactory {
  const given = context.sharePointTransport;
  if (typeof given === "function") return given;
  if (given) return () => given;
  const { retryOptions: _retriesAreOurs, ...pipeline } = context.pipelineOptions;
  return (adminSiteUrl) => new SharePointRestTransport({ credential: context.credential, adminSiteUrl, ...pipeline, retry: context.retry, logger: context.logger });
}

/** The user's Exchange transport, else ExchangeRestTransport on the client's settings (made on first use). */
function exchangeTransportOf(context: ClientContext): ExchangeTransport {
  if (context.exchangeTransport) return context.exchangeTransport;
  let made: ExchangeTransport | undefined;
  const { retryOptions: _retriesAreOurs, ...pipeline } = context.pipelineOptions;
  const transport = () =>
    (made ??= new ExchangeRestTransport({ credential: context.credential, tenantId: context.tenantId, ...(context.exchangeEndpoint ? { endpoint: context.exchangeEndpoint } : {}), ...pipeline, retry: context.retry, logger: context.logger }));
  return { invoke: (command, options) => transport().invoke(command, options) };
}
// ── end SharePoint policies and key roll ──

export class CustomerKeyClient {
  /** Do-Not-Cancel registration and subscription reads. */
  readonly subscriptions: SubscriptionsOperations;
  /** Vault pairs: plan, apply, access (list, grant, revoke). */
  readonly vaultPairs: VaultPairsOperations;
  /** Root keys in the vaults: create, import, roll, recover; KeyVaultRootKey adapters. */
  readonly keys: KeysOperations;
  /** Key backups to directories, verification and restore. */
  readonly backups: BackupsOperations;
  /** Microsoft Graph lookups (users, service principals). */
  readonly directory: DirectoryOperations;
  // ── SharePoint policies and key roll (wave3-policies-sharepoint) ──
  /** Microsoft 365 data encryption policies; `sharePoint`: SharePoint Online's, one per geo. */
  readonly policies: { readonly sharePoint: SharePointPoliciesOperations };
  // ── end SharePoint policies and key roll ──
  readonly #context: ClientContext;
  readonly #modules: ClientModules;

  constructor(credential: TokenCredential, options: CustomerKeyClientOptions) {
    if (!credential || typeof (credential as { getToken?: unknown }).getToken !== "function") {
      throw new InvalidInputError("ERR_CREDENTIAL_INVALID", "credential must be a TokenCredential (e.g. new DefaultAzureCredential()).", { field: "credential" });
    }
    if (!options || !isGuid(options.tenantId)) {
      throw new InvalidInputError("ERR_TENANT_ID_INVALID", `options.tenantId '${String(options?.tenantId)}' must be the Entra tenant id (a GUID).`, { field: "tenantId" });
    }
    this.#context = new ClientContext(credential, options);
    this.#modules = wireModules(this.#context);
    this.directory = this.#modules.directory;
    this.subscriptions = this.#modules.subscriptions;
    this.vaultPairs = this.#modules.vaultPairs;
    this.keys = this.#modules.keys;
    this.backups = this.#modules.backups;
    // ── SharePoint policies and key roll (wave3-policies-sharepoint) ──
    this.policies = { sharePoint: this.#modules.sharePointPolicies };
    // ── end SharePoint policies and key roll ──
  }

  /**
   * The preflight report: reads both subscriptions, vaults, keys and access (writes nothing) and
   * returns every check with pass/fail/warn, the evidence seen and how to fix it. Accepts a
   * validation target or the VaultPairSpec a pair was planned from.
   */
  validate(target: ValidationInput, options: ValidateOptions = {}): Promise<PreflightReport> {
    return this.#modules.validate(target, options);
  }

  // ── SharePoint policies and key roll (wave3-policies-sharepoint) ──
  /**
   * Rolls a root key and moves every Microsoft 365 workload onto the new version: a new key version
   * → its backup in `backupDirectory` (atomic, manifest) → `-Refresh` of every Exchange and
   * multi-workload DEP naming the key, and a roll of each geo's SharePoint policy naming it (one
   * SharePoint operation at a time, waiting while one runs) → until each workload reports the change
   * (SharePoint: the new version; Exchange: `WhenChanged`, since it reports no version) → a final
   * read. Progress per step; `serialize()` / `resumeFrom` resume it without making a second version.
   * Old versions are never disabled or deleted. SharePoint takes hours, Exchange up to 72 h.
   */
  beginRollRootKey(keyUri: string, options: RollRootKeyEverywhereOptions): CustomerKeyPoller<KeyRollOperationState, KeyRollResult> {
    return beginRollRootKey(this.#context, this.#modules.keyRoll, keyUri, options);
  }
  // ── end SharePoint policies and key roll ──

  /** The tenant the client works in. */
  get tenantId(): string {
    return this.#context.tenantId;
  }
}
