export { startEmulator, emulatorLookup } from "./emulator.js";
export type { Emulator, EmulatorState, StartEmulatorOptions, SeededAdmin, CreateSubscriptionOptions, ArmBehaviour } from "./emulator.js";
export type { EmulatorEndpoints } from "./endpoints.js";
export type { EmulatorClock, FaultInjector, RequestLog, Directory, Throttle } from "./public-types.js";
export type { ThrottleLimit } from "./kernel/throttle.js";
export type { Duration } from "./kernel/clock.js";
export type { FaultRule } from "./kernel/faults.js";
export type { RequestLogEntry } from "./kernel/request-log.js";
export type { UserRecord, GroupRecord, ServicePrincipalRecord, DirectoryState, Principal, DirectoryRoleName, GraphApplicationPermission } from "./kernel/directory.js";
export type { KernelState } from "./kernel/state.js";
export type { RegisteredServiceStates } from "./registry.js";
export { MICROSOFT_365_APPS } from "./kernel/directory.js";
export { BUILT_IN_ROLES } from "./arm/model.js";
export { DO_NOT_CANCEL_FEATURE } from "./arm/admin-operations.js";
export type { ServiceName } from "./kernel/http.js";
export type { SigningKey } from "./kernel/tokens.js";
export type { EmulatorCertificates } from "./kernel/certs.js";
export type {
  ArmState, SubscriptionRecord, FeatureRecord, ProviderRecord, ResourceGroupRecord, AccessPolicyEntry, VaultProperties,
  VaultRecord, DeletedVaultRecord, RoleAssignmentRecord, AsyncOperationRecord, CustomRoleRecord,
} from "./arm/model.js";
export type {
  KeyVaultState, VaultKeysState, KeyRecord, KeyVersionRecord, KeyAttributesRecord, DeletedKeyRecord, RotationPolicyRecord, LifetimeActionRecord,
  PendingKeyOperationRecord,
} from "./keyvault/model.js";
// --- test fixture (issue 11 §2) ---
export type { EmulatorCustomerKeyClientOptions, EmulatorSeeder } from "./test-fixture.js";
export type { SeedVaultOptions, SeededVault, SeedAccessPolicy } from "./arm/seed-vault.js";
export type { SeedKeyOptions, SeededKey } from "./keyvault/seed-key.js";
export type { KeyTypeName } from "./keyvault/key-material.js";
export type { KeyVaultBehaviour } from "./keyvault/pending-window.js";
// --- end test fixture ---
// ── SharePoint Online (issue 12) ──
export type { SharePointEmulator, SharePointKeyStatus, SharePointSite, SharePointBehaviour } from "./sharepoint/emulator-surface.js";
export type { SharePointState, GeoRecord, SiteRecord, KeySlotRecord, KeySlotName, KeyOperationRecord, SharePointKeyStatusName } from "./sharepoint/model.js";
// ── end SharePoint Online ──
export type { ExchangeEmulator, ExchangeEmulatorOptions, SeededRecipient, MailboxReadResult } from "./exchange/admin.js";
export type { ExchangeState, DataEncryptionPolicyRecord, MailboxRecord, MailboxEncryptionRecord } from "./exchange/model.js";
