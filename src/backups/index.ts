export { BackupsClient } from "./backups-client.js";
export { backupFileName, MANIFEST_FILE } from "./files.js";
export type {
  BackupFileReport,
  BackupFileStatus,
  BackupKeyOptions,
  BackupManifest,
  BackupRecord,
  BackupResult,
  NewestBackupOptions,
  RestoreKeyOptions,
  RestoreKeyResult,
  VerifyBackupsOptions,
  VerifyBackupsResult,
} from "./types.js";
