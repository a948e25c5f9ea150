/** Resource Manager state of the emulator: plain JSON, kept in the state file. */

/** A preview feature registration on a subscription. */
export interface FeatureRecord {
  /** `NotRegistered` → `Pending` (awaiting Microsoft's approval) → `Registered`. */
  state: string;
  /** Last change, ISO 8601. */
  updatedAt: string;
}

/** A resource provider registration on a subscription. */
export interface ProviderRecord {
  /** `NotRegistered`, `Registering` or `Registered`. */
  registrationState: string;
  /** Last change, ISO 8601. */
  updatedAt: string;
}

/** An emulated Azure subscription. */
export interface SubscriptionRecord {
  /** Subscription id (a GUID, lower case). */
  subscriptionId: string;
  /** Display name. */
  displayName: string;
  /** `Enabled`, `Warned`, `PastDue`, `Disabled` or `Deleted`. */
  state: string;
  /** Tenant id (a GUID) of the directory it trusts. */
  tenantId: string;
  /** Keyed `Namespace/featureName`, case as first seen. */
  features: Record<string, FeatureRecord>;
  /** Keyed by namespace. */
  providers: Record<string, ProviderRecord>;
  /** The offer's quota id (`subscriptionPolicies.quotaId`), e.g. `PayAsYouGo_2014-09-01`; paid by default. */
  quotaId?: string;
}

/** A resource group. */
export interface ResourceGroupRecord {
  /** Subscription id (a GUID). */
  subscriptionId: string;
  /** Name as created. */
  name: string;
  /** Azure region, e.g. `westeurope`. */
  location: string;
  /** Tags, name to value. */
  tags: Record<string, string>;
  /** `Deleting` while an asynchronous delete runs; absent means `Succeeded`. */
  provisioningState?: string;
}

/** A Key Vault access policy entry. */
export interface AccessPolicyEntry {
  /** Tenant id (a GUID) of the principal. */
  tenantId: string;
  /** Object id of the user, group or service principal. */
  objectId: string;
  /** For a compound entry: the application the principal must call through. */
  applicationId?: string;
  /** Granted permissions per object kind, e.g. `keys: ["get", "wrapKey"]`. */
  permissions: { keys?: string[]; secrets?: string[]; certificates?: string[]; storage?: string[] };
}

/** Properties of a vault, as ARM answers them. */
export interface VaultProperties {
  /** Tenant id (a GUID) whose tokens the vault accepts. */
  tenantId: string;
  /** Pricing tier; Customer Key needs `premium`. */
  sku: { family: "A"; name: "standard" | "premium" };
  /** Access policies (ignored on RBAC vaults). */
  accessPolicies: AccessPolicyEntry[];
  /** Data-plane URL, with a trailing slash. */
  vaultUri: string;
  /** Whether VMs may read secrets as certificates. */
  enabledForDeployment: boolean;
  /** Whether Azure Disk Encryption may use the vault. */
  enabledForDiskEncryption: boolean;
  /** Whether ARM templates may read secrets. */
  enabledForTemplateDeployment: boolean;
  /** Whether deletes are soft (always true for new vaults). */
  enableSoftDelete: boolean;
  /** Days a deleted vault or key is kept, 7 to 90 (90 by default). */
  softDeleteRetentionInDays: number;
  /** Once true, deleted objects cannot be purged before the retention ends. */
  enablePurgeProtection?: boolean;
  /** Whether data-plane access uses Azure RBAC instead of access policies. */
  enableRbacAuthorization: boolean;
  /** `RegisteringDns` while being created, then `Succeeded`. */
  provisioningState: string;
  /** `Enabled` or `Disabled`. */
  publicNetworkAccess: string;
  /** Network rules as given; not enforced by the emulator. */
  networkAcls?: unknown;
}

/** A Key Vault vault resource. */
export interface VaultRecord {
  /** The name as created; vault names are globally unique, case-insensitively. */
  name: string;
  /** Subscription id (a GUID, lower case). */
  subscriptionId: string;
  /** Resource group name as given. */
  resourceGroup: string;
  /** Azure region, e.g. `westeurope`. */
  location: string;
  /** Tags, name to value. */
  tags: Record<string, string>;
  /** The vault properties. */
  properties: VaultProperties;
  /** Creation time, ISO 8601 (systemData). */
  createdAt: string;
  /** UPN or app id of the creator (systemData). */
  createdBy: string;
  /** Last change, ISO 8601 (systemData). */
  lastModifiedAt: string;
  /** UPN or app id of the last writer (systemData). */
  lastModifiedBy: string;
  /** `User` or `Application`, for `systemData`. */
  createdByType?: string;
  /** `User` or `Application` (systemData). */
  lastModifiedByType?: string;
}

/** A soft-deleted vault. */
export interface DeletedVaultRecord {
  /** The vault as it was when deleted. */
  vault: VaultRecord;
  /** Deletion time, ISO 8601. */
  deletionDate: string;
  /** When it is purged, ISO 8601 (deletion plus retention days). */
  scheduledPurgeDate: string;
}

