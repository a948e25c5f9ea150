/** Options, results and the manifest format of the backups module. */
import type { RootKeyInfo } from "../rules/key-rules.js";
import type { OperationOptions } from "../internal/operation.js";

export interface BackupKeyOptions extends OperationOptions {
  /** Where to write; created if missing. Holds `manifest.json`. */
  directory: string;
}

/**
 * - `ok`: listed, hash matches (and, when checked live, holds the key's current version);
 * - `missing`: listed but the file is gone;
 * - `altered`: the file's hash differs from the manifest (never used for a restore);
 * - `stale`: intact, but the key has a newer version than the backup holds;
 * - `unlisted`: a `.backup` file the manifest does not know.
 */
export type BackupFileStatus = "ok" | "missing" | "altered" | "stale" | "unlisted";

export interface BackupFileReport {
  file: string;
  status: BackupFileStatus;
  keyId?: string;
  newestVersion?: string;
  /** The key's current version, when it was read. */
  liveVersion?: string;
  /** A sentence on what was found. */
  detail: string;
}

export interface VerifyBackupsResult {
  /**
   * True when nothing is missing, altered or unlisted and every key in the manifest has at least
   * one `ok` file (older, superseded files may be `stale`).
   */
  ok: boolean;
  directory: string;
  files: BackupFileReport[];
}

export interface VerifyBackupsOptions extends OperationOptions {
  /** Read each key's current version to find stale backups; default true. */
  checkLive?: boolean;
}

export type RestoreKeyOptions = OperationOptions;

export interface RestoreKeyResult {
  key: RootKeyInfo;
  /** The backup file restored. */
  file: string;
}

export interface NewestBackupOptions extends OperationOptions {
  /** Only backups of this vault (URL). */
  vaultUrl?: string;
}
