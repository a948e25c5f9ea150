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
import { remainingWorkloadAccess } from "./azure/workload-key-access.js";
import { ExchangePoliciesClient } from "./policies/exchange/exchange-policies-client.js";
import { MultiWorkloadPoliciesClient } from "./policies/multi-workload/multi-workload-policies-client.js";
import type { PoliciesOperations } from "./policies/policies-client.js";
import { WORKLOAD_APP_IDS } from "./rules/workloads.js";
import { plannedVaultUrl } from "./rules/vault-naming.js";
import { ExchangeRestTransport } from "./transports/exchange-rest-transport.js";
import type { ExchangeTransport } from "./transports/exchange-transport.js";
import { VaultPairsClient, type VaultPairsOperations } from "./vault-pairs/vault-pairs-client.js";
import { SharePointPoliciesClient, type SharePointTransportFactory } from "./policies/sharepoint/sharepoint-policies-client.js";
import { SharePointRestTransport } from "./transports/sharepoint-rest-transport.js";
import { beginRollRootKey, type KeyRollDependencies } from "./key-roll/key-roll.js";
import { ExchangePolicyRefresher } from "./key-roll/exchange-policy-refresher.js";
import type { KeyRollOperationState, KeyRollResult, RollRootKeyEverywhereOptions } from "./key-roll/types.js";
import type { CustomerKeyPoller } from "./internal/poller.js";
import { parseKeyId } from "./azure/vault-and-key-ids.js";
import { OnboardingClient, type OnboardingOperations } from "./onboarding/onboarding-client.js";
import type { OnboardingServices } from "./onboarding/dependencies.js";
import { isCustomerKeyError } from "./errors.js";

/** Every module of one client, wired to one context and one set of shared readers. @internal */
export interface ClientModules {
  context: ClientContext;
  subscriptions: SubscriptionsClient;
  vaultPairs: VaultPairsClient;
  keys: KeysClient;
  backups: BackupsClient;
  directory: DirectoryClient;
  policies: PoliciesOperations;
  keyRoll: KeyRollDependencies;
  onboarding: OnboardingOperations;
  validate(target: ValidationInput, options?: ValidateOptions): Promise<PreflightReport>;
}

/** Builds the modules on one context: shared readers once, the directory cache once. @internal */
export function wireModules(context: ClientContext): ClientModules {
  const arm = new VaultArm(context);
  const graph = new GraphDirectory(context);
  const subscriptionReads = new SubscriptionReads(context);
  const backups = new BackupsClient(context);
  // The caller's transport, or the REST one; bulk assignment gets a REST one without its own 429
  // retries, so its rate limiter sees every throttle (a caller's transport is used as it is).
  const exchangeRest = (retry = context.retry) => {
    const { retryOptions: _none, ...pipeline } = context.pipelineOptions;
    return new ExchangeRestTransport({ ...pipeline, credential: context.credential, tenantId: context.tenantId, endpoint: context.exchangeEndpoint, retry, logger: context.logger });
  };
  let exchange: ExchangeTransport | undefined = context.exchangeTransport;
  let bulk: ExchangeTransport | undefined = context.exchangeTransport;
  const lazy = (get: () => ExchangeTransport): ExchangeTransport => ({ invoke: (c, o) => get().invoke(c, o) });
  const exchangeTransport = lazy(() => (exchange ??= exchangeRest()));
  const bulkTransport = lazy(() => (bulk ??= exchangeRest({ ...context.retry, maxRetries: 0 })));
  const keys = new KeysClient(context, backups);
  const sharePointPolicies = new SharePointPoliciesClient(context, sharePointTransportFactory(context), context.sharePointAdminEndpoint);
  const services = { arm, directory: graph, subscriptions: subscriptionReads, exchange: exchangeTransport, sharePoint: sharePointPolicies };
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
    workloads: new ExchangePolicyRefresher(exchangeTransport, context.audit),
  };
  const policies: PoliciesOperations = {
    exchange: new ExchangePoliciesClient(context, exchangeTransport, bulkTransport, (keyUris, o) => remainingWorkloadAccess(context, arm, graph, WORKLOAD_APP_IDS.exchange, keyUris, o)),
    multiWorkload: new MultiWorkloadPoliciesClient(context, exchangeTransport),
    sharePoint: sharePointPolicies,
  };
  const subscriptions = new SubscriptionsClient(context, subscriptionReads);
  const vaultPairs = new VaultPairsClient(context, arm, graph, subscriptionReads);
  const validateTarget: ClientModules["validate"] = (target, options = {}) => runOperation(context, "validate", options, (o) => validate(context, services, target, o));
  const onboardingServices = wireOnboarding({ subscriptions, vaultPairs, keys, backups, policies, validate: validateTarget, exchange: exchangeTransport, resourceManagerEndpoint: context.resourceManagerEndpoint });
  return {
    context,
    subscriptions,
    vaultPairs,
    keys,
    backups,
    directory: new DirectoryClient(context, graph),
    policies,
    keyRoll,
    onboarding: new OnboardingClient(context, onboardingServices),
    validate: validateTarget,
  };
}

