/**
 * Naming a vault and a key: a vault URL, or ARM coordinates resolved through Resource Manager
 * (`properties.vaultUri`), and key ids (`{vaultUrl}/keys/{name}[/{version}]`).
 */
import { InvalidInputError, PreconditionFailedError } from "../errors.js";
import type { ClientContext } from "../internal/context.js";
import { isGuid } from "../rules/ids.js";
import { validateVaultName } from "../rules/vault-naming.js";
import { withRetry } from "../internal/retry.js";
import { statusOf } from "../internal/service-errors.js";
import { azureCallOptions } from "./key-vault-reads.js";

/** Where a vault lives in Resource Manager: what access operations (ARM writes) need. */
export interface VaultCoordinates {
  /** The vault's subscription (a GUID). */
  subscriptionId: string;
  /** The vault's resource group. */
  resourceGroup: string;
  /** The vault's name (3–24 characters). */
  vaultName: string;
}

/** A vault: its URL (`https://contoso-exo-a1.vault.azure.net`), `{ vaultUrl }`, or where it lives in ARM. */
export type VaultRef = string | { vaultUrl: string } | VaultCoordinates;

/** The parts of a Key Vault key id. */
export interface KeyIdParts {
  /** `https://{vault}.vault.azure.net` without a trailing slash. */
  vaultUrl: string;
  /** The vault name (first label of the host). */
  vaultName: string;
  /** The key name. */
  name: string;
  /** 32 hex characters, or undefined for a versionless id. */
  version: string | undefined;
  /** The id without its version. */
  versionlessId: string;
}

const KEY_NAME = /^[0-9A-Za-z-]{1,127}$/;

export function validateKeyName(name: string, field = "name"): void {
  if (typeof name !== "string" || !KEY_NAME.test(name)) {
    throw new InvalidInputError("ERR_KEY_NAME_INVALID", `${field} '${String(name)}' is not a valid Key Vault key name: use 1–127 letters, digits and hyphens.`, { field });
  }
}

/** `https://host[:port]` of a vault URL, lower-cased host, no path, no trailing slash. */
export function normalizeVaultUrl(url: string, field = "vault"): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidInputError(
      "ERR_VAULT_REF_INVALID",
      `${field} '${String(url)}' is not a vault URL. Pass the vault URL (https://<name>.vault.azure.net) or { subscriptionId, resourceGroup, vaultName }.`,
      { field },
    );
  }
  if (parsed.protocol !== "https:") throw new InvalidInputError("ERR_VAULT_REF_INVALID", `${field} must be an https:// vault URL.`, { field });
  return parsed.origin.toLowerCase();
}

/** Splits a key id; throws InvalidInputError `ERR_KEY_ID_INVALID` before any request. */
export function parseKeyId(keyId: string, field = "keyId"): KeyIdParts {
  const fail = () =>
    new InvalidInputError("ERR_KEY_ID_INVALID", `${field} '${String(keyId)}' is not a Key Vault key id (https://<vault>.vault.azure.net/keys/<name>[/<version>]).`, { field });
  if (typeof keyId !== "string") throw fail();
  let url: URL;
  try {
    url = new URL(keyId);
  } catch {
    throw fail();
  }
  const segments = url.pathname.split("/").filter(Boolean);
  if (url.protocol !== "https:" || segments[0]?.toLowerCase() !== "keys" || segments.length < 2 || segments.length > 3) throw fail();
  const name = decodeURIComponent(segments[1]!);
  const version = segments[2] === undefined ? undefined : decodeURIComponent(segments[2]);
  if (!KEY_NAME.test(name) || (version !== undefined && !/^[0-9a-zA-Z]{1,64}$/.test(version))) throw fail();
  const vaultUrl = url.origin.toLowerCase();
  return { vaultUrl, vaultName: url.hostname.split(".")[0]!.toLowerCase(), name, version, versionlessId: `${vaultUrl}/keys/${name}` };
}

