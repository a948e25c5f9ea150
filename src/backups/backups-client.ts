/**
 * Key backups on disk: write (atomically, never over another file, recorded in manifest.json),
 * verify against the manifest and the live key, and restore only intact backups, only where no
 * key of that name exists (live or soft-deleted). Backup bytes never reach a log or an error.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { InvalidInputError, PreconditionFailedError, ServiceRequestError } from "../errors.js";
import { mapWithConcurrency } from "../internal/concurrency.js";
import type { ClientContext } from "../internal/context.js";
import { withRetry } from "../internal/retry.js";
import { statusOf } from "../internal/service-errors.js";
import { RECOVER_PERMISSION_HINT, toRootKeyInfo } from "../rules/key-rules.js";
import { getDeletedKeyOrUndefined, getKeyOrUndefined, listAllVersions, azureCallOptions } from "../azure/key-vault-reads.js";
import { keyIdOf, parseKeyId, resolveVaultUrl, type VaultRef } from "../azure/vault-and-key-ids.js";
import { BACKUP_EXTENSION, backupFileName, fileExists, sha256Hex, withDirectoryLock, writeNewFileAtomic } from "../store/backup-files.js";
import { findRecord, readManifest, writeManifest } from "../store/backup-manifest.js";
import type { BackupFileReport, BackupKeyOptions, NewestBackupOptions, RestoreKeyOptions, RestoreKeyResult, VerifyBackupsOptions, VerifyBackupsResult } from "./types.js";
import { runOperation } from "../internal/operation.js";
import { throwIfAborted } from "../internal/abort.js";
import type { BackupRecord, BackupResult } from "../store/backup-types.js";

function checkDirectory(directory: unknown, field = "directory"): string {
  if (typeof directory !== "string" || directory.trim() === "") {
    throw new InvalidInputError("ERR_BACKUP_DIRECTORY_REQUIRED", `${field} must name the directory that holds the backups.`, { field });
  }
  return directory;
}

/** Reads a listed backup file and checks it against its manifest record; undefined if missing. */
async function readVerified(directory: string, record: BackupRecord): Promise<{ bytes: Buffer; intact: boolean } | undefined> {
  try {
    const bytes = await fs.readFile(path.join(directory, record.file));
    return { bytes, intact: bytes.length === record.size && sha256Hex(bytes) === record.sha256 };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** `client.backups`: key backups to a directory with a manifest, their verification and restore. */
export interface BackupsOperations {
  /**
   * Backs a key up (all its versions) into `{vault}-{key}-Backup-{yyyymmdd}.backup` (UTC date;
   * `-2`, `-3` … for later backups the same day), exactly the bytes Key Vault returned, and
   * records file, SHA-256, size, key id, versions and time in the directory's manifest.json.
   */
  backupKey(keyId: string, options: BackupKeyOptions): Promise<BackupResult>;
  /** Re-checks every backup file against the manifest and (by default) the live keys. Changes nothing. */
  verify(directory: string, options?: VerifyBackupsOptions): Promise<VerifyBackupsResult>;
  /**
   * Restores a key from a backup file into a vault. The file is checked against its manifest
   * first (altered → `ERR_BACKUP_ALTERED`), and nothing is sent while a key of that name exists
   * live (`ERR_KEY_EXISTS`) or soft-deleted (`ERR_KEY_SOFT_DELETED`: recover it instead). Azure
   * restores only within the subscription and geography of the original vault; its refusal
   * surfaces as ServiceRequestError `ERR_RESTORE_REFUSED` with the service's code.
   */
  restoreKey(vault: VaultRef, file: string, options?: RestoreKeyOptions): Promise<RestoreKeyResult>;
  /**
   * The newest backup of a key (by name, or by key id) whose file matches its manifest record, or
   * undefined. Altered and missing files are skipped: the disaster drill's pick.
   */
  newestVerifiedBackup(directory: string, key: string, options?: NewestBackupOptions): Promise<BackupResult | undefined>;
}

/** Implements BackupsOperations; built by the facade from the internal context. @internal */
export class BackupsClient implements BackupsOperations {
  readonly #context: ClientContext;

  constructor(context: ClientContext) {
    this.#context = context;
  }

  /**
   * Backs a key up (all its versions) into `{vault}-{key}-Backup-{yyyymmdd}.backup` (UTC date;
   * `-2`, `-3` … for later backups the same day), exactly the bytes Key Vault returned, and
   * records file, SHA-256, size, key id, versions and time in the directory's manifest.json.
   */
  backupKey(keyId: string, options: BackupKeyOptions): Promise<BackupResult> {
    return runOperation(this.#context, "backups.backupKey", options, async (options) => {
      const directory = checkDirectory(options?.directory);
      const { vaultUrl, vaultName, name } = parseKeyId(keyId);
      await fs.mkdir(directory, { recursive: true });
      const current = await getKeyOrUndefined(this.#context, vaultUrl, name, options);
      if (!current) {
        const deleted = await getDeletedKeyOrUndefined(this.#context, vaultUrl, name, options);
        throw new PreconditionFailedError(
          deleted ? "ERR_KEY_SOFT_DELETED" : "ERR_KEY_NOT_FOUND",
          deleted ? `Key '${name}' in ${vaultUrl} is soft-deleted; recover it (client.keys.recover) before backing it up. ${RECOVER_PERMISSION_HINT}` : `Key '${name}' does not exist in ${vaultUrl}.`,
        );
      }
      const versions = await listAllVersions(this.#context, vaultUrl, name, options);
      // The change is the file written: one audit line naming it (never its bytes), with the id of Key Vault's backup request.
      return this.#context.audit.change({ what: "backups.backupKey", target: keyIdOf(vaultUrl, name), before: null }, async () => {
      // BackupKey changes nothing, so it may be retried.
      const blob = await withRetry("keys.backup", () => this.#context.keys(vaultUrl).backupKey(name, azureCallOptions(options)), this.#context.retryOptions(options));
      if (!blob || blob.length === 0) throw new PreconditionFailedError("ERR_BACKUP_EMPTY", `Key Vault returned an empty backup for ${keyIdOf(vaultUrl, name)}; nothing was written.`);
      const time = new Date();
      const keyName = current.name;
      return withDirectoryLock(directory, async () => {
        const manifest = await readManifest(directory);
        await finishInterruptedBackups(directory, manifest);
        let file = "";
        // The blob goes under a pending name first, is recorded in the manifest, and only then gets
        // its .backup name: a process killed in between leaves no .backup file the manifest does not
        // list (verify would call it unlisted), only a pending file the next backupKey finishes.
        for (let sequence = 1; ; sequence++) {
          file = backupFileName(vaultName, keyName, time, sequence);
          if (findRecord(manifest, file) || (await fileExists(path.join(directory, file))) || (await fileExists(pendingPath(directory, file)))) continue;
          if (await writeNewFileAtomic(pendingPath(directory, file), blob)) break;
        }
        const record: BackupRecord = {
          file,
          sha256: sha256Hex(blob),
          size: blob.length,
          keyId: keyIdOf(vaultUrl, keyName),
          vaultUrl,
          keyName,
          versions: versions.map((v) => v.version ?? "").filter(Boolean),
          newestVersion: current.properties.version ?? "",
          createdAt: time.toISOString(),
        };
        manifest.backups.push(record);
        await writeManifest(directory, manifest);
        await fs.rename(pendingPath(directory, file), path.join(directory, file));
        this.#context.logger.info(`backups.backupKey: ${record.keyId} → ${file} (${record.versions.length} version(s)).`);
        return { ...record, path: path.resolve(directory, file) };
      });
      }, (r) => ({ file: r.path, sha256: r.sha256, size: r.size, versions: r.versions }));
    });
  }

  /** Re-checks every backup file against the manifest and (by default) the live keys. Changes nothing. */
  verify(directory: string, options: VerifyBackupsOptions = {}): Promise<VerifyBackupsResult> {
    return runOperation(this.#context, "backups.verify", options, async (options) => {
      checkDirectory(directory);
      const manifest = await readManifest(directory);
      const reports: BackupFileReport[] = [];
      const intact: { record: BackupRecord; report: BackupFileReport }[] = [];
      for (const record of manifest.backups) {
        const read = await readVerified(directory, record);
        const base = { file: record.file, keyId: record.keyId, newestVersion: record.newestVersion };
        if (!read) reports.push({ ...base, status: "missing", detail: "Listed in manifest.json but the file is gone." });
        else if (!read.intact) reports.push({ ...base, status: "altered", detail: "The file's SHA-256 differs from manifest.json; it will not be used for a restore." });
        else {
          const report: BackupFileReport = { ...base, status: "ok", detail: "Intact." };
          reports.push(report);
          intact.push({ record, report });
        }
      }
      if (options.checkLive !== false && intact.length > 0) {
        const keyIds = [...new Set(intact.map((i) => i.record.keyId.toLowerCase()))];
        const live = new Map<string, { version?: string; error?: string }>();
        await mapWithConcurrency(keyIds, this.#context.maxConcurrency, async (id) => {
          const { vaultUrl, name } = parseKeyId(intact.find((i) => i.record.keyId.toLowerCase() === id)!.record.keyId);
          try {
            const key = await getKeyOrUndefined(this.#context, vaultUrl, name, options);
            live.set(id, key ? { version: key.properties.version ?? "" } : {});
          } catch (error) {
            live.set(id, { error: (error as Error).message });
          }
        }, { ...azureCallOptions(options), operation: "backups.verify" });
        for (const { record, report } of intact) {
          const state = live.get(record.keyId.toLowerCase());
          if (state?.error) report.detail = `Intact; the live key could not be read (${state.error}).`;
          else if (!state?.version) report.detail = "Intact; the key does not exist live (deleted?): this backup can restore it.";
          else {
            report.liveVersion = state.version;
            if (!record.versions.includes(state.version)) {
              report.status = "stale";
              report.detail = `Intact but older than the key: it lacks the current version ${state.version}. Take a new backup.`;
            } else report.detail = "Intact and holds the key's current version.";
          }
        }
      }
      const listed = new Set(manifest.backups.map((b) => b.file));
      const entries = await fs.readdir(directory).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return [] as string[];
        throw error;
      });
      for (const entry of entries.sort()) {
        if (entry.endsWith(BACKUP_EXTENSION) && !entry.startsWith(".") && !listed.has(entry)) {
          reports.push({ file: entry, status: "unlisted", detail: "A .backup file manifest.json does not list: its origin cannot be checked." });
        }
      }
      const keysWithOk = new Set(reports.filter((r) => r.status === "ok").map((r) => r.keyId?.toLowerCase()));
      const ok =
        reports.every((r) => r.status === "ok" || r.status === "stale") &&
        manifest.backups.every((b) => keysWithOk.has(b.keyId.toLowerCase()));
      return { ok, directory: path.resolve(directory), files: reports };
    });
  }

  /**
   * Restores a key from a backup file into a vault. The file is checked against its manifest
   * first (altered → `ERR_BACKUP_ALTERED`), and nothing is sent while a key of that name exists
   * live (`ERR_KEY_EXISTS`) or soft-deleted (`ERR_KEY_SOFT_DELETED`: recover it instead). Azure
   * restores only within the subscription and geography of the original vault; its refusal
   * surfaces as ServiceRequestError `ERR_RESTORE_REFUSED` with the service's code.
   */
  restoreKey(vault: VaultRef, file: string, options: RestoreKeyOptions = {}): Promise<RestoreKeyResult> {
    return runOperation(this.#context, "backups.restoreKey", options, async (options) => {
      if (typeof file !== "string" || file === "") throw new InvalidInputError("ERR_BACKUP_FILE_REQUIRED", "file must be the path of a .backup file.", { field: "file" });
      const full = path.resolve(file);
      const directory = path.dirname(full);
      const record = findRecord(await readManifest(directory), path.basename(full));
      if (!record) {
        throw new PreconditionFailedError("ERR_BACKUP_UNLISTED", `${path.basename(full)} is not listed in ${path.join(directory, "manifest.json")}, so its integrity cannot be checked; nothing was restored.`);
      }
      const read = await readVerified(directory, record);
      if (!read) throw new PreconditionFailedError("ERR_BACKUP_MISSING", `${record.file} is listed in the manifest but missing; use another backup (client.backups.newestVerifiedBackup).`);
      if (!read.intact) {
        throw new PreconditionFailedError("ERR_BACKUP_ALTERED", `${record.file} does not match its SHA-256 in manifest.json; it was altered or corrupted and will not be restored. Use another backup (client.backups.newestVerifiedBackup).`);
      }
      const vaultUrl = await resolveVaultUrl(this.#context, vault, options);
      const name = record.keyName;
      if (await getKeyOrUndefined(this.#context, vaultUrl, name, options)) {
        throw new PreconditionFailedError("ERR_KEY_EXISTS", `Key '${name}' already exists in ${vaultUrl}; a restore would be refused. Nothing was sent. Restore only keys that are gone.`);
      }
      if (await getDeletedKeyOrUndefined(this.#context, vaultUrl, name, options)) {
        throw new PreconditionFailedError("ERR_KEY_SOFT_DELETED", `Key '${name}' is soft-deleted in ${vaultUrl}. Recover it with client.keys.recover() (Undo-AzKeyVaultKeyRemoval) instead of restoring; nothing was sent. ${RECOVER_PERMISSION_HINT}`);
      }
      const key = await this.#context.audit.change(
        { what: "backups.restoreKey", target: keyIdOf(vaultUrl, name), before: null },
        () => this.#restore(vaultUrl, name, record, read.bytes, options),
        (k) => ({ keyId: k.id, fromFile: full, versions: record.versions }),
      );
      const info = toRootKeyInfo(key);
      this.#context.logger.info(`backups.restoreKey: restored ${info.versionlessId} from ${record.file} (current version ${info.version}).`);
      return { key: info, file: full };
    });
  }

  async #restore(vaultUrl: string, name: string, record: BackupRecord, bytes: Uint8Array, options: RestoreKeyOptions) {
    const landed = async () => {
      const key = await getKeyOrUndefined(this.#context, vaultUrl, name, options);
      return key && key.properties.version === record.newestVersion ? key : undefined;
    };
    try {
      return await withRetry("keys.restore", async (attempt) => {
        // A restore is not idempotent (a repeat meets 409): look for an earlier attempt's result first.
        if (attempt > 1) {
          const done = await landed();
          if (done) return done;
        }
        return this.#context.keys(vaultUrl).restoreKeyBackup(bytes, azureCallOptions(options));
      }, {
        ...this.#context.retryOptions(options),
        // Right after a purge the name stays reserved for a few seconds: Key Vault answers 409.
        retryIf: (error) => statusOf(error) === 409,
      });
    } catch (error) {
      const status = statusOf(error);
      if (error instanceof ServiceRequestError && (status === 400 || status === 409)) {
        throw new ServiceRequestError(
          "ERR_RESTORE_REFUSED",
          `Key Vault refused to restore ${record.file} into ${vaultUrl} (${status} ${error.serviceCode ?? ""}): ${error.message} ` +
            "A key backup restores only into a vault of the same subscription and geography, and only where no key of that name exists.",
          { statusCode: status, ...(error.serviceCode ? { serviceCode: error.serviceCode } : {}), operation: "keys.restore", ...(error.requestId ? { requestId: error.requestId } : {}) },
          { cause: error },
        );
      }
      throw error;
    }
  }

  /**
   * The newest backup of a key (by name, or by key id) whose file matches its manifest record, or
   * undefined. Altered and missing files are skipped: the disaster drill's pick.
   */
  newestVerifiedBackup(directory: string, key: string, options: NewestBackupOptions = {}): Promise<BackupResult | undefined> {
    return runOperation(this.#context, "backups.newestVerifiedBackup", options, async (options) => {
      checkDirectory(directory);
      const byId = key.includes("/keys/") ? parseKeyId(key) : undefined;
      const matches = (b: BackupRecord) =>
        byId ? b.keyId.toLowerCase() === byId.versionlessId.toLowerCase() : b.keyName.toLowerCase() === key.toLowerCase() && (!options.vaultUrl || b.vaultUrl === options.vaultUrl.replace(/\/+$/, "").toLowerCase());
      const candidates = (await readManifest(directory)).backups.filter(matches).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.file.localeCompare(a.file));
      for (const record of candidates) {
        // Each candidate is a file read and a hash: stop between them when the caller aborts.
        throwIfAborted(options.abortSignal, "backups.newestVerifiedBackup");
        const read = await readVerified(directory, record);
        if (read?.intact) return { ...record, path: path.resolve(directory, record.file) };
      }
      return undefined;
    });
  }
}

/** Where a backup's blob waits until the manifest records it (not a .backup name: verify ignores it). */
function pendingPath(directory: string, file: string): string {
  return path.join(directory, `.${file}.pending`);
}

/**
 * Gives a recorded backup whose process was killed before the rename its .backup name, when the
 * pending file holds exactly the recorded bytes (same SHA-256); anything else is left alone.
 */
async function finishInterruptedBackups(directory: string, manifest: Awaited<ReturnType<typeof readManifest>>): Promise<void> {
  for (const record of manifest.backups) {
    const pending = pendingPath(directory, record.file);
    if ((await fileExists(path.join(directory, record.file))) || !(await fileExists(pending))) continue;
    if (sha256Hex(await fs.readFile(pending)) === record.sha256) await fs.rename(pending, path.join(directory, record.file));
  }
}