/** What onboarding needs, made of the other modules (feature folders never import each other). */
function wireOnboarding(m: {
  subscriptions: SubscriptionsClient;
  vaultPairs: VaultPairsClient;
  keys: KeysClient;
  backups: BackupsClient;
  policies: PoliciesOperations;
  validate: ClientModules["validate"];
  exchange: ExchangeTransport;
  resourceManagerEndpoint: string;
}): OnboardingServices {
  const absent = (...codes: string[]) => (error: unknown) => {
    if (isCustomerKeyError(error) && codes.includes(error.code)) return undefined;
    throw error;
  };
  const dnc = (s: { featureState: string; providerState: string; protected: boolean }) => ({ featureState: s.featureState, providerState: s.providerState, protected: s.protected });
  const assignments = async (o: { abortSignal?: AbortSignal }) => {
    const mailboxRows = (await m.exchange.invoke({ cmdlet: "Get-Mailbox" }, o)).value;
    const rows = [...mailboxRows, ...(await m.exchange.invoke({ cmdlet: "Get-MailUser" }, o)).value];
    const policyOf = new Map<string, string | null>();
    for (const row of rows) {
      const policy = typeof row["DataEncryptionPolicy"] === "string" ? (row["DataEncryptionPolicy"] as string) : null;
      for (const f of ["UserPrincipalName", "PrimarySmtpAddress", "Alias", "Identity"]) if (typeof row[f] === "string") policyOf.set((row[f] as string).toLowerCase(), policy);
    }
    return { rows, mailboxRows, policyOf };
  };
  return {
    vaultUrl: (vaultName) => plannedVaultUrl(m.resourceManagerEndpoint, vaultName),
    doNotCancel: async (sub, o) => dnc(await m.subscriptions.getDoNotCancelState(sub, o)),
    registerDoNotCancel: async (sub, o) => {
      const poller = m.subscriptions.beginRegisterDoNotCancel(sub, o);
      const state = await poller.poll(o);
      return { featureState: state.featureState, providerState: state.providerState, protected: /^registered$/i.test(state.featureState) };
    },
    planVaultPair: async (spec, o) => {
      const plan = await m.vaultPairs.plan(spec, o);
      return { changes: plan.changes.filter((c) => c.kind !== "noop").map((c) => `${c.kind} ${c.resource} ${c.target}`), problems: plan.problems.map((p) => `${p.code}: ${p.message}`) };
    },
    applyVaultPair: async (spec, o) => {
      await m.vaultPairs.beginApply(await m.vaultPairs.plan(spec, o), o).pollUntilDone(o);
    },
    currentKeyId: (vault, name, o) => m.keys.getKeyUri(vault, name, o).catch(absent("ERR_KEY_NOT_FOUND", "ERR_VAULT_NOT_FOUND", "ERR_SERVICE_NOT_FOUND")),
    createKey: async (vault, name, key, o) => {
      const { key: info, created } = await m.keys.create(vault, name, { ...o, size: key.size, protection: key.protection });
      return { keyId: info.id, created };
    },
    hasBackup: async (directory, keyId, o) => {
      const { vaultUrl, name, version } = parseKeyId(keyId);
      const newest = await m.backups.newestVerifiedBackup(directory, name, { ...o, vaultUrl }).catch(absent("ERR_BACKUP_MISSING", "ERR_BACKUP_MANIFEST_INVALID"));
      return newest !== undefined && (version === undefined || newest.versions.some((v) => v.toLowerCase() === version.toLowerCase()));
    },
    backupKey: async (directory, keyId, o) => ({ file: (await m.backups.backupKey(parseKeyId(keyId).vaultUrl + "/keys/" + parseKeyId(keyId).name, { ...o, directory })).path }),
    preflight: async (spec, keyUris, backupDirectory, o) => {
      const report = await m.validate({ ...spec, keyUris, backupDirectory }, { ...o, microsoft365: true });
      // The policy.* checks look at the policies onboarding is about to make (e.g. a SharePoint geo
      // not registered yet): before the policies phase only the vault, key, access and backup checks block.
      const failed = report.checks.filter((c) => c.status === "fail" && !c.id.startsWith("policy.")).map((c) => c.id);
      return { ok: failed.length === 0, report, failed };
    },
    exchangePolicy: async (name, o) => m.policies.exchange.get(name, o),
    createExchangePolicy: async (input, o) => void (await m.policies.exchange.create(input, o)),
    mailboxPolicies: async (mailboxes, o) => {
      const { policyOf } = await assignments(o);
      return mailboxes.map((box) => policyOf.get(box.toLowerCase()) ?? null);
    },
    // Mailboxes only, as the bulk assignment of `allWithoutPolicy` takes them (mail users are listed by name).
    countMailboxesWithoutPolicy: async (o) => (await assignments(o)).mailboxRows.filter((r) => r["DataEncryptionPolicy"] == null).length,
    assignExchangePolicy: async (mailboxes, policy, checkpoint, o, onProgress) => {
      // readCurrentState: a resumed or repeated run skips mailboxes that already have the policy.
      const r = await m.policies.exchange.beginAssign(mailboxes, policy, { ...o, readCurrentState: true, ...(checkpoint ? { checkpoint } : {}), ...(onProgress ? { onProgress } : {}) });
      return { done: r.done, failed: r.failed };
    },
    sharePointPolicy: (geo, o) => m.policies.sharePoint.get({ ...o, ...(geo ? { geo } : {}) }),
    registerSharePoint: async (geo, [primaryKeyUri, secondaryKeyUri], o) => {
      // One poll submits the registration; SharePoint then takes hours, which onboarding does not wait out.
      await m.policies.sharePoint.beginRegister({ ...o, primaryKeyUri, secondaryKeyUri, ...(geo ? { geo } : {}) }).poll(o);
    },
    multiWorkloadPolicy: (name, o) => m.policies.multiWorkload.get(name, o),
    createMultiWorkloadPolicy: async (input, o) => void (await m.policies.multiWorkload.create(input, o)),
    multiWorkloadAssignment: async (o) => (await m.policies.multiWorkload.getAssignment(o))?.policyName,
    assignMultiWorkload: async (policy, o) => void (await m.policies.multiWorkload.assign(policy, o)),
  };
}

