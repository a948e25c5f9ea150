export { VaultPairsClient } from "./vault-pairs-client.js";
export { formatPlan } from "./format.js";
export { planFingerprint } from "./planner.js";
export { APPLY_POLLER_KIND } from "./apply.js";
export { validateVaultPairSpec, vaultPairSpecIssues, isPrincipalReference } from "./spec.js";
export type { SpecIssue } from "./spec.js";
export {
  validateVaultName,
  vaultNameProblems,
  isValidVaultName,
  suggestVaultNames,
  VAULT_NAME_MAX_LENGTH,
  VAULT_NAME_MIN_LENGTH,
} from "./naming.js";
export type { SuggestVaultNamesOptions, VaultNameSuggestion } from "./naming.js";
export { AZURE_REGIONS, isKnownRegion, normalizeRegion, pairOf, arePaired, geographyOf, regionInfo, areaOf } from "./regions.js";
export type { AzureRegion, RegionArea } from "./regions.js";
export {
  WORKLOAD_APP_IDS,
  WORKLOAD_DISPLAY_NAMES,
  ADMIN_KEY_PERMISSIONS,
  SERVICE_KEY_PERMISSIONS,
  ROLE_IDS,
} from "./types.js";
export type { Workload, PermissionModel, VaultLocation, RootKeySpec, VaultPairSpec, VaultRef } from "./types.js";
export {
  CUSTOMER_KEY_ADMIN_DATA_ACTIONS,
  CUSTOMER_KEY_ADMIN_ROLE_NAME,
  customerKeyAdminRoleDefinition,
  customerKeyAdminRoleGuid,
} from "./access-model.js";
export type {
  ApplyOperationState,
  ApplyOptions,
  ApplyResult,
  ChangeKind,
  PairMember,
  PlanFinding,
  PlannedChange,
  PlannedResource,
  PlanOptions,
  ResolvedPrincipal,
  VaultPairPlan,
} from "./plan-types.js";
export type { AccessEntry, GrantAdministratorResult, RevokeAccessOptions, RevokeAccessResult, RoleHolding } from "./access-ops.js";
export type { CallOptions as VaultOperationOptions } from "./arm.js";
