/**
 * The live half of the key-URI rules (rules/key-uris.ts): each key is live, enabled and usable as
 * a Customer Key root key, and the two vaults are in two different subscriptions. Shared by the
 * policy modules (SharePoint here, Exchange and multi-workload next) and the key roll.
 */
import { createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
import { PreconditionFailedError } from "../errors.js";
import type { ClientContext } from "../internal/context.js";
import { withRetry } from "../internal/retry.js";
import { isAcceptedExpiry, toRootKeyInfo, type RootKeyInfo } from "../rules/key-rules.js";
import { versionedKeyUri, type ParsedKeyUri } from "../rules/key-uris.js";
import { getKeyOrUndefined, azureCallOptions, type ReadOptions } from "./key-vault-reads.js";

/** A key URI checked against the vault: the version in use (the current one for a versionless URI) and where the vault lives. */
export interface ResolvedKeyUri extends ParsedKeyUri {
  /** The versioned key URI (the current version when the URI given was versionless). */
  keyUri: string;
  /** The version, 32 hex digits. */
  version: string;
  /** The vault's subscription, when Resource Manager showed it to the caller. */
  subscriptionId: string | undefined;
  /** The vault's resource group, when found. */
  resourceGroup: string | undefined;
  /** The key version read. */
  key: RootKeyInfo;
}

/** Why a key version cannot be a Customer Key root key; empty when it can. */
export function rootKeyProblems(info: RootKeyInfo, now = new Date()): string[] {
  const problems: string[] = [];
  if (info.keyType !== "RSA" && info.keyType !== "RSA-HSM") problems.push(`its type is ${info.keyType || "unknown"}, not RSA or RSA-HSM`);
  for (const op of ["wrapKey", "unwrapKey"]) if (!info.keyOperations.includes(op)) problems.push(`it does not permit ${op}`);
  if (!info.enabled) problems.push("it is disabled");
  if (!isAcceptedExpiry(info.expiresOn)) problems.push(`it expires on ${info.expiresOn!.toISOString()} (clear it with client.keys.clearExpiry)`);
  if (info.notBefore && info.notBefore.getTime() > now.getTime()) problems.push(`it is not valid before ${info.notBefore.toISOString()}`);
  return problems;
}

/** Vault name → its subscription and resource group, per client context, as Resource Manager lists them. */
const locations = new WeakMap<ClientContext, Map<string, { subscriptionId: string; resourceGroup: string }>>();

/** Finds a vault's subscription by listing the vaults of the subscriptions the caller can see (once per client). */
export async function locateVault(context: ClientContext, vaultName: string, options: ReadOptions = {}): Promise<{ subscriptionId: string; resourceGroup: string } | undefined> {
  let cache = locations.get(context);
  const hit = cache?.get(vaultName.toLowerCase());
  if (hit) return hit;
  cache ??= new Map();
  locations.set(context, cache);
  for (const subscriptionId of await listSubscriptionIds(context, options)) {
    const found = await withRetry("vaults.listBySubscription", async () => {
      const out: { name: string; subscriptionId: string; resourceGroup: string }[] = [];
      for await (const vault of context.keyVaultManagement(subscriptionId).vaults.listBySubscription(azureCallOptions(options))) {
        const resourceGroup = /\/resourceGroups\/([^/]+)\//i.exec(vault.id ?? "")?.[1];
        if (vault.name && resourceGroup) out.push({ name: vault.name.toLowerCase(), subscriptionId, resourceGroup });
      }
      return out;
    }, context.retryOptions(options));
    for (const v of found) cache.set(v.name, { subscriptionId: v.subscriptionId, resourceGroup: v.resourceGroup });
    const match = cache.get(vaultName.toLowerCase());
    if (match) return match;
  }
  return undefined;
}

/** `GET /subscriptions`: the ids of every subscription the caller can see (all pages). */
async function listSubscriptionIds(context: ClientContext, options: ReadOptions): Promise<string[]> {
  // Any subscription id builds the client: only its pipeline (credential, scope, agent) is used.
  const client = context.resources("00000000-0000-0000-0000-000000000000");
  const ids: string[] = [];
  let next: string | undefined = `${context.resourceManagerEndpoint}/subscriptions?api-version=2022-12-01`;
  while (next) {
    const url: string = next;
    const body = await withRetry("subscriptions.list", async () => {
      const response = await client.sendRequest(createPipelineRequest({ url, method: "GET", ...azureCallOptions(options) }));
      if (response.status >= 400) {
        throw new RestError(`GET /subscriptions failed with ${response.status}`, { statusCode: response.status, response });
      }
      return JSON.parse(response.bodyAsText ?? "{}") as { value?: { subscriptionId?: string }[]; nextLink?: string };
    }, context.retryOptions(options));
    for (const s of body.value ?? []) if (s.subscriptionId) ids.push(s.subscriptionId);
    next = body.nextLink;
  }
  return ids;
}

/**
 * Reads a key URI's version (the current one when versionless) and checks it is a usable root
 * key; PreconditionFailedError `ERR_KEY_NOT_FOUND` or `ERR_KEY_URI_UNUSABLE` otherwise.
 */
export async function resolveKeyUri(context: ClientContext, parsed: ParsedKeyUri, field: string, options: ReadOptions = {}): Promise<ResolvedKeyUri> {
  const key = await getKeyOrUndefined(context, parsed.vaultUrl, parsed.keyName, { ...options, ...(parsed.version ? { version: parsed.version } : {}) });
  if (!key) {
    throw new PreconditionFailedError("ERR_KEY_NOT_FOUND", `${field}: key '${parsed.keyName}'${parsed.version ? ` version ${parsed.version}` : ""} does not exist in ${parsed.vaultUrl} (or the caller cannot read it). Create it with client.keys.create().`);
  }
  const info = toRootKeyInfo(key);
  const problems = rootKeyProblems(info);
  if (problems.length > 0) {
    throw new PreconditionFailedError("ERR_KEY_URI_UNUSABLE", `${field}: key ${info.id} cannot be a Customer Key root key: ${problems.join("; ")}.`);
  }
  const where = await locateVault(context, parsed.vaultName, options);
  return { ...parsed, version: info.version, keyUri: versionedKeyUri(parsed, info.version), subscriptionId: where?.subscriptionId, resourceGroup: where?.resourceGroup, key: info };
}

/** Resolves both key URIs of a policy and checks the vaults are in two different subscriptions. */
export async function resolveKeyUriPair(context: ClientContext, pair: readonly [ParsedKeyUri, ParsedKeyUri], fields: readonly [string, string], options: ReadOptions = {}): Promise<[ResolvedKeyUri, ResolvedKeyUri]> {
  const a = await resolveKeyUri(context, pair[0], fields[0], options);
  const b = await resolveKeyUri(context, pair[1], fields[1], options);
  if (a.subscriptionId && b.subscriptionId && a.subscriptionId.toLowerCase() === b.subscriptionId.toLowerCase()) {
    throw new PreconditionFailedError(
      "ERR_KEY_URIS_SAME_SUBSCRIPTION",
      `${fields[0]} (vault ${a.vaultName}) and ${fields[1]} (vault ${b.vaultName}) are both in subscription ${a.subscriptionId}: Customer Key needs the two vaults in two different subscriptions.`,
    );
  }
  return [a, b];
}
