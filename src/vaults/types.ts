/** Public types of the vault-pair module, and the Customer Key permission constants. */

/** The data encryption policy type a vault pair serves; one pair per workload. */
export type Workload = "exchange" | "sharePoint" | "multiWorkload";

/** Key Vault data-plane authorisation: classic access policies, or Azure RBAC role assignments. */
export type PermissionModel = "accessPolicy" | "rbac";

/**
 * App ids of the Microsoft 365 service principals that wrap and unwrap with the root keys
 * (customer-key-set-up, CK-2023; research azure-regions-and-key-rules.md §3.1).
 */
export const WORKLOAD_APP_IDS: Readonly<Record<Workload, string>> = Object.freeze({
  exchange: "00000002-0000-0ff1-ce00-000000000000",
  sharePoint: "00000003-0000-0ff1-ce00-000000000000",
  multiWorkload: "c066d759-24ae-40e7-a56f-027002b5d3e4",
});

/** Display names Microsoft gives for those service principals. */
export const WORKLOAD_DISPLAY_NAMES: Readonly<Record<Workload, string>> = Object.freeze({
  exchange: "Office 365 Exchange Online",
  sharePoint: "Office 365 SharePoint Online",
  multiWorkload: "M365DataAtRestEncryption",
});

/**
 * Key permissions of a human key-vault administrator. Deliberately no `delete` and no `purge`:
 * "does not include the permission to delete keys. This is intentional" (CK-2023).
 */
export const ADMIN_KEY_PERMISSIONS: readonly string[] = Object.freeze(["create", "import", "list", "get", "backup", "restore"]);

/** Key permissions of the workload's service principal. */
export const SERVICE_KEY_PERMISSIONS: readonly string[] = Object.freeze(["get", "wrapKey", "unwrapKey"]);

/** Azure built-in role ids used by the RBAC model (GUIDs are Azure's own). */
export const ROLE_IDS = Object.freeze({
  /** Key Vault Crypto Service Encryption User: read key metadata, wrap and unwrap. */
  cryptoServiceEncryptionUser: "e147488a-f6f5-4113-8e2d-b22465e65bf6",
  /** Key Vault Crypto Officer: NOT used for admins, its data actions include delete and purge. */
  cryptoOfficer: "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
  contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
});

/** One vault of the pair: where it lives. */
export interface VaultLocation {
  subscriptionId: string;
  resourceGroup: string;
  /** ARM name (`westeurope`) or display name (`West Europe`). */
  location: string;
  vaultName: string;
}

/** What the pair's root key should look like (created by the keys module, not by vaultPairs). */
export interface RootKeySpec {
  name: string;
  size: 2048 | 3072 | 4096;
  protection: "hsm" | "software";
}

/** The desired state of a Customer Key vault pair. */
export interface VaultPairSpec {
  workload: Workload;
  permissionModel: PermissionModel;
  /** Key-vault administrators (UPN or object id): create/import/list/get/backup/restore, never delete. */
  administrators: string[];
  /** Principals that get the `Contributor` role on each vault (to manage its permissions). */
  contributors?: string[];
  primary: VaultLocation;
  secondary: VaultLocation;
  key?: RootKeySpec;
  tags?: Record<string, string>;
  /**
   * Microsoft advises two NON-paired regions ("a total of four regions of availability").
   * A paired pair is a spec error unless this is true, in which case the plan only warns.
   */
  allowPairedRegions?: boolean;
}

/** Names a vault: by ARM coordinates. */
export interface VaultRef {
  subscriptionId: string;
  resourceGroup: string;
  vaultName: string;
}
