/**
 * The SharePoint Online admin transport contract: one method per server operation behind the
 * `*-SPODataEncryptionPolicy` cmdlets (methods of `SP.Site` on the tenant admin site). Public on
 * purpose: users bring their own.
 */
import type { OperationOptions } from "../internal/operation.js";

/** Where one customer key lives, as SharePoint's `SP.CustomerKeyVaultInfo` names it. */
export interface CustomerKeyVaultInfo {
  /** The key's name in the vault. */
  KeyName: string;
  /** The key version: 32 hex digits, as in the key id (the service types it as a GUID). */
  KeyVersion: string;
  /** The vault's resource group. */
  ResourceGroupName?: string;
  /** The vault's subscription id (a GUID). */
  SubscriptionId?: string;
  /**
   * The vault URI (`https://contoso-ck-eu1.vault.azure.net/`) or the key's versioned id
   * (`…/keys/{KeyName}/{KeyVersion}`). The REST transport sends the versioned id: the cmdlets'
   * BYOK_Uri parameter set names a key by this URI alone [INF].
   */
  Uri: string;
  /** The vault's name. */
  VaultName: string;
}

/** The two customer keys of a registration or recovery (`SP.CustomerKeyInfo`); the availability key is Microsoft's. */
export interface CustomerKeyInfo {
  /** The primary key. */
  PrimaryKeyVault: CustomerKeyVaultInfo;
  /** The secondary key, in another vault of another subscription. */
  SecondaryKeyVault: CustomerKeyVaultInfo;
}

/**
 * SharePoint's `CustomerKeyStatus` enum in declaration order ($metadata and the CSOM dump): the
 * index is the number the service sends [INF: the numbers are the declaration order, not seen on
 * the wire]. The `…MMK` states are those of a move back to Microsoft-managed keys.
 */
export const CUSTOMER_KEY_STATUS_NAMES = [
  "Unregistered",
  "Registering",
  "Registered",
  "Rolling",
  "Recovering",
  "UnregisteringToMMK",
  "RegisteringToMMK",
  "RegisteredToMMK",
  "RollingMMK",
] as const;

/** The tenant's (or a site's) Customer Key state: one of CUSTOMER_KEY_STATUS_NAMES, or a name a later service version adds. */
export type CustomerKeyStatusName = (typeof CUSTOMER_KEY_STATUS_NAMES)[number] | (string & {});

/** SharePoint's `SP.CustomerKeyStatusInfo`: the state, its progress and the vaults in use. */
export interface CustomerKeyStatusInfo {
  /** The state's name, e.g. `Registered`. */
  Status: CustomerKeyStatusName;
  /** The state as the service's number (`CustomerKeyStatus` enum). */
  StatusCode: number;
  /** Progress of a registration or roll, as the service reports it (e.g. `"42 %"` or a number). */
  RegistrationProgress: string;
  /** The primary key's vault URI (with key name and version) in use; empty when unregistered. */
  PrimaryKeyVaultUri: string;
  /** The secondary key's vault URI in use; empty when unregistered. */
  SecondaryKeyVaultUri: string;
  /** The availability key's vault URI (Microsoft's). */
  AvailabilityKeyVaultUri: string;
  /** Whether the tenant is in recovery mode. */
  RecoveryEnabled: boolean;
}

/** Which customer key a roll replaces. */
export type SharePointKeyType = "primary" | "secondary";

/** Runs the SharePoint Online Customer Key operations. Implementations: `SharePointRestTransport`, `SharePointPowerShellTransport`, or your own. */
export interface SharePointTransport {
  /** `Get-SPODataEncryptionPolicy`: the tenant's state. */
  getTenantKeyStatus(options?: OperationOptions): Promise<CustomerKeyStatusInfo>;
  /** `Register-SPODataEncryptionPolicy`: starts the registration; poll `getTenantKeyStatus` for progress. */
  registerTenantKeys(keyInfo: CustomerKeyInfo, options?: OperationOptions): Promise<CustomerKeyStatusInfo>;
  /** `Update-SPODataEncryptionPolicy`: starts a roll of one key; one roll at a time. */
  rollTenantKey(keyType: SharePointKeyType, keyVaultInfo: CustomerKeyVaultInfo, options?: OperationOptions): Promise<CustomerKeyStatusInfo>;
  /** `Restore-SPODataEncryptionPolicy`: restores the keys of a tenant in recovery mode. */
  recoverTenantKeys(keyInfo: CustomerKeyInfo, options?: OperationOptions): Promise<CustomerKeyStatusInfo>;
  /** `Get-SPOSiteDataEncryptionPolicy -Identity <siteUrl>`: one site's state. */
  getSiteKeyStatus(siteUrl: string, options?: OperationOptions): Promise<CustomerKeyStatusInfo>;
  /** Optional: releases what the transport holds (a child process, sockets). Safe to call twice. */
  close?(): Promise<void>;
}
