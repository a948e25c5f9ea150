/**
 * The Resource Manager calls of the vault module, each through withRetry. Reads answer
 * undefined for "not there" (404); writes are idempotent PUT/POST-merge calls.
 */
import type { RoleAssignment, RoleDefinition } from "@azure/arm-authorization";
import type { AccessPolicyEntry, Vault, VaultCreateOrUpdateParameters, VaultPatchParameters } from "@azure/arm-keyvault";
import type { ClientContext } from "../internal/context.js";
import { withRetry } from "../internal/retry.js";
import { statusOf } from "../internal/service-errors.js";
import type { VaultCoordinates as VaultRef } from "./vault-and-key-ids.js";

export interface CallOptions {
  abortSignal?: AbortSignal;
}

export const vaultId = (v: VaultRef) =>
  `/subscriptions/${v.subscriptionId}/resourceGroups/${v.resourceGroup}/providers/Microsoft.KeyVault/vaults/${v.vaultName}`;
export const resourceGroupId = (subscriptionId: string, resourceGroup: string) => `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
export const subscriptionScope = (subscriptionId: string) => `/subscriptions/${subscriptionId}`;
/** Last path segment of a role definition id (its GUID), lower case. */
export const roleGuid = (roleDefinitionId: string | undefined) => (roleDefinitionId ?? "").split("/").filter(Boolean).at(-1)?.toLowerCase() ?? "";

/** Normalises an ARM scope for comparison. */
export function normaliseScope(scope: string): string {
  return scope.trim().replace(/\/+$/, "").toLowerCase();
}

/** True when an assignment made at `assignmentScope` applies at `target` (same scope or an ancestor). */
export function scopeCovers(assignmentScope: string, target: string): boolean {
  const a = normaliseScope(assignmentScope);
  const t = normaliseScope(target);
  return a === "" || a === "/" || t === a || t.startsWith(`${a}/`);
}

export class VaultArm {
  readonly #context: ClientContext;

  constructor(context: ClientContext) {
    this.#context = context;
  }

  async #orUndefined<T>(operation: string, call: () => Promise<T>, options: CallOptions): Promise<T | undefined> {
    try {
      return await withRetry(operation, call, this.#context.retryOptions(options));
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  getResourceGroup(subscriptionId: string, name: string, options: CallOptions) {
    return this.#orUndefined("resourceGroups.get", () => this.#context.resources(subscriptionId).resourceGroups.get(name, options), options);
  }

  createResourceGroup(subscriptionId: string, name: string, location: string, tags: Record<string, string> | undefined, options: CallOptions) {
    return withRetry("resourceGroups.createOrUpdate", () =>
      this.#context.resources(subscriptionId).resourceGroups.createOrUpdate(name, { location, ...(tags ? { tags } : {}) }, options),
    this.#context.retryOptions(options));
  }

  async getProviderState(subscriptionId: string, namespace: string, options: CallOptions): Promise<string> {
    const provider = await this.#orUndefined("providers.get", () => this.#context.resources(subscriptionId).providers.get(namespace, options), options);
    return provider?.registrationState ?? "NotRegistered";
  }

  async registerProvider(subscriptionId: string, namespace: string, options: CallOptions): Promise<string> {
    const provider = await withRetry("providers.register", () => this.#context.resources(subscriptionId).providers.register(namespace, options), this.#context.retryOptions(options));
    return provider.registrationState ?? "Registering";
  }

  getVault(ref: VaultRef, options: CallOptions): Promise<Vault | undefined> {
    return this.#orUndefined("vaults.get", () => this.#context.keyVaultManagement(ref.subscriptionId).vaults.get(ref.resourceGroup, ref.vaultName, options), options);
  }

  /** PUT of a new vault. A retry first re-reads, so a PUT that did land is not repeated. */
  createVault(ref: VaultRef, parameters: VaultCreateOrUpdateParameters, options: CallOptions): Promise<Vault> {
    return withRetry("vaults.createOrUpdate", async (attempt) => {
      if (attempt > 1) {
        const existing = await this.getVault(ref, options);
        if (existing) return existing;
      }
      return this.#context.keyVaultManagement(ref.subscriptionId).vaults.createOrUpdate(ref.resourceGroup, ref.vaultName, parameters, {
        ...options,
        updateIntervalInMs: this.#context.pollIntervalInMs,
      });
    }, this.#context.retryOptions(options));
  }

  /** PATCH of the listed properties only (never the access policies). */
  updateVault(ref: VaultRef, parameters: VaultPatchParameters, options: CallOptions): Promise<Vault> {
    return withRetry("vaults.update", () =>
      this.#context.keyVaultManagement(ref.subscriptionId).vaults.update(ref.resourceGroup, ref.vaultName, parameters, options),
    this.#context.retryOptions(options));
  }

  /** `add` merges permissions into the principal's entry (union), so repeating it is harmless. */
  updateAccessPolicy(ref: VaultRef, kind: "add" | "remove", entries: AccessPolicyEntry[], options: CallOptions) {
    return withRetry(`vaults.updateAccessPolicy.${kind}`, () =>
      this.#context.keyVaultManagement(ref.subscriptionId).vaults.updateAccessPolicy(ref.resourceGroup, ref.vaultName, kind, { properties: { accessPolicies: entries } }, options),
    this.#context.retryOptions(options));
  }

  checkNameAvailability(subscriptionId: string, name: string, options: CallOptions) {
    return withRetry("vaults.checkNameAvailability", () =>
      this.#context.keyVaultManagement(subscriptionId).vaults.checkNameAvailability({ name, type: "Microsoft.KeyVault/vaults" }, options),
    this.#context.retryOptions(options));
  }

  getDeletedVault(subscriptionId: string, name: string, location: string, options: CallOptions) {
    return this.#orUndefined("vaults.getDeleted", () => this.#context.keyVaultManagement(subscriptionId).vaults.getDeleted(name, location, options), options);
  }

  /** Role assignments that apply at a scope (at it or inherited from above). */
  async listRoleAssignments(subscriptionId: string, scope: string, options: CallOptions): Promise<RoleAssignment[]> {
    const all = await withRetry("roleAssignments.listForScope", async () => {
      const items: RoleAssignment[] = [];
      for await (const item of this.#context.authorization(subscriptionId).roleAssignments.listForScope(scope, options)) items.push(item);
      return items;
    }, this.#context.retryOptions(options));
    return all.filter((a) => a.scope === undefined || scopeCovers(a.scope, scope));
  }

  /** PUT with a deterministic name: repeating it creates nothing new; 409 (exists) counts as done. */
  async createRoleAssignment(subscriptionId: string, scope: string, name: string, roleDefinitionGuid: string, principalId: string, principalType: string, options: CallOptions): Promise<"created" | "exists"> {
    try {
      await withRetry("roleAssignments.create", () =>
        this.#context.authorization(subscriptionId).roleAssignments.create(scope, name, {
          roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleDefinitionGuid}`,
          principalId,
          principalType,
        }, options),
      this.#context.retryOptions(options));
      return "created";
    } catch (error) {
      if (statusOf(error) === 409) return "exists";
      throw error;
    }
  }

  deleteRoleAssignment(subscriptionId: string, scope: string, name: string, options: CallOptions) {
    return withRetry("roleAssignments.delete", () => this.#context.authorization(subscriptionId).roleAssignments.delete(scope, name, options), this.#context.retryOptions(options));
  }

  getRoleDefinition(subscriptionId: string, guid: string, options: CallOptions): Promise<RoleDefinition | undefined> {
    return this.#orUndefined("roleDefinitions.get", () => this.#context.authorization(subscriptionId).roleDefinitions.get(subscriptionScope(subscriptionId), guid, options), options);
  }

  createRoleDefinition(subscriptionId: string, guid: string, definition: RoleDefinition, options: CallOptions) {
    return withRetry("roleDefinitions.createOrUpdate", () =>
      this.#context.authorization(subscriptionId).roleDefinitions.createOrUpdate(subscriptionScope(subscriptionId), guid, definition, options),
    this.#context.retryOptions(options));
  }
}
