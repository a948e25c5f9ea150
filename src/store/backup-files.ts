/**
 * File handling of backups: names, hashes, atomic writes (temporary file in the same directory,
 * fsync, link/rename, fsync of the directory) and a per-directory lock within the process.
 */
import { createHash, randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";

export const BACKUP_EXTENSION = ".backup";
/** The manifest file of a backup directory. */
export const MANIFEST_FILE = "manifest.json";

/** `yyyymmdd` of a time, in UTC. */
export function utcDate(time: Date): string {
  return time.toISOString().slice(0, 10).replace(/-/g, "");
}

/** `{vault}-{key}-Backup-{yyyymmdd}[-n].backup`, the name `Backup-AzKeyVaultKey` users are used to. */
export function backupFileName(vaultName: string, keyName: string, time: Date, sequence = 1): string {
  return `${vaultName}-${keyName}-Backup-${utcDate(time)}${sequence > 1 ? `-${sequence}` : ""}${BACKUP_EXTENSION}`;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export async function fileExists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

async function fsyncDirectory(directory: string): Promise<void> {
  // Makes the rename durable. Some platforms (Windows) cannot open a directory: best effort there.
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(directory, "r");
    await handle.sync();
  } catch {
    /* not supported on this platform */
  } finally {
    await handle?.close();
  }
}

async function writeTemp(directory: string, target: string, bytes: Uint8Array): Promise<string> {
  const temp = path.join(directory, `.${path.basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await fs.open(temp, "wx", 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

/**
 * Writes a new file atomically and never over an existing one: a hard link of the synced
 * temporary file fails with EEXIST if the name was taken meanwhile. Returns false in that case.
 */
export async function writeNewFileAtomic(target: string, bytes: Uint8Array): Promise<boolean> {
  const directory = path.dirname(target);
  const temp = await writeTemp(directory, target, bytes);
  try {
    try {
      await fs.link(temp, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") return false;
      if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EXDEV") throw error;
      // File systems without hard links: the directory lock makes check-then-rename safe in-process.
      if (await fileExists(target)) return false;
      await fs.rename(temp, target);
    }
    await fsyncDirectory(directory);
    return true;
  } finally {
    await fs.rm(temp, { force: true });
  }
}

/** Replaces a file atomically (the manifest): temporary file, fsync, rename, fsync the directory. */
export async function replaceFileAtomic(target: string, bytes: Uint8Array): Promise<void> {
  const directory = path.dirname(target);
  const temp = await writeTemp(directory, target, bytes);
  try {
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  await fsyncDirectory(directory);
}

const locks = new Map<string, Promise<unknown>>();

/** Runs `task` alone for this directory within the process (backups of several keys into one directory). */
export async function withDirectoryLock<T>(directory: string, task: () => Promise<T>): Promise<T> {
  const key = path.resolve(directory);
  const previous = locks.get(key) ?? Promise.resolve();
  const run = previous.then(task, task);
  const tail = run.catch(() => undefined);
  locks.set(key, tail);
  try {
    return await run;
  } finally {
    if (locks.get(key) === tail) locks.delete(key);
  }
}
