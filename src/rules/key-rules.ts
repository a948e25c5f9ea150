/**
 * What Microsoft 365 Customer Key accepts in a root key (research azure-regions-and-key-rules.md §3,
 * m365-endpoints.md §4.3): RSA, 2048/3072/4096 bits, wrapKey+unwrapKey, enabled, no expiry (or
 * 9999-12-31), recovery level Recoverable+ProtectedSubscription. Pure functions, shared by the
 * keys module and validate().
 */
import type { KeyVaultKey } from "@azure/keyvault-keys";

/** RSA sizes Customer Key accepts, in bits. */
export type KeySize = 2048 | 3072 | 4096;
/** Where the key lives: an HSM (`RSA-HSM`, premium vaults) or software (`RSA`). */
export type KeyProtection = "hsm" | "software";

/** The RSA sizes Customer Key accepts, in bits: 2048, 3072, 4096. */
export const KEY_SIZES: readonly KeySize[] = [2048, 3072, 4096];
/** Exactly these operations: Customer Key only wraps and unwraps. */
export const ROOT_KEY_OPERATIONS: readonly string[] = Object.freeze(["wrapKey", "unwrapKey"]);
/** The recovery level Microsoft 365 requires: soft delete and purge protection on, and the subscription Do-Not-Cancel. */
export const REQUIRED_RECOVERY_LEVEL = "Recoverable+ProtectedSubscription";
/**
 * Recovering a soft-deleted key needs the keys `recover` permission, which Microsoft's
 * administrator set (and ours) deliberately leaves out: say so wherever we point to recover().
 */
export const RECOVER_PERMISSION_HINT =
  "Recovery needs the keys 'recover' permission, which administrators do not hold by default: grant it for the recovery only (Set-AzKeyVaultAccessPolicy -PermissionsToKeys recover) and remove it afterwards.";

/**
 * Changing a key's attributes (expiry, enabled, key operations) needs the keys `update`
 * permission, which Microsoft's administrator set (and our plan) leaves out too: every fix that
 * ends in a key PATCH says so, names the temporary grant and how to take it back.
 */
export function updatePermissionHint(vaultName: string, resourceGroup = "<resource group>"): string {
  return (
    `This needs the keys 'update' permission, which administrators do not hold (Microsoft's administrator set and vaultPairs leave it out), so grant it for the fix only: ` +
    `with @azure/arm-keyvault, new KeyVaultManagementClient(credential, subscriptionId).vaults.updateAccessPolicy("${resourceGroup}", "${vaultName}", "add", { properties: { accessPolicies: [{ tenantId, objectId, permissions: { keys: ["update"] } }] } }) and afterwards the same call with "remove"; ` +
    `PowerShell: Set-AzKeyVaultAccessPolicy -VaultName ${vaultName} -UserPrincipalName <you> -PermissionsToKeys create,import,list,get,backup,restore,update, afterwards the same without update; ` +
    `under RBAC assign Key Vault Crypto Officer on the vault and remove the assignment afterwards.`
  );
}

/**
 * Azure cannot remove an expiry once set; Microsoft prescribes 12/31/9999 instead (CK-2023:
 * "change the expiration value to 12/31/9999").
 */
export const NO_EXPIRY = new Date(Date.UTC(9999, 11, 31, 0, 0, 0));

/** The summary of one key version the SDK returns: ids and the attributes Customer Key cares about. */
export interface RootKeyInfo {
  /** Versioned key id (kid): the key URI Microsoft 365 is given. */
  id: string;
  /** The id without version. */
  versionlessId: string;
  /** The vault URL. */
  vaultUrl: string;
  /** The key name. */
  name: string;
  /** The version (32 hex characters). */
  version: string;
  /** `RSA` or `RSA-HSM` (or whatever the vault reports). */
  keyType: string;
  /** Modulus size in bits (RSA), undefined if the public key was not returned. */
  keySize: number | undefined;
  /** Permitted operations; `wrapKey` and `unwrapKey` for a root key. */
  keyOperations: string[];
  /** False when the version is disabled. */
  enabled: boolean;
  /** Not usable before this time; undefined when unset. */
  notBefore: Date | undefined;
  /** Expiry; undefined when unset, 9999-12-31 when cleared. */
  expiresOn: Date | undefined;
  /** When the version was created. */
  createdOn: Date | undefined;
  /** When the version was last updated. */
  updatedOn: Date | undefined;
  /** The vault's recovery level for the key, e.g. `Recoverable+ProtectedSubscription`. */
  recoveryLevel: string | undefined;
  /** Days a deleted key stays recoverable (7–90). */
  recoverableDays: number | undefined;
}