/** The transport of each SharePoint admin site: the user's (one, or a factory), else SharePointRestTransport on the client's settings. */
function sharePointTransportFactory(context: ClientContext): SharePointTransportFactory {
  const given = context.sharePointTransport;
  if (typeof given === "function") return given;
  if (given) return () => given;
  const { retryOptions: _retriesAreOurs, ...pipeline } = context.pipelineOptions;
  return (adminSiteUrl) => new SharePointRestTransport({ credential: context.credential, adminSiteUrl, ...pipeline, retry: context.retry, logger: context.logger });
}


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
  /** Data encryption policies of Microsoft 365: Exchange Online mailboxes, multi-workload (and SharePoint). */
  readonly policies: PoliciesOperations;
  /** Onboarding from one declarative configuration: plan (read-only) and a journaled, resumable apply. */
  readonly onboarding: OnboardingOperations;
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
    this.policies = this.#modules.policies;
    this.onboarding = this.#modules.onboarding;
  }

  /**
   * The preflight report: reads both subscriptions, vaults, keys and access (writes nothing) and
   * returns every check with pass/fail/warn, the evidence seen and how to fix it. Accepts a
   * validation target or the VaultPairSpec a pair was planned from.
   */
  validate(target: ValidationInput, options: ValidateOptions = {}): Promise<PreflightReport> {
    return this.#modules.validate(target, options);
  }

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

  /** The tenant the client works in. */
  get tenantId(): string {
    return this.#context.tenantId;
  }
}