/** The key id of a key (or of one version) in a vault. */
export function keyIdOf(vaultUrl: string, name: string, version?: string): string {
  return `${vaultUrl.replace(/\/+$/, "")}/keys/${name}${version ? `/${version}` : ""}`;
}

/** Checks a VaultRef's shape without sending anything. */
export function checkVaultRef(ref: VaultRef, field = "vault"): void {
  if (typeof ref === "string") {
    normalizeVaultUrl(ref, field);
    return;
  }
  if (!ref || typeof ref !== "object") {
    throw new InvalidInputError("ERR_VAULT_REF_INVALID", `${field} must be a vault URL or { subscriptionId, resourceGroup, vaultName }.`, { field });
  }
  if ("vaultUrl" in ref) {
    normalizeVaultUrl(ref.vaultUrl, `${field}.vaultUrl`);
    return;
  }
  if (!isGuid(ref.subscriptionId)) {
    throw new InvalidInputError("ERR_SUBSCRIPTION_ID_INVALID", `${field}.subscriptionId '${String(ref.subscriptionId)}' is not a subscription id (a GUID).`, { field: `${field}.subscriptionId` });
  }
  if (typeof ref.resourceGroup !== "string" || ref.resourceGroup.length === 0) {
    throw new InvalidInputError("ERR_RESOURCE_GROUP_NAME_INVALID", `${field}.resourceGroup is required.`, { field: `${field}.resourceGroup` });
  }
  if (typeof ref.vaultName !== "string" || ref.vaultName.length === 0) {
    throw new InvalidInputError("ERR_VAULT_NAME_INVALID", `${field}.vaultName is required.`, { field: `${field}.vaultName` });
  }
  // A name Key Vault would refuse is refused here, before ARM is asked for a vault that cannot exist.
  validateVaultName(ref.vaultName, `${field}.vaultName`);
}

/** Vault URLs already resolved, per client context (ARM answers the same for the life of a vault). */
const resolved = new WeakMap<ClientContext, Map<string, string>>();

/** The vault URL of a VaultRef; ARM coordinates are read once (`properties.vaultUri`) and cached. */
export async function resolveVaultUrl(context: ClientContext, ref: VaultRef, options: { abortSignal?: AbortSignal } = {}): Promise<string> {
  checkVaultRef(ref);
  if (typeof ref === "string") return normalizeVaultUrl(ref);
  if ("vaultUrl" in ref) return normalizeVaultUrl(ref.vaultUrl);
  const cache = resolved.get(context) ?? new Map<string, string>();
  resolved.set(context, cache);
  const key = `${ref.subscriptionId}/${ref.resourceGroup}/${ref.vaultName}`.toLowerCase();
  const hit = cache.get(key);
  if (hit) return hit;
  let vaultUri: string | undefined;
  try {
    const vault = await withRetry(
      "vaults.get",
      () => context.keyVaultManagement(ref.subscriptionId).vaults.get(ref.resourceGroup, ref.vaultName, azureCallOptions(options)),
      context.retryOptions(options),
    );
    vaultUri = vault.properties?.vaultUri;
  } catch (error) {
    if (statusOf(error) === 404) {
      throw new PreconditionFailedError(
        "ERR_VAULT_NOT_FOUND",
        `Vault '${ref.vaultName}' was not found in resource group '${ref.resourceGroup}' of subscription ${ref.subscriptionId}. Create it with client.vaultPairs.plan(spec) then client.vaultPairs.beginApply(plan), or check the names.`,
        { cause: error },
      );
    }
    throw error;
  }
  if (!vaultUri) throw new PreconditionFailedError("ERR_VAULT_NOT_FOUND", `Vault '${ref.vaultName}' has no vaultUri yet (still being created?); try again shortly.`);
  const url = normalizeVaultUrl(vaultUri);
  cache.set(key, url);
  return url;
}
