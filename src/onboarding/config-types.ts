/** Public types of the onboarding configuration (kept equal to the zod schema by config-schema.ts). */

/** A workload with its own vault pair. */
export type OnboardingWorkload = "exchange" | "sharePoint" | "multiWorkload";

/** One vault of a pair in the configuration (its subscription comes from `subscriptions`). */
export interface OnboardingVault {
  /** The resource group; created when missing. */
  resourceGroup: string;
  /** ARM region name, e.g. `westeurope`. */
  location: string;
  /** The vault name (3–24 letters, digits, single hyphens). */
  vaultName: string;
}

/** A workload's vault pair and the name of its root key (the same name in both vaults). */
export interface OnboardingVaultPair {
  /** The vault in `subscriptions.primary`. */
  primary: OnboardingVault;
  /** The vault in `subscriptions.secondary`, in another, non-paired region. */
  secondary: OnboardingVault;
  /** The root key's name in both vaults. */
  keyName: string;
  /** Accept two paired regions (Microsoft advises against it). */
  allowPairedRegions?: boolean | undefined;
}

/** The mailboxes an Exchange policy is assigned to. */
export type OnboardingMailboxes =
  /** These addresses. */
  | { list: string[] }
  /** A text file of addresses, one per line (relative to the configuration file). */
  | { file: string }
  /** Every mailbox that has no data encryption policy yet. */
  | { allWithoutPolicy: true };

/** An Exchange mailbox data encryption policy and its mailboxes. */
export interface OnboardingExchangePolicy {
  /** The policy name (no spaces). */
  name: string;
  /** Free text shown in Exchange. */
  description?: string | undefined;
  /** The vault pair whose root keys back it (or `keyUris`). */
  vaultPair?: OnboardingWorkload | undefined;
  /** Two versionless key URIs in two vaults (or `vaultPair`). */
  keyUris?: [string, string] | undefined;
  /** The mailboxes to assign it to; none when absent. */
  mailboxes?: OnboardingMailboxes | undefined;
  /**
   * Other policies whose mailboxes (named in `mailboxes.list` or `mailboxes.file`) may be moved to
   * this one: a move re-encrypts the mailbox's data under this policy's keys. Without it, apply
   * refuses (before any mailbox changes) when a listed mailbox has another policy.
   */
  reassignFrom?: string[] | undefined;
}

/** The SharePoint Online policy of one geo. */
export interface OnboardingSharePointPolicy {
  /** The geo code (e.g. `NAM`); the default geo when absent. */
  geo?: string | undefined;
  /** The vault pair whose root keys back it (or `keyUris`). */
  vaultPair?: OnboardingWorkload | undefined;
  /** Two versionless key URIs in two vaults (or `vaultPair`). */
  keyUris?: [string, string] | undefined;
}

/** The multi-workload policy and whether it is assigned to the tenant. */
export interface OnboardingMultiWorkloadPolicy {
  /** The policy name (no spaces). */
  name: string;
  /** Free text. */
  description?: string | undefined;
  /** The vault pair whose root keys back it (or `keyUris`). */
  vaultPair?: OnboardingWorkload | undefined;
  /** Two versionless key URIs in two vaults (or `vaultPair`). */
  keyUris?: [string, string] | undefined;
  /** Assign it to the tenant (default true). */
  assign: boolean;
}

/** A parsed, checked onboarding configuration (defaults filled in). */
export interface OnboardingConfig {
  /** The JSON Schema reference editors use; ignored. */
  $schema?: string | undefined;
  /** The Entra tenant id. */
  tenantId: string;
  /** The two subscriptions: each vault pair has one vault in each. */
  subscriptions: { primary: string; secondary: string };
  /** Key-vault administrators (UPN or object id) on every vault. */
  administrators: string[];
  /** Access policies or Azure RBAC on the vaults (default `accessPolicy`). */
  permissionModel: "accessPolicy" | "rbac";
  /** The root keys (default 3072-bit, HSM). */
  keys: { size: 2048 | 3072 | 4096; protection: "hsm" | "software" };
  /** Backup directories: every key version is backed up to each (at least two: online and offline). */
  backups: { directories: string[] };
  /** One vault pair per workload. */
  vaultPairs: { exchange?: OnboardingVaultPair | undefined; sharePoint?: OnboardingVaultPair | undefined; multiWorkload?: OnboardingVaultPair | undefined };
  /** The data encryption policies and their assignments. */
  policies: { exchange: OnboardingExchangePolicy[]; sharePoint: OnboardingSharePointPolicy[]; multiWorkload?: OnboardingMultiWorkloadPolicy | undefined };
  /** Steps only Microsoft can do. */
  microsoft: { onboardingRequestSubmitted: boolean };
}
