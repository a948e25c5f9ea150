/**
 * customer-key: a typed, checked, idempotent SDK for Microsoft 365 Customer Key. The public
 * surface is this list: the facade, the operation interfaces of its modules, their options and
 * results, the errors and their codes, and the pure Customer Key rules users check input with.
 *
 * @packageDocumentation
 */
export { CustomerKeyClient } from "./client.js";
export type { CustomerKeyClientOptions, CustomerKeyEndpoints } from "./internal/context.js";
export type { OperationOptions } from "./internal/operation.js";
export type { RetrySettings } from "./internal/retry.js";
export type { CustomerKeyLogger } from "./internal/logger.js";
export type { CustomerKeyPoller, OperationStatus, PollerState } from "./internal/poller.js";
export { OperationFailedError } from "./internal/poller.js";

// Errors and their codes.
export {
  CUSTOMER_KEY_ERROR_CODES,
  CustomerKeyError,
  InvalidInputError,
  ServiceRequestError,
  ConfirmationRequiredError,
  PreconditionFailedError,
  OperationAbortedError,
  isCustomerKeyError,
} from "./errors.js";
export type { CustomerKeyErrorCode, CustomerKeyErrorOptions } from "./errors.js";
// The envelope's codes and root key contract, which KeyVaultRootKey and CustomerKeyError name.
export { ENVELOPE_ERROR_CODES } from "./envelope/index.js";
export type { EnvelopeErrorCode, RootKey, RootKeyCallOptions, WrappedKey } from "./envelope/index.js";

// client.subscriptions
export type { SubscriptionsOperations } from "./subscriptions/subscriptions-client.js";
export type { BeginRegisterDoNotCancelOptions, DoNotCancelOperationState, DoNotCancelPhase } from "./subscriptions/types.js";
export type { DoNotCancelState, SubscriptionInfo } from "./azure/arm-subscriptions.js";
export { DO_NOT_CANCEL_FEATURE_NAME, DO_NOT_CANCEL_NAMESPACE, KEY_VAULT_PROVIDER } from "./rules/do-not-cancel.js";

// client.vaultPairs
export type { VaultPairsOperations } from "./vault-pairs/vault-pairs-client.js";
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
} from "./vault-pairs/plan/plan-types.js";
export type { AccessEntry, GrantAdministratorResult, RevokeAccessOptions, RevokeAccessResult, RoleHolding } from "./vault-pairs/access/vault-access.js";
export { validateVaultPairSpec, vaultPairSpecIssues } from "./rules/vault-pair-spec.js";
export type { RootKeySpec, SpecIssue, VaultLocation, VaultPairSpec } from "./rules/vault-pair-spec.js";
export { isValidVaultName, vaultNameProblems, VAULT_NAME_MAX_LENGTH, VAULT_NAME_MIN_LENGTH } from "./rules/vault-naming.js";
export type { SuggestVaultNamesOptions, VaultNameSuggestion } from "./rules/vault-naming.js";
export { AZURE_REGIONS, areaOf, arePaired, geographyOf, isKnownRegion, normalizeRegion, pairOf, regionInfo } from "./rules/regions.js";
export type { AzureRegion, RegionArea } from "./rules/regions.js";
export { WORKLOAD_APP_IDS, WORKLOAD_DISPLAY_NAMES } from "./rules/workloads.js";
export type { Workload } from "./rules/workloads.js";
export {
  ADMIN_KEY_PERMISSIONS,
  CUSTOMER_KEY_ADMIN_DATA_ACTIONS,
  CUSTOMER_KEY_ADMIN_ROLE_NAME,
  customerKeyAdminRoleDefinition,
  ROLE_IDS,
  SERVICE_KEY_PERMISSIONS,
} from "./rules/access-model.js";
export type { PermissionModel } from "./rules/access-model.js";
export { keyIdOf, parseKeyId } from "./azure/vault-and-key-ids.js";
export type { KeyIdParts, VaultCoordinates, VaultRef } from "./azure/vault-and-key-ids.js";

