/** The backup directory format: `manifest.json` and its records, shared by backups, keys (roll) and the preflight report. */

/** One backup file as `manifest.json` records it. */
export interface BackupRecord {
  /** File name inside the backup directory, e.g. `contoso-exo-a1-exo-root-Backup-20260301.backup`. */
  file: string;
  /** SHA-256 of the file, lower-case hex. */
  sha256: string;
  /** Size in bytes. */
  size: number;
  /** Versionless key id: `{vaultUrl}/keys/{name}`. */
  keyId: string;
  /** The vault URL (`https://{vault}.vault.azure.net`, lower case, no trailing slash). */
  vaultUrl: string;
  /** The key name. */
  keyName: string;
  /** Every version the key had when it was backed up (a Key Vault backup holds all versions). */
  versions: string[];
  /** The current version at backup time. */
  newestVersion: string;
  /** ISO 8601 time the file was written. */
  createdAt: string;
}

/** `manifest.json` of a backup directory: every backup written there. */
export interface BackupManifest {
  /** Names the format. */
  format: "customer-key/backup-manifest";
  /** Version of the format; 1. */
  version: 1;
  /** The backups, oldest first. */
  backups: BackupRecord[];
}

/** A backup just written: the record plus the file's full path. */
export interface BackupResult extends BackupRecord {
  /** The full path of the backup file. */
  path: string;
}

