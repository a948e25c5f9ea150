/** Options and results of the keys module. */
import type { BackupResult } from "../store/backup-types.js";
import type { RetrySettings } from "../internal/retry.js";
import type { KeyProtection, KeySize, RootKeyInfo } from "../rules/key-rules.js";
import type { OperationOptions } from "../internal/operation.js";

/** Options of `keys.create`. */
export interface CreateRootKeyOptions extends OperationOptions {
  /** RSA modulus size in bits; default 2048 (Azure's default; Customer Key accepts 2048–4096). */
  size?: KeySize;
  /** `hsm` (RSA-HSM, Premium vault; Microsoft's advice for production) or `software` (RSA). Default `hsm`. */
  protection?: KeyProtection;
}

/** What `keys.create` returned. */
export interface CreateRootKeyResult {
  /** The key's current version. */
  key: RootKeyInfo;
  /** False when a compliant key already existed and was returned unchanged. */
  created: boolean;
}

/** Options of `keys.import`. */
export interface ImportRootKeyOptions extends OperationOptions {
  /** `hsm` imports into an HSM (BYOK to RSA-HSM); default `hsm`. */
  protection?: KeyProtection;
}

/** What `keys.import` returned. */
export interface ImportRootKeyResult {
  /** The key's current version. */
  key: RootKeyInfo;
  /** False when the current version already holds this key material. */
  imported: boolean;
}

/** Options of `keys.roll`. */
export interface RollRootKeyOptions extends OperationOptions {
  /** Back the key up into this directory right after the new version exists. */
  backupDirectory?: string;
}

/** What `keys.roll` made. */
export interface RollRootKeyResult {
  /** Versioned id of the version that was current before the roll (kept, never disabled). */
  previousKeyId: string;
  /** Versioned id of the new current version: give this to the policies' refresh. */
  currentKeyId: string;
  /** The new current version. */
  key: RootKeyInfo;
  /** The backup written after the roll, when `backupDirectory` was given. */
  backup?: BackupResult;
}

/** What `keys.clearExpiry` did. */
export interface ClearExpiryResult {
  /** The version, as it is now. */
  key: RootKeyInfo;
  /** False when there was nothing to change (no expiry, or already 9999-12-31). */
  changed: boolean;
}

/** What `keys.recover` did. */
export interface RecoverRootKeyResult {
  /** The recovered key's current version. */
  key: RootKeyInfo;
  /** False when the key was live already (nothing was sent besides reads). */
  recovered: boolean;
}

/** Options of `keys.get`. */
export interface GetRootKeyOptions extends OperationOptions {
  /** A specific version; default the current one. */
  version?: string;
}

/** Options of `keys.rootKey` (the adapter itself takes per-call AbortSignals). */
export interface RootKeyAdapterOptions {
  /** Retries of the wrap/unwrap calls; default the client's. */
  retry?: RetrySettings;
}
