import type { EmulatorCore } from "../kernel/core.js";
import { assignRole } from "./admin-operations.js";
import { armState, BUILT_IN_ROLES, type AccessPolicyEntry, type VaultRecord } from "./model.js";
import { normaliseRegion } from "./regions.js";
import { resourceGroupKey } from "./request-context.js";
import { vaultId } from "./vault-records.js";
import { isValidVaultName } from "./vault-rules.js";

/** An access policy entry of {@link SeedVaultOptions}. */
export interface SeedAccessPolicy {
  /** The principal: a user's UPN or object id, a service principal's app id or object id, or a group's object id. */
  principal: string;
  /** Key permissions, e.g. `["get", "wrapKey", "unwrapKey"]`, or `["all"]`. */
  keys: string[];
  /** For a compound entry: the application the principal must call through; none by default. */
  applicationId?: string;
}

/** Options of `emulator.seed.vault()`. The defaults make a vault Customer Key accepts. */
export interface SeedVaultOptions {
  /** The vault name (3–24 characters, globally unique in the emulator). */
  name: string;
  /** Subscription id (a GUID); the first seeded subscription by default. */
  subscriptionId?: string;
  /** Resource group, created if missing; `rg-emulator` by default. */
  resourceGroup?: string;
  /** Azure region; `westeurope` by default. */
  location?: string;
  /** Pricing tier; `premium` (HSM-backed keys) by default. */
  sku?: "standard" | "premium";
  /** Soft delete; true by default. False makes an old-style vault that Azure no longer creates (for tests of that case). */
  softDelete?: boolean;
  /** Days a deleted key or vault is kept, 7 to 90; 90 by default. */
  softDeleteRetentionInDays?: number;
  /** Purge protection; true by default (Customer Key requires it). */
  purgeProtection?: boolean;
  /** Data-plane access by Azure RBAC instead of access policies; false by default. */
  rbac?: boolean;
  /**
   * Access policies (ignored with `rbac`). By default the seeded admin holds every key
   * permission; with `rbac` the admin is given Key Vault Crypto Officer on the vault instead.
   */
  accessPolicies?: SeedAccessPolicy[];
  /** Tags, name to value; none by default. */
  tags?: Record<string, string>;
}

/** A vault made by `emulator.seed.vault()`. */
export interface SeededVault {
  /** The vault name as given. */
  name: string;
  /** Subscription id (a GUID). */
  subscriptionId: string;
  /** Resource group name. */
  resourceGroup: string;
  /** Azure region. */
  location: string;
  /** The ARM resource id. */
  resourceId: string;
  /** The data-plane URL, `https://{name}.vault.localhost:{port}` (no trailing slash), for `KeyClient`. */
  vaultUrl: string;
}

/**
 * Writes a vault into ARM's state as a completed `Vaults_CreateOrUpdate` would leave it, without
 * the ARM calls. Refuses (with an Error that says why) what ARM would refuse: a bad or taken name,
 * an unknown subscription or region, a retention outside 7..90, purge protection without soft delete.
 */
export function seedVault(core: EmulatorCore, options: SeedVaultOptions): SeededVault {
  const arm = armState(core);
  const name = options.name;
  if (!isValidVaultName(name)) throw new Error(`'${name}' is not a valid vault name: 3-24 letters, digits and single hyphens, starting with a letter.`);
  const key = name.toLowerCase();
  if (arm.vaults[key] || arm.deletedVaults[key]) throw new Error(`The vault name '${name}' is already taken in the emulator (live or soft-deleted).`);
  const subscriptionId = (options.subscriptionId ?? Object.keys(arm.subscriptions)[0] ?? "").toLowerCase();
  if (!arm.subscriptions[subscriptionId]) throw new Error(`Subscription '${options.subscriptionId}' does not exist in the emulator.`);
  const location = normaliseRegion(options.location ?? "westeurope");
  if (!location) throw new Error(`'${options.location}' is not an Azure region the emulator knows.`);
  const softDelete = options.softDelete ?? true;
  const purgeProtection = options.purgeProtection ?? softDelete;
  if (purgeProtection && !softDelete) throw new Error("Purge protection needs soft delete.");
  const retention = options.softDeleteRetentionInDays ?? 90;
  if (!Number.isInteger(retention) || retention < 7 || retention > 90) throw new Error("softDeleteRetentionInDays must be an integer from 7 to 90.");

  const resourceGroupName = options.resourceGroup ?? "rg-emulator";
  const groupKey = resourceGroupKey(subscriptionId, resourceGroupName);
  const group = (arm.resourceGroups[groupKey] ??= { subscriptionId, name: resourceGroupName, location, tags: {} });
  const admin = core.directory.users[0]!;
  const rbac = options.rbac ?? false;
  const policies: AccessPolicyEntry[] = (options.accessPolicies ?? [{ principal: admin.objectId, keys: ["all"] }]).map((p) => ({
    tenantId: core.tenantId,
    objectId: objectIdOf(core, p.principal),
    ...(p.applicationId ? { applicationId: p.applicationId } : {}),
    permissions: { keys: [...p.keys] },
  }));
  const now = core.clock.now().toISOString();
  const vault: VaultRecord = {
    name,
    subscriptionId,
    resourceGroup: group.name,
    location,
    tags: { ...options.tags },
    properties: {
      tenantId: core.tenantId,
      sku: { family: "A", name: options.sku ?? "premium" },
      accessPolicies: rbac ? [] : policies,
      vaultUri: `${core.endpoints.vaultUrl(name)}/`,
      enabledForDeployment: false,
      enabledForDiskEncryption: false,
      enabledForTemplateDeployment: false,
      enableSoftDelete: softDelete,
      softDeleteRetentionInDays: retention,
      ...(purgeProtection ? { enablePurgeProtection: true } : {}),
      enableRbacAuthorization: rbac,
      provisioningState: "Succeeded",
      publicNetworkAccess: "Enabled",
    },
    createdAt: now,
    createdBy: admin.userPrincipalName,
    createdByType: "User",
    lastModifiedAt: now,
    lastModifiedBy: admin.userPrincipalName,
    lastModifiedByType: "User",
  };
  arm.vaults[key] = vault;
  if (rbac && options.accessPolicies === undefined) {
    assignRole(core, { scope: vaultId(vault), roleId: BUILT_IN_ROLES.keyVaultCryptoOfficer.id, principalId: admin.objectId });
  }
  core.changed();
  return {
    name,
    subscriptionId,
    resourceGroup: group.name,
    location,
    resourceId: vaultId(vault),
    vaultUrl: core.endpoints.vaultUrl(name),
  };
}

function objectIdOf(core: EmulatorCore, principal: string): string {
  const found = core.directory.findPrincipal(principal)?.record.objectId ?? core.directory.findGroup(principal)?.objectId;
  if (!found) throw new Error(`No user, service principal or group '${principal}' in the emulated directory.`);
  return found;
}
