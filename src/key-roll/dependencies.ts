/**
 * What the key roll needs from other features, as small interfaces the facade (client.ts)
 * implements: feature folders never import each other (docs/architecture.md).
 */
import type { OperationOptions } from "../internal/operation.js";

/** Key Vault: the current version of a key, and a roll (a new version). `client.keys` fits. */
export interface KeyRollKeys {
  /** The versioned id of the key's current version. */
  currentKeyUri(versionlessKeyId: string, options: OperationOptions): Promise<string>;
  /** Adds a version (same type, size and operations); returns the new versioned id. */
  roll(versionlessKeyId: string, options: OperationOptions): Promise<string>;
  /** True when that version exists and is enabled. */
  isEnabled(versionedKeyId: string, options: OperationOptions): Promise<boolean>;
}

/** The backup of a key into a directory (atomic, manifest). `client.backups` fits. */
export interface KeyRollBackups {
  /** Backs the key up (all its versions); returns the file's full path and the current version it holds. */
  backupKey(versionlessKeyId: string, options: { directory: string; abortSignal?: AbortSignal }): Promise<{ path: string; newestVersion: string }>;
}

/** A DEP of Exchange Online (mailbox) or of the multi-workload kind that uses a key. */
export interface WorkloadPolicyRef {
  /** `exchange` (mailbox DEP, `*-DataEncryptionPolicy`) or `multiWorkload` (`*-M365DataAtRestEncryptionPolicy`). */
  workload: "exchange" | "multiWorkload";
  /** The DEP's name. */
  name: string;
  /** Its `AzureKeyIDs`. */
  keyUris: string[];
  /** Its `WhenChanged`, ISO 8601, when reported. */
  changedAt: string | undefined;
}

/** What a workload reports of a DEP after a refresh. */
export interface WorkloadKeyReport {
  /** The key version in use for the rolled key, when the service reports one (Exchange does not). */
  version: string | undefined;
  /** `WhenChanged`, ISO 8601, when reported. */
  changedAt: string | undefined;
}

/** Refreshes Exchange and multi-workload DEPs after a key roll (`Set-*EncryptionPolicy -Refresh`). */
export interface WorkloadPolicyRefresher {
  /** Every DEP (both kinds) whose `AzureKeyIDs` name the key, whatever the version. */
  listPoliciesUsingKey(versionlessKeyId: string, options: OperationOptions): Promise<WorkloadPolicyRef[]>;
  /** `Set-DataEncryptionPolicy -Refresh` / `Set-M365DataAtRestEncryptionPolicy -Refresh`. Safe to repeat. */
  refresh(policy: WorkloadPolicyRef, options: OperationOptions): Promise<void>;
  /** Reads the DEP again. */
  reportedKeyVersion(policy: WorkloadPolicyRef, options: OperationOptions): Promise<WorkloadKeyReport>;
}

/** SharePoint Online's policy of one geo, as much as the key roll reads. */
export interface KeyRollSharePointPolicy {
  geo: string;
  state: string;
  progressPercent: number;
  primaryKeyUri: string | undefined;
  secondaryKeyUri: string | undefined;
}

/** A SharePoint roll poller, as much as the key roll drives. */
export interface KeyRollSharePointPoller {
  readonly isDone: boolean;
  readonly operationState: { status: string; progressPercent: number; error?: { code: string; message: string } };
  poll(options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  serialize(): Promise<string>;
}

/** SharePoint Online's policies (`client.policies.sharePoint` fits). */
export interface KeyRollSharePoint {
  /** Every geo's policy. */
  list(options: OperationOptions): Promise<KeyRollSharePointPolicy[]>;
  /** One geo's policy. */
  get(options: OperationOptions & { geo?: string }): Promise<KeyRollSharePointPolicy>;
  /** Starts (or, with `resumeFrom`, resumes) a roll of one key of one geo. */
  beginRollKey(options: OperationOptions & { keyType: "primary" | "secondary"; keyUri: string; geo?: string; resumeFrom?: string }): KeyRollSharePointPoller;
}