// client.keys
export type { KeysOperations, RootKeyVersionInfo } from "./keys/keys-client.js";
export { KeyVaultRootKey, ROOT_KEY_WRAP_ALGORITHM } from "./keys/root-key.js";
export type { KeyVaultRootKeyOptions } from "./keys/root-key.js";
export { isAcceptedExpiry, KEY_SIZES, NO_EXPIRY, REQUIRED_RECOVERY_LEVEL, ROOT_KEY_OPERATIONS, rootKeyMismatches } from "./rules/key-rules.js";
export type { KeyProtection, KeySize, RootKeyInfo } from "./rules/key-rules.js";
export type { ImportableJwk } from "./keys/jwk.js";
export type { PagedAsyncIterableIterator, PageSettings } from "./internal/paged-iterator.js";
export type {
  ClearExpiryResult,
  CreateRootKeyOptions,
  CreateRootKeyResult,
  GetRootKeyOptions,
  ImportRootKeyOptions,
  ImportRootKeyResult,
  RecoverRootKeyResult,
  RollRootKeyOptions,
  RollRootKeyResult,
  RootKeyAdapterOptions,
} from "./keys/types.js";

// client.backups
export type { BackupsOperations } from "./backups/backups-client.js";
export { MANIFEST_FILE } from "./store/backup-files.js";
export type { BackupManifest, BackupRecord, BackupResult } from "./store/backup-types.js";
export type {
  BackupFileReport,
  BackupFileStatus,
  BackupKeyOptions,
  NewestBackupOptions,
  RestoreKeyOptions,
  RestoreKeyResult,
  VerifyBackupsOptions,
  VerifyBackupsResult,
} from "./backups/types.js";

// client.directory
export type { DirectoryOperations } from "./directory/directory-client.js";
export type { DirectoryPrincipal, PrincipalKind } from "./azure/graph-directory.js";

// client.validate(): the preflight report
export { PreflightReport } from "./preflight/report.js";
export { CHECK_IDS } from "./preflight/types.js";
export type {
  CheckId,
  CheckStatus,
  PreflightCheck,
  PreflightHtmlOptions,
  PreflightReportJson,
  PreflightTopology,
  TopologyKey,
  TopologyPolicy,
  TopologySubscription,
  TopologyVault,
  ValidateOptions,
  ValidationInput,
  ValidationTarget,
  ValidationVault,
} from "./preflight/types.js";

// Transports to the Microsoft 365 admin endpoints (public: users bring their own)
export { EXCHANGE_CMDLETS } from "./transports/exchange-transport.js";
export type {
  ExchangeBatchItemResult,
  ExchangeCmdlet,
  ExchangeCommand,
  ExchangeCommandResult,
  ExchangeInvokeOptions,
  ExchangeParameterValue,
  ExchangeTransport,
} from "./transports/exchange-transport.js";
export { CUSTOMER_KEY_STATUS_NAMES } from "./transports/sharepoint-transport.js";
export type {
  CustomerKeyInfo,
  CustomerKeyStatusInfo,
  CustomerKeyStatusName,
  CustomerKeyVaultInfo,
  SharePointKeyType,
  SharePointTransport,
} from "./transports/sharepoint-transport.js";
// PowerShell transports: one long-lived pwsh process each (not yet run against a real pwsh; docs/powershell-transports.md)
export { ExchangePowerShellTransport } from "./transports/powershell/exchange-powershell-transport.js";
export type {
  ExchangeCertificateConnect,
  ExchangeConnectBase,
  ExchangeInteractiveConnect,
  ExchangeManagedIdentityConnect,
  ExchangePowerShellConnect,
  ExchangePowerShellTransportOptions,
  ExchangeTokenConnect,
} from "./transports/powershell/exchange-powershell-transport.js";
export { SharePointPowerShellTransport } from "./transports/powershell/sharepoint-powershell-transport.js";
export type {
  SharePointCertificateConnect,
  SharePointInteractiveConnect,
  SharePointManagedIdentityConnect,
  SharePointPowerShellConnect,
  SharePointPowerShellTransportOptions,
} from "./transports/powershell/sharepoint-powershell-transport.js";
export type { PowerShellProcessOptions } from "./transports/powershell/powershell-options.js";
export { PowerShellCommandError, PowerShellHostError } from "./transports/powershell/powershell-errors.js";
export type { PowerShellErrorRecord, PowerShellHostErrorCode } from "./transports/powershell/powershell-errors.js";
// The REST transports and their errors
export { ExchangeRestTransport, EXCHANGE_MAX_BATCH, EXCHANGE_MAX_PAGE_SIZE, EXCHANGE_ONLINE_ENDPOINT, EXCHANGE_ONLINE_SCOPE } from "./transports/exchange-rest-transport.js";
export type { ExchangeRestTransportOptions } from "./transports/exchange-rest-transport.js";
export { ExchangeCommandError, RETRYABLE_EXCHANGE_EXCEPTIONS } from "./transports/exchange-command-error.js";
export { SharePointRestTransport } from "./transports/sharepoint-rest-transport.js";
export type { SharePointRestTransportOptions } from "./transports/sharepoint-rest-transport.js";
export { SharePointRequestError } from "./transports/sharepoint-request-error.js";
export type { TransportPipelineOptions } from "./transports/rest-pipeline.js";

