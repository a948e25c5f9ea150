/** Resource Manager state of the emulator: plain JSON, kept in the state file. */

export interface FeatureRecord {
  /** `NotRegistered` → `Pending` (awaiting Microsoft's approval) → `Registered`. */
  state: string;
  updatedAt: string;
}

export interface ProviderRecord {
  registrationState: string;
  updatedAt: string;
}

export interface SubscriptionRecord {
  subscriptionId: string;
  displayName: string;
  /** `Enabled`, `Warned`, `PastDue`, `Disabled` or `Deleted`. */
  state: string;
  tenantId: string;
  /** Keyed `Namespace/featureName`, case as first seen. */
  features: Record<string, FeatureRecord>;
  /** Keyed by namespace. */
  providers: Record<string, ProviderRecord>;
  /** The offer's quota id (`subscriptionPolicies.quotaId`), e.g. `PayAsYouGo_2014-09-01`; paid by default. */
  quotaId?: string;
}

export interface ResourceGroupRecord {
  subscriptionId: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  /** `Deleting` while an asynchronous delete runs; absent means `Succeeded`. */
  provisioningState?: string;
}

export interface AccessPolicyEntry {
  tenantId: string;
  objectId: string;
  applicationId?: string;
  permissions: { keys?: string[]; secrets?: string[]; certificates?: string[]; storage?: string[] };
}

export interface VaultProperties {
  tenantId: string;
  sku: { family: "A"; name: "standard" | "premium" };
  accessPolicies: AccessPolicyEntry[];
  vaultUri: string;
  enabledForDeployment: boolean;
  enabledForDiskEncryption: boolean;
  enabledForTemplateDeployment: boolean;
  enableSoftDelete: boolean;
  softDeleteRetentionInDays: number;
  enablePurgeProtection?: boolean;
  enableRbacAuthorization: boolean;
  provisioningState: string;
  publicNetworkAccess: string;
  networkAcls?: unknown;
}

export interface VaultRecord {
  /** The name as created; vault names are globally unique, case-insensitively. */
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
  properties: VaultProperties;
  createdAt: string;
  createdBy: string;
  lastModifiedAt: string;
  lastModifiedBy: string;
  /** `User` or `Application`, for `systemData`. */
  createdByType?: string;
  lastModifiedByType?: string;
}

export interface DeletedVaultRecord {
  vault: VaultRecord;
  deletionDate: string;
  scheduledPurgeDate: string;
}

export interface RoleAssignmentRecord {
  /** The assignment's GUID name. */
  name: string;
  scope: string;
  /** Full id `/subscriptions/{s}/providers/Microsoft.Authorization/roleDefinitions/{guid}` or the bare GUID path. */
  roleDefinitionId: string;
  principalId: string;
  principalType: string;
  createdOn: string;
}

/** An asynchronous operation a poller follows (`Azure-AsyncOperation` or `Location`). */
export interface AsyncOperationRecord {
  id: string;
  status: "InProgress" | "Succeeded" | "Failed";
  /** Emulator-clock ms at which it completes. */
  completesAt: number;
  resourceId?: string;
  error?: { code: string; message: string };
  /** What completing the operation does (settled on the emulator clock). */
  kind?: "vaultCreate" | "resourceGroupDelete" | "vaultPurge";
  subscriptionId?: string;
  /** The vault name or resource group name the operation acts on. */
  target?: string;
  startedAt?: string;
}

export interface ArmState {
  subscriptions: Record<string, SubscriptionRecord>;
  /** Keyed `{subscriptionId}/{resource group name, lower case}`. */
  resourceGroups: Record<string, ResourceGroupRecord>;
  /** Keyed by vault name, lower case (global uniqueness). */
  vaults: Record<string, VaultRecord>;
  deletedVaults: Record<string, DeletedVaultRecord>;
  /** Keyed by assignment name. */
  roleAssignments: Record<string, RoleAssignmentRecord>;
  operations: Record<string, AsyncOperationRecord>;
  /** Custom role definitions, keyed by GUID (absent in state files written before they existed). */
  customRoles?: Record<string, CustomRoleRecord>;
}

/** A custom role definition, stored as Azure RBAC stores one. */
export interface CustomRoleRecord {
  id: string;
  roleName: string;
  description: string;
  permissions: { actions: string[]; notActions: string[]; dataActions: string[]; notDataActions: string[] };
  assignableScopes: string[];
  createdOn: string;
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
