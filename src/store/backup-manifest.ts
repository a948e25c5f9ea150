/** `manifest.json` of a backup directory: what each file should hash to and what it holds. */
import { promises as fs } from "node:fs";
import path from "node:path";
import { PreconditionFailedError } from "../errors.js";
import { MANIFEST_FILE, replaceFileAtomic } from "./backup-files.js";
import type { BackupManifest, BackupRecord } from "./backup-types.js";

export function emptyManifest(): BackupManifest {
  return { format: "customer-key/backup-manifest", version: 1, backups: [] };
}

/** The directory's manifest; an empty one when the directory has none yet. */
export async function readManifest(directory: string): Promise<BackupManifest> {
  const file = path.join(directory, MANIFEST_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyManifest();
    throw error;
  }
  let parsed: Partial<BackupManifest>;
  try {
    parsed = JSON.parse(text) as Partial<BackupManifest>;
  } catch (error) {
    throw new PreconditionFailedError("ERR_BACKUP_MANIFEST_INVALID", `${file} is not valid JSON; restore it from your offline copy before using these backups.`, { cause: error });
  }
  if (parsed.format !== "customer-key/backup-manifest" || !Array.isArray(parsed.backups)) {
    throw new PreconditionFailedError("ERR_BACKUP_MANIFEST_INVALID", `${file} is not a customer-key backup manifest.`);
  }
  return { format: "customer-key/backup-manifest", version: 1, backups: parsed.backups as BackupRecord[] };
}

export async function writeManifest(directory: string, manifest: BackupManifest): Promise<void> {
  await replaceFileAtomic(path.join(directory, MANIFEST_FILE), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, "utf8"));
}

export function findRecord(manifest: BackupManifest, file: string): BackupRecord | undefined {
  return manifest.backups.find((b) => b.file === file);
}
