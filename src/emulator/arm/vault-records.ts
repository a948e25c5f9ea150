import type { EmulatorCore } from "../kernel/core.js";
import { scopeCovers } from "../authz/arm-roles.js";
import { armState, type DeletedVaultRecord, type VaultRecord } from "./model.js";
import { keyVaultState } from "../keyvault/model.js";

export const VAULT_TYPE = "Microsoft.KeyVault/vaults";

export function vaultId(vault: Pick<VaultRecord, "subscriptionId" | "resourceGroup" | "name">): string {
  return `/subscriptions/${vault.subscriptionId}/resourceGroups/${vault.resourceGroup}/providers/Microsoft.KeyVault/vaults/${vault.name}`;
}

export function deletedVaultId(subscriptionId: string, location: string, name: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.KeyVault/locations/${location}/deletedVaults/${name}`;
}

/** A vault as the Key Vault resource provider answers it (`Vault` of the 2024-11-01 swagger). */
export function vaultResource(vault: VaultRecord): Record<string, unknown> {
  const p = vault.properties;
  return {
    id: vaultId(vault),
    name: vault.name,
    type: VAULT_TYPE,
    location: vault.location,
    tags: vault.tags,
    systemData: {
      createdBy: vault.createdBy,
      createdByType: vault.createdByType ?? "User",
      createdAt: vault.createdAt,
      lastModifiedBy: vault.lastModifiedBy,
      lastModifiedByType: vault.lastModifiedByType ?? "User",
      lastModifiedAt: vault.lastModifiedAt,
    },
    properties: {
      sku: p.sku,
      tenantId: p.tenantId,
      ...(p.networkAcls !== undefined ? { networkAcls: p.networkAcls } : {}),
      accessPolicies: p.accessPolicies,
      enabledForDeployment: p.enabledForDeployment,
      enabledForDiskEncryption: p.enabledForDiskEncryption,
      enabledForTemplateDeployment: p.enabledForTemplateDeployment,
      enableSoftDelete: p.enableSoftDelete,
      softDeleteRetentionInDays: p.softDeleteRetentionInDays,
      enableRbacAuthorization: p.enableRbacAuthorization,
      ...(p.enablePurgeProtection ? { enablePurgeProtection: true } : {}),
      vaultUri: p.vaultUri,
      provisioningState: p.provisioningState,
      publicNetworkAccess: p.publicNetworkAccess,
    },
  };
}

/** A soft-deleted vault (`DeletedVault`). */
export function deletedVaultResource(deleted: DeletedVaultRecord): Record<string, unknown> {
  const vault = deleted.vault;
  return {
    id: deletedVaultId(vault.subscriptionId, vault.location, vault.name),
    name: vault.name,
    type: "Microsoft.KeyVault/deletedVaults",
    properties: {
      vaultId: vaultId(vault),
      location: vault.location,
      tags: vault.tags,
      deletionDate: deleted.deletionDate,
      scheduledPurgeDate: deleted.scheduledPurgeDate,
      purgeProtectionEnabled: vault.properties.enablePurgeProtection === true,
    },
  };
}

/**
 * Deletes a vault as Key Vault does: with soft delete it moves to the deleted vaults (keys kept,
 * name reserved until purge); without, it is purged at once. Role assignments at or below the
 * vault disappear either way (Azure's documented limitation).
 */
export function deleteVault(core: EmulatorCore, vault: VaultRecord): void {
  const key = vault.name.toLowerCase();
  const id = vaultId(vault);
  delete armState(core).vaults[key];
  for (const [name, assignment] of Object.entries(armState(core).roleAssignments)) {
    if (scopeCovers(id, assignment.scope)) delete armState(core).roleAssignments[name];
  }
  if (vault.properties.enableSoftDelete) {
    const now = core.clock.nowMs();
    armState(core).deletedVaults[key] = {
      vault,
      deletionDate: new Date(now).toISOString(),
      scheduledPurgeDate: new Date(now + vault.properties.softDeleteRetentionInDays * 86_400_000).toISOString(),
    };
  } else {
    delete keyVaultState(core).vaults[key];
  }
  core.changed();
}

/** Removes a deleted vault and its keys for good; its name becomes free. */
export function purgeVault(core: EmulatorCore, name: string): void {
  const key = name.toLowerCase();
  delete armState(core).deletedVaults[key];
  delete keyVaultState(core).vaults[key];
  core.changed();
}
