/**
 * Every read validate() makes, each sent once per validate call (memoised: several checks share
 * one answer) and through the client's Limiter (bounded requests in flight). Only reads: GET,
 * list, and Graph lookups.
 */
import type { RoleAssignment, RoleDefinition } from "@azure/arm-authorization";
import type { Vault } from "@azure/arm-keyvault";
import type { KeyVaultKey } from "@azure/keyvault-keys";
import type { SubscriptionReads, DoNotCancelState, SubscriptionInfo } from "../azure/arm-subscriptions.js";
import type { GraphDirectory, DirectoryPrincipal } from "../azure/graph-directory.js";
import type { ClientContext } from "../internal/context.js";
import { withRetry } from "../internal/retry.js";
import { getKeyOrUndefined } from "../azure/key-vault-reads.js";
import { vaultId, type VaultArm } from "../azure/arm-vaults.js";
import type { ExchangeTransport } from "../transports/exchange-transport.js";
import { limiterFor, type Limiter } from "./request-limiter.js";
import type { ValidationVault } from "./types.js";

/** The shared readers the facade hands the preflight report (one set per client; the directory cache is the client's). */
import type { SharePointPolicyReader } from "./checks/sharepoint-policy.js";
export interface PreflightServices {
  arm: VaultArm;
  directory: GraphDirectory;
  subscriptions: SubscriptionReads;
  /** The client's Exchange transport, for the Microsoft 365 policy checks. */
  exchange?: ExchangeTransport;
  /** SharePoint Online's policies, for the Microsoft 365 checks. */
  sharePoint?: SharePointPolicyReader;
}

export class ValidationReader {
  readonly #context: ClientContext;
  readonly #limiter: Limiter;
  readonly #services: PreflightServices;
  readonly #memo = new Map<string, Promise<unknown>>();
  readonly #options: { abortSignal?: AbortSignal };

  constructor(context: ClientContext, services: PreflightServices, abortSignal?: AbortSignal) {
    this.#context = context;
    this.#limiter = limiterFor(context);
    this.#services = services;
    this.#options = abortSignal ? { abortSignal } : {};
  }

  #once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let promise = this.#memo.get(key) as Promise<T> | undefined;
    if (!promise) {
      promise = this.#limiter.run(read);
      this.#memo.set(key, promise);
      // A rejected read stays memoised (every check that needs it reports it); avoid unhandled rejections.
      promise.catch(() => undefined);
    }
    return promise;
  }

  subscription(subscriptionId: string): Promise<SubscriptionInfo> {
    return this.#once(`sub:${subscriptionId.toLowerCase()}`, () => this.#services.subscriptions.get(subscriptionId, this.#options));
  }

  doNotCancel(subscriptionId: string): Promise<DoNotCancelState> {
    return this.#once(`dnc:${subscriptionId.toLowerCase()}`, () => this.#services.subscriptions.getDoNotCancelState(subscriptionId, this.#options));
  }

  /** The vault if a check already read it (for the report's `vaultUri`), else undefined; never sends a request. */
  async vaultIfRead(member: ValidationVault): Promise<Vault | undefined> {
    const promise = this.#memo.get(`vault:${member.subscriptionId}/${member.resourceGroup ?? "*"}/${member.vaultName}`.toLowerCase()) as Promise<Vault | undefined> | undefined;
    return promise?.catch(() => undefined);
  }

  /** The vault, or undefined when it does not exist there. Without a resource group it is found by name. */
  vault(member: ValidationVault): Promise<Vault | undefined> {
    const key = `vault:${member.subscriptionId}/${member.resourceGroup ?? "*"}/${member.vaultName}`.toLowerCase();
    return this.#once(key, async () => {
      if (member.resourceGroup) {
        return this.#services.arm.getVault({ subscriptionId: member.subscriptionId, resourceGroup: member.resourceGroup, vaultName: member.vaultName }, this.#options);
      }
      return withRetry("vaults.listBySubscription", async () => {
        for await (const vault of this.#context.keyVaultManagement(member.subscriptionId).vaults.listBySubscription(this.#options)) {
          if (vault.name?.toLowerCase() === member.vaultName.toLowerCase()) return vault;
        }
        return undefined;
      }, this.#context.retryOptions(this.#options));
    });
  }

  servicePrincipal(appId: string): Promise<DirectoryPrincipal | undefined> {
    return this.#once(`sp:${appId.toLowerCase()}`, () => this.#services.directory.findServicePrincipalByAppId(appId, this.#options));
  }

  principal(objectId: string): Promise<DirectoryPrincipal | undefined> {
    return this.#once(`principal:${objectId.toLowerCase()}`, () => this.#services.directory.findByObjectId(objectId, this.#options));
  }

  /** Role assignments that apply at the vault (at it, or inherited from above). */
  roleAssignments(subscriptionId: string, scope: string): Promise<RoleAssignment[]> {
    return this.#once(`ra:${scope.toLowerCase()}`, () => this.#services.arm.listRoleAssignments(subscriptionId, scope, this.#options));
  }

  roleDefinition(subscriptionId: string, guid: string): Promise<RoleDefinition | undefined> {
    return this.#once(`rd:${subscriptionId.toLowerCase()}/${guid.toLowerCase()}`, () => this.#services.arm.getRoleDefinition(subscriptionId, guid, this.#options));
  }

  /** The key if a check already read it (for the report's topology), else undefined; never sends a request. */
  async keyIfRead(vaultUrl: string, name: string, version?: string): Promise<KeyVaultKey | undefined> {
    const promise = this.#memo.get(`key:${vaultUrl.toLowerCase()}/${name.toLowerCase()}/${version ?? ""}`) as Promise<KeyVaultKey | undefined> | undefined;
    return promise?.catch(() => undefined);
  }

  /** The subscription if a check already read it, else undefined; never sends a request. */
  async subscriptionIfRead(subscriptionId: string): Promise<SubscriptionInfo | undefined> {
    const promise = this.#memo.get(`sub:${subscriptionId.toLowerCase()}`) as Promise<SubscriptionInfo> | undefined;
    return promise?.catch(() => undefined);
  }

  key(vaultUrl: string, name: string, version?: string): Promise<KeyVaultKey | undefined> {
    const key = `key:${vaultUrl.toLowerCase()}/${name.toLowerCase()}/${version ?? ""}`;
    return this.#once(key, () => getKeyOrUndefined(this.#context, vaultUrl, name, { ...this.#options, ...(version ? { version } : {}) }));
  }

  vaultResourceId(vault: Vault, member: ValidationVault): string {
    return vault.id ?? vaultId({ subscriptionId: member.subscriptionId, resourceGroup: member.resourceGroup ?? "", vaultName: member.vaultName });
  }
}
