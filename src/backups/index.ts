export { BackupsClient } from "./backups-client.js";
export { backupFileName, MANIFEST_FILE } from "../store/backup-files.js";
export type {
  BackupFileReport,
  BackupFileStatus,
  BackupKeyOptions,
  NewestBackupOptions,
  RestoreKeyOptions,
  RestoreKeyResult,
  VerifyBackupsOptions,
  VerifyBackupsResult,
} from "./types.js";
export type { BackupManifest, BackupRecord, BackupResult } from "../store/backup-types.js";