/** Bits of an RSA modulus (leading zero bytes ignored), rounded up to a whole byte. */
export function modulusBits(n: Uint8Array | undefined): number | undefined {
  if (!n || n.length === 0) return undefined;
  let i = 0;
  while (i < n.length - 1 && n[i] === 0) i++;
  return (n.length - i) * 8;
}

export function toRootKeyInfo(key: KeyVaultKey): RootKeyInfo {
  const p = key.properties;
  const vaultUrl = p.vaultUrl.replace(/\/+$/, "").toLowerCase();
  const version = p.version ?? "";
  return {
    id: key.id ?? `${vaultUrl}/keys/${key.name}/${version}`,
    versionlessId: `${vaultUrl}/keys/${key.name}`,
    vaultUrl,
    name: key.name,
    version,
    keyType: String(key.keyType ?? key.key?.kty ?? ""),
    keySize: modulusBits(key.key?.n),
    keyOperations: [...(key.keyOperations ?? key.key?.keyOps ?? [])].map(String),
    enabled: p.enabled !== false,
    notBefore: p.notBefore,
    expiresOn: p.expiresOn,
    createdOn: p.createdOn,
    updatedOn: p.updatedOn,
    recoveryLevel: p.recoveryLevel,
    recoverableDays: p.recoverableDays,
  };
}

/**
 * True for no expiry, or an expiry on 9999-12-30/31 UTC: Microsoft's `-Expires (Get-Date -Date
 * "12/31/9999")` is local midnight, which lands between 9999-12-30T10:00Z and 9999-12-31T12:00Z.
 */
export function isAcceptedExpiry(expiresOn: Date | undefined): boolean {
  if (expiresOn === undefined) return true;
  const t = expiresOn.getTime();
  return t >= Date.UTC(9999, 11, 30) && t < Date.UTC(10000, 0, 1);
}

/** True when the expiry is absent or already exactly the prescribed 9999-12-31T00:00:00Z. */
export function isClearedExpiry(expiresOn: Date | undefined): boolean {
  return expiresOn === undefined || expiresOn.getTime() === NO_EXPIRY.getTime();
}

export function expectedKeyType(protection: KeyProtection): string {
  return protection === "hsm" ? "RSA-HSM" : "RSA";
}

/** Ways a key version differs from what `create(name, { size, protection })` asks for; empty = compliant. */
export function rootKeyMismatches(info: RootKeyInfo, wanted: { size: KeySize; protection: KeyProtection }): string[] {
  const problems: string[] = [];
  const kty = expectedKeyType(wanted.protection);
  if (info.keyType !== kty) problems.push(`key type is ${info.keyType || "unknown"}, expected ${kty}`);
  if (info.keySize !== undefined && info.keySize !== wanted.size) problems.push(`size is ${info.keySize} bits, expected ${wanted.size}`);
  const ops = [...info.keyOperations].sort();
  if (ops.join(",") !== [...ROOT_KEY_OPERATIONS].sort().join(",")) problems.push(`operations are [${info.keyOperations.join(", ")}], expected exactly [wrapKey, unwrapKey]`);
  if (!info.enabled) problems.push("it is disabled");
  if (!isAcceptedExpiry(info.expiresOn)) problems.push(`it expires on ${info.expiresOn!.toISOString()}`);
  return problems;
}