/** An Azure RBAC role assignment. */
export interface RoleAssignmentRecord {
  /** The assignment's GUID name. */
  name: string;
  /** ARM scope it applies at (and below). */
  scope: string;
  /** Full id `/subscriptions/{s}/providers/Microsoft.Authorization/roleDefinitions/{guid}` or the bare GUID path. */
  roleDefinitionId: string;
  /** Object id of the user, group or service principal. */
  principalId: string;
  /** `User`, `Group` or `ServicePrincipal`. */
  principalType: string;
  /** Creation time, ISO 8601. */
  createdOn: string;
}

/** An asynchronous operation a poller follows (`Azure-AsyncOperation` or `Location`). */
export interface AsyncOperationRecord {
  /** Operation id (a GUID). */
  id: string;
  /** Status a poller sees. */
  status: "InProgress" | "Succeeded" | "Failed";
  /** Emulator-clock ms at which it completes. */
  completesAt: number;
  /** ARM id of the resource it acts on. */
  resourceId?: string;
  /** Why it failed, when `status` is `Failed`. */
  error?: { code: string; message: string };
  /** What completing the operation does (settled on the emulator clock). */
  kind?: "vaultCreate" | "resourceGroupDelete" | "vaultPurge";
  /** Subscription id (a GUID) it runs in. */
  subscriptionId?: string;
  /** The vault name or resource group name the operation acts on. */
  target?: string;
  /** Start time, ISO 8601. */
  startedAt?: string;
}

/** Resource Manager state of the emulator: plain JSON, kept in the state file. */
export interface ArmState {
  /** Keyed by subscription id, lower case. */
  subscriptions: Record<string, SubscriptionRecord>;
  /** Keyed `{subscriptionId}/{resource group name, lower case}`. */
  resourceGroups: Record<string, ResourceGroupRecord>;
  /** Keyed by vault name, lower case (global uniqueness). */
  vaults: Record<string, VaultRecord>;
  /** Soft-deleted vaults, keyed by vault name, lower case. */
  deletedVaults: Record<string, DeletedVaultRecord>;
  /** Keyed by assignment name. */
  roleAssignments: Record<string, RoleAssignmentRecord>;
  /** Asynchronous operations, keyed by operation id. */
  operations: Record<string, AsyncOperationRecord>;
  /** Custom role definitions, keyed by GUID (absent in state files written before they existed). */
  customRoles?: Record<string, CustomRoleRecord>;
}

/** A custom role definition, stored as Azure RBAC stores one. */
export interface CustomRoleRecord {
  /** Role definition id (a GUID). */
  id: string;
  /** Role name, unique in the tenant. */
  roleName: string;
  /** Description. */
  description: string;
  /** Allowed and excluded control-plane actions and data actions. */
  permissions: { actions: string[]; notActions: string[]; dataActions: string[]; notDataActions: string[] };
  /** Scopes it may be assigned at. */
  assignableScopes: string[];
  /** Creation time, ISO 8601. */
  createdOn: string;
  /** Last change, ISO 8601. */
  updatedOn: string;
}

/** Built-in role definitions the emulator knows (GUIDs are Azure's own). */
export const BUILT_IN_ROLES = {
  owner: { id: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", roleName: "Owner" },
  contributor: { id: "b24988ac-6180-42a0-ab88-20f7382dd24c", roleName: "Contributor" },
  reader: { id: "acdd72a7-3385-48ef-bd42-f606fba81ae7", roleName: "Reader" },
  userAccessAdministrator: { id: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", roleName: "User Access Administrator" },
  keyVaultAdministrator: { id: "00482a5a-887f-4fb3-b363-3b7fe8e74483", roleName: "Key Vault Administrator" },
  keyVaultContributor: { id: "f25e0fa2-a7c8-4377-a976-54943a77a395", roleName: "Key Vault Contributor" },
  keyVaultCryptoOfficer: { id: "14b46e9e-c2b7-41b4-b07b-48a6ebf60603", roleName: "Key Vault Crypto Officer" },
  keyVaultCryptoServiceEncryptionUser: {
    id: "e147488a-f6f5-4113-8e2d-b22465e65bf6",
    roleName: "Key Vault Crypto Service Encryption User",
  },
  keyVaultCryptoUser: { id: "12338af0-0e69-4776-bea7-57ae8d297424", roleName: "Key Vault Crypto User" },
  keyVaultReader: { id: "21090545-7ca7-4776-b22c-e363652d74d2", roleName: "Key Vault Reader" },
} as const;

export function emptyArmState(): ArmState {
  return { subscriptions: {}, resourceGroups: {}, vaults: {}, deletedVaults: {}, roleAssignments: {}, operations: {}, customRoles: {} };
}

/** The key of ARM's state in the state file (the first layout's key, so older files load). */
export const ARM_STATE_KEY = "arm";

/** ARM's live state in the emulator. */
export const armState = (core: { serviceState<S>(key: string): S }): ArmState => core.serviceState<ArmState>(ARM_STATE_KEY);
