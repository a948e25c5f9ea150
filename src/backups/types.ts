/** Options, results and the manifest format of the backups module. */
import type { RootKeyInfo } from "../rules/key-rules.js";
import type { OperationOptions } from "../internal/operation.js";

/** Options of `backups.backupKey`. */
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

/** One file of a backup directory, as `backups.verify` found it. */
export interface BackupFileReport {
  /** The file name inside the directory. */
  file: string;
  /** `ok`, `missing`, `altered` (hash differs), `stale` (lacks the current key version) or `unlisted` (not in the manifest). */
  status: BackupFileStatus;
  /** The versionless key id the manifest lists for it. */
  keyId?: string;
  /** The current version the file holds, from the manifest. */
  newestVersion?: string;
  /** The key's current version, when it was read. */
  liveVersion?: string;
  /** A sentence on what was found. */
  detail: string;
}

/** What `backups.verify` found in a backup directory. */
export interface VerifyBackupsResult {
  /**
   * True when nothing is missing, altered or unlisted and every key in the manifest has at least
   * one `ok` file (older, superseded files may be `stale`).
   */
  ok: boolean;
  /** The directory verified. */
  directory: string;
  /** One report per file, listed or found. */
  files: BackupFileReport[];
}

/** Options of `backups.verify`. */
export interface VerifyBackupsOptions extends OperationOptions {
  /** Read each key's current version to find stale backups; default true. */
  checkLive?: boolean;
}

/** Options of `backups.restoreKey`. */
export type RestoreKeyOptions = OperationOptions;

/** What `backups.restoreKey` restored. */
export interface RestoreKeyResult {
  /** The restored key's current version. */
  key: RootKeyInfo;
  /** The backup file restored. */
  file: string;
}

/** Options of `backups.newestVerifiedBackup`. */
export interface NewestBackupOptions extends OperationOptions {
  /** Only backups of this vault (URL). */
  vaultUrl?: string;
}
