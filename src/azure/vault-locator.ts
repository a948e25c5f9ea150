/**
 * Which subscription, resource group and vault a vault URL belongs to, read through Resource
 * Manager: the subscriptions the caller can see (`GET /subscriptions`), then each one's vaults
 * (`vaults.listBySubscription`) until one has that `vaultUri`. Used by the policies module (two
 * vaults of a DEP must be in two subscriptions) and by validate().
 */
import { createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
import type { Vault } from "@azure/arm-keyvault";
import type { ClientContext } from "../internal/context.js";
import { withRetry } from "../internal/retry.js";
import type { VaultCoordinates } from "./vault-and-key-ids.js";
import { azureCallOptions } from "./key-vault-reads.js";

const SUBSCRIPTIONS_API_VERSION = "2022-12-01";
/** Any GUID: the client is only used for its pipeline (credential, scope, agent), not its subscription. */
const PIPELINE_ONLY = "00000000-0000-0000-0000-000000000000";

/** A vault found by its URL. */
export interface LocatedVault extends VaultCoordinates {
  /** The vault as Resource Manager returned it (access policies, RBAC flag, properties). */
  vault: Vault;
}

const caches = new WeakMap<ClientContext, Map<string, LocatedVault | undefined>>();

/** The subscription ids the caller can see. */
export async function listSubscriptionIds(context: ClientContext, options: { abortSignal?: AbortSignal } = {}): Promise<string[]> {
  const client = context.resources(PIPELINE_ONLY);
  const ids: string[] = [];
  let url: string | undefined = `${context.resourceManagerEndpoint}/subscriptions?api-version=${SUBSCRIPTIONS_API_VERSION}`;
  while (url) {
    const pageUrl: string = url;
    const body = await withRetry("subscriptions.list", async () => {
      const response = await client.sendRequest(createPipelineRequest({ url: pageUrl, method: "GET", ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}) }));
      const parsed = JSON.parse(response.bodyAsText || "{}") as { value?: { subscriptionId?: string }[]; nextLink?: string; error?: { code?: string; message?: string } };
      if (response.status >= 400) throw new RestError(parsed.error?.message ?? `GET subscriptions failed with ${response.status}`, { statusCode: response.status, ...(parsed.error?.code ? { code: parsed.error.code } : {}), response });
      return parsed;
    }, context.retryOptions(options));
    for (const s of body.value ?? []) if (s.subscriptionId) ids.push(s.subscriptionId);
    url = body.nextLink || undefined;
  }
  return ids;
}

/** The vault whose `vaultUri` is `vaultUrl`, or undefined when no visible subscription holds it. Cached per client. */
export async function locateVault(context: ClientContext, vaultUrl: string, options: { abortSignal?: AbortSignal } = {}): Promise<LocatedVault | undefined> {
  const wanted = vaultUrl.replace(/\/+$/, "").toLowerCase();
  const cache = caches.get(context) ?? new Map<string, LocatedVault | undefined>();
  caches.set(context, cache);
  if (cache.has(wanted)) return cache.get(wanted);
  for (const subscriptionId of await listSubscriptionIds(context, options)) {
    const vaults = await withRetry("vaults.listBySubscription", async () => {
      const all: Vault[] = [];
      for await (const vault of context.keyVaultManagement(subscriptionId).vaults.listBySubscription(azureCallOptions(options))) all.push(vault);
      return all;
    }, context.retryOptions(options));
    for (const vault of vaults) {
      const uri = vault.properties?.vaultUri?.replace(/\/+$/, "").toLowerCase();
      const resourceGroup = /\/resourceGroups\/([^/]+)/i.exec(vault.id ?? "")?.[1];
      if (uri && resourceGroup && vault.name) cache.set(uri, { subscriptionId, resourceGroup, vaultName: vault.name, vault });
    }
    if (cache.has(wanted)) return cache.get(wanted);
  }
  return undefined;
}
