import type { EmulatorCore } from "../kernel/core.js";
import { DO_NOT_CANCEL_FEATURE } from "../arm/admin-operations.js";
import { armState, type VaultRecord } from "../arm/model.js";
import { keyVaultState, type VaultKeysState } from "./model.js";

/** What a vault's soft-delete settings make of its keys: `attributes.recoveryLevel` and `recoverableDays`. */
export interface Recovery {
  level: string;
  days: number;
  softDelete: boolean;
  purgeProtection: boolean;
}

/** The vault a host name names, if it is live (soft-deleted vaults do not answer). */
export function findVault(core: EmulatorCore, name: string): VaultRecord | undefined {
  return armState(core).vaults[name.toLowerCase()];
}

/** The vault's key store, created empty on first use (not a change until something is written). */
export function keysOf(core: EmulatorCore, vaultName: string): VaultKeysState {
  const key = vaultName.toLowerCase();
  return (keyVaultState(core).vaults[key] ??= { keys: {}, deleted: {} });
}

/** True once Microsoft approved the subscription's "Do Not Cancel" registration (feature key matched case-insensitively). */
export function isProtectedSubscription(core: EmulatorCore, subscriptionId: string): boolean {
  const subscription = armState(core).subscriptions[subscriptionId.toLowerCase()];
  if (!subscription) return false;
  const feature = Object.entries(subscription.features).find(([k]) => k.toLowerCase() === DO_NOT_CANCEL_FEATURE.toLowerCase())?.[1];
  return feature?.state === "Registered";
}

/**
 * The recovery level from the vault's ARM properties and its subscription: `Purgeable` without
 * soft delete; `Recoverable+Purgeable`, `Recoverable` (purge protection) or
 * `Recoverable+ProtectedSubscription` (and Do-Not-Cancel) at 90 days; the `CustomizedRecoverable*`
 * variants at 7–89 days.
 */
export function recoveryOf(core: EmulatorCore, vault: VaultRecord): Recovery {
  const p = vault.properties;
  if (!p.enableSoftDelete) return { level: "Purgeable", days: 0, softDelete: false, purgeProtection: false };
  const days = p.softDeleteRetentionInDays || 90;
  const prefix = days >= 90 ? "" : "Customized";
  const purgeProtection = p.enablePurgeProtection === true;
  const suffix = !purgeProtection ? "+Purgeable" : isProtectedSubscription(core, vault.subscriptionId) ? "+ProtectedSubscription" : "";
  return { level: `${prefix}Recoverable${suffix}`, days, softDelete: true, purgeProtection };
}

/** Azure geographies of the regions (backups restore only within one); unlisted regions are their own geography. */
const geographies: Record<string, string[]> = {
  "united-states": ["eastus", "eastus2", "southcentralus", "westus", "westus2", "westus3", "centralus", "northcentralus", "westcentralus"],
  europe: ["northeurope", "westeurope"],
  "united-kingdom": ["uksouth", "ukwest"],
  germany: ["germanywestcentral", "germanynorth"],
  france: ["francecentral", "francesouth"],
  switzerland: ["switzerlandnorth", "switzerlandwest"],
  norway: ["norwayeast", "norwaywest"],
  sweden: ["swedencentral", "swedensouth"],
  "asia-pacific": ["eastasia", "southeastasia"],
  australia: ["australiaeast", "australiasoutheast", "australiacentral", "australiacentral2"],
  japan: ["japaneast", "japanwest"],
  korea: ["koreacentral", "koreasouth"],
  india: ["centralindia", "southindia", "westindia", "jioindiawest", "jioindiacentral"],
  canada: ["canadacentral", "canadaeast"],
  brazil: ["brazilsouth", "brazilsoutheast"],
  "south-africa": ["southafricanorth", "southafricawest"],
  uae: ["uaenorth", "uaecentral"],
};

export function geographyOf(location: string): string {
  const region = location.replace(/\s+/g, "").toLowerCase();
  return Object.entries(geographies).find(([, regions]) => regions.includes(region))?.[0] ?? region;
}

/** The ARM id of the vault, the scope of its role assignments. */
export function vaultResourceId(vault: VaultRecord): string {
  return `/subscriptions/${vault.subscriptionId}/resourceGroups/${vault.resourceGroup}/providers/Microsoft.KeyVault/vaults/${vault.name}`;
}