// Data encryption policies (client.policies)
export type { PoliciesOperations } from "./policies/policies-client.js";
export type { ExchangePoliciesOperations } from "./policies/exchange/exchange-policies-client.js";
export type { MultiWorkloadPoliciesOperations } from "./policies/multi-workload/multi-workload-policies-client.js";
export type {
  AssignMultiWorkloadOptions,
  AssignMultiWorkloadResult,
  CreatePolicyInput,
  CreatePolicyOptions,
  CreatePolicyResult,
  DataEncryptionPolicy,
  MailboxAssignmentResult,
  MailboxEncryption,
  MultiWorkloadAssignment,
  PermanentDataPurgeRequest,
} from "./policies/types.js";
export type {
  BulkAssignFailure,
  BulkAssignMailboxes,
  BulkAssignOptions,
  BulkAssignPoller,
  BulkAssignProgress,
  BulkAssignResult,
  BulkAssignState,
} from "./policies/exchange/bulk-assign-types.js";
export type { CountMailboxesOptions, MailboxCountProgress, MailboxCountsByPolicy } from "./policies/exchange/mailbox-counts.js";
export { EXCHANGE_POLICY_LIMIT, POLICY_NAME_MAX_LENGTH, policyNameProblems } from "./rules/data-encryption-policy.js";
// client.policies.sharePoint
export type { SharePointPoliciesOperations } from "./policies/sharepoint/sharepoint-policies-client.js";
export type {
  GetSharePointPolicyOptions,
  RecoverSharePointPolicyOptions,
  RegisterSharePointPolicyOptions,
  RollSharePointKeyOptions,
  SharePointPolicy,
  SharePointPolicyOperationKind,
  SharePointPolicyOperationState,
  SharePointPollerOptions,
} from "./policies/sharepoint/types.js";
export type { CountSitesOptions, SharePointGeoSiteCount, SharePointSiteCounts, SharePointSiteCountProgress } from "./azure/sharepoint-site-counts.js";
export type {
  KeyRollOperationState,
  KeyRollPolicyState,
  KeyRollPolicyStatus,
  KeyRollResult,
  KeyRollStep,
  KeyRollWorkload,
  RollRootKeyEverywhereOptions,
} from "./key-roll/types.js";

// Onboarding from one configuration (client.onboarding).
export type { OnboardingOperations } from "./onboarding/onboarding-client.js";
export { loadOnboardingConfig, parseOnboardingConfig, OnboardingConfigError } from "./onboarding/load-config.js";
export type { ConfigProblem } from "./onboarding/load-config.js";
export type {
  OnboardingConfig,
  OnboardingExchangePolicy,
  OnboardingMailboxes,
  OnboardingMultiWorkloadPolicy,
  OnboardingSharePointPolicy,
  OnboardingVault,
  OnboardingVaultPair,
  OnboardingWorkload,
} from "./onboarding/config-types.js";
export type {
  OnboardingApplyOptions,
  OnboardingApplyResult,
  OnboardingAssignmentProgress,
  OnboardingApplyStatus,
  OnboardingPhase,
  OnboardingPlan,
  OnboardingPlanOptions,
  OnboardingProgress,
  OnboardingStep,
  OnboardingStepKind,
} from "./onboarding/types.js";
export { OnboardingPreflightError, OnboardingReassignRefusedError } from "./onboarding/apply.js";
export type { OnboardingApplyState } from "./onboarding/apply.js";
export type { AuditOptions, AuditRecord } from "./internal/audit.js";
