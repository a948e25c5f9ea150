/**
 * What onboarding needs from the other features, as small interfaces the facade (client.ts)
 * implements with the real modules: feature folders never import each other.
 */
import type { OperationOptions } from "../internal/operation.js";
import type { VaultPairSpec } from "../rules/vault-pair-spec.js";

/** Do-Not-Cancel as read from a subscription. */
export interface DoNotCancelReading {
  featureState: string;
  providerState: string;
  protected: boolean;
}

/** A vault of a pair, by coordinates. */
export interface OnboardingVaultCoordinates {
  subscriptionId: string;
  resourceGroup: string;
  vaultName: string;
}

/** A vault-pair plan reduced to what onboarding shows and decides on. */
export interface VaultPairPlanSummary {
  /** Changes other than no-ops, as `kind target: description`. */
  changes: string[];
  /** Problems that block the apply. */
  problems: string[];
}

/** A policy as read: its name and key URIs. */
export interface PolicyReading {
  name: string;
  keyUris: readonly string[];
}

/** Progress of a bulk assignment as the policies module reports it. */
export interface AssignmentProgressReading {
  done: number;
  failed: number;
  /** Not handled yet; undefined while unknown. */
  remaining: number | undefined;
  rate: number;
}

/** The reads and writes of an onboarding. Each write must be idempotent (the modules' own are). */
export interface OnboardingServices {
  /** The URL a vault of this name gets in the client's cloud (for keys the plan has not made yet). */
  vaultUrl(vaultName: string): string;
  doNotCancel(subscriptionId: string, options: OperationOptions): Promise<DoNotCancelReading>;
  /** One step of the registration (request the feature, or register the provider once approved). */
  registerDoNotCancel(subscriptionId: string, options: OperationOptions): Promise<DoNotCancelReading>;
  planVaultPair(spec: VaultPairSpec, options: OperationOptions): Promise<VaultPairPlanSummary>;
  applyVaultPair(spec: VaultPairSpec, options: OperationOptions): Promise<void>;
  /** The current versioned key id, or undefined when the vault or key is not there. */
  currentKeyId(vault: OnboardingVaultCoordinates, name: string, options: OperationOptions): Promise<string | undefined>;
  createKey(vault: OnboardingVaultCoordinates, name: string, key: { size: 2048 | 3072 | 4096; protection: "hsm" | "software" }, options: OperationOptions): Promise<{ keyId: string; created: boolean }>;
  /** True when `directory` holds a verified backup whose newest version is the key id's version. */
  hasBackup(directory: string, keyId: string, options: OperationOptions): Promise<boolean>;
  backupKey(directory: string, keyId: string, options: OperationOptions): Promise<{ file: string }>;
  preflight(spec: VaultPairSpec, keyUris: string[], backupDirectory: string, options: OperationOptions): Promise<{ ok: boolean; report: unknown; failed: string[] }>;
  exchangePolicy(name: string, options: OperationOptions): Promise<PolicyReading | undefined>;
  createExchangePolicy(input: { name: string; description?: string; keyUris: string[] }, options: OperationOptions): Promise<void>;
  /** The policy each mailbox of the list has now, in order: null for none (or a mailbox the read did not find). Reads only. */
  mailboxPolicies(mailboxes: string[], options: OperationOptions): Promise<(string | null)[]>;
  /** Bulk assignment (resumable through its checkpoint file), reporting its progress to `onProgress`. */
  assignExchangePolicy(
    mailboxes: string[] | { allWithoutPolicy: true },
    policy: string,
    checkpoint: string | undefined,
    options: OperationOptions,
    onProgress?: (progress: AssignmentProgressReading) => void,
  ): Promise<{ done: number; failed: number }>;
  /** Number of mailboxes without any policy (for `allWithoutPolicy`). */
  countMailboxesWithoutPolicy(options: OperationOptions): Promise<number>;
  sharePointPolicy(geo: string | undefined, options: OperationOptions): Promise<{ state: string; primaryKeyUri?: string | undefined } | undefined>;
  registerSharePoint(geo: string | undefined, keyUris: [string, string], options: OperationOptions): Promise<void>;
  multiWorkloadPolicy(name: string, options: OperationOptions): Promise<PolicyReading | undefined>;
  createMultiWorkloadPolicy(input: { name: string; description?: string; keyUris: string[] }, options: OperationOptions): Promise<void>;
  multiWorkloadAssignment(options: OperationOptions): Promise<string | undefined>;
  assignMultiWorkload(policy: string, options: OperationOptions): Promise<void>;
}
