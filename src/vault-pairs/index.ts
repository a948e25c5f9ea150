export { VaultPairsClient } from "./vault-pairs-client.js";
export { formatPlan } from "./plan/format-plan.js";
export { planFingerprint } from "./plan/plan-vault-pair.js";
export { APPLY_POLLER_KIND } from "./apply.js";
export { validateVaultPairSpec, vaultPairSpecIssues, isPrincipalReference } from "../rules/vault-pair-spec.js";
export type { SpecIssue } from "../rules/vault-pair-spec.js";
export {
  validateVaultName,
  vaultNameProblems,
  isValidVaultName,
  suggestVaultNames,
  VAULT_NAME_MAX_LENGTH,
  VAULT_NAME_MIN_LENGTH,
} from "../rules/vault-naming.js";
export type { SuggestVaultNamesOptions, VaultNameSuggestion } from "../rules/vault-naming.js";
export { AZURE_REGIONS, isKnownRegion, normalizeRegion, pairOf, arePaired, geographyOf, regionInfo, areaOf } from "../rules/regions.js";
export type { AzureRegion, RegionArea } from "../rules/regions.js";
export { WORKLOAD_APP_IDS, WORKLOAD_DISPLAY_NAMES } from "../rules/workloads.js";
export { ADMIN_KEY_PERMISSIONS, SERVICE_KEY_PERMISSIONS, ROLE_IDS } from "../rules/access-model.js";
export type { Workload } from "../rules/workloads.js";
export type { PermissionModel } from "../rules/access-model.js";
export type { VaultLocation, RootKeySpec, VaultPairSpec } from "../rules/vault-pair-spec.js";
export type { VaultCoordinates as VaultRef } from "../azure/vault-and-key-ids.js";
export {
  CUSTOMER_KEY_ADMIN_DATA_ACTIONS,
  CUSTOMER_KEY_ADMIN_ROLE_NAME,
  customerKeyAdminRoleDefinition,
  customerKeyAdminRoleGuid,
} from "../rules/access-model.js";
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
} from "./plan/plan-types.js";
export type { AccessEntry, GrantAdministratorResult, RevokeAccessOptions, RevokeAccessResult, RoleHolding } from "./access/vault-access.js";
export type { CallOptions as VaultOperationOptions } from "../azure/arm-vaults.js";
