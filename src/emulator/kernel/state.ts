import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { EmulatorCertificates } from "./certs.js";
import { seedDirectory, type DirectoryState } from "./directory.js";
import type { SigningKey } from "./tokens.js";

/** The kernel's part of the state: what every service relies on. */
export interface KernelState {
  /** Format tag of the state file. */
  format: "customer-key-emulator/1";
  /** The emulated Entra ID directory. */
  directory: DirectoryState;
  /** How far (milliseconds) the emulator clock runs ahead of wall time. */
  clockOffsetMs: number;
  /** The key tokens are signed with (private half redacted in snapshots). */
  signingKey: SigningKey;
  /** The CA and TLS leaf (private keys redacted in snapshots). */
  certificates: EmulatorCertificates;
}

/**
 * Everything the emulator knows, as plain JSON so it can live in a state file: the kernel's part
 * and, beside it, each service's state under the key its definition names. The layout is the one
 * of earlier files (`arm`, `keyVault` at the top level), so those still load.
 */
export type PersistedState = KernelState & { [serviceStateKey: string]: unknown };

/** Top-level keys the kernel keeps for itself; a service state key may not be one of them. */
export const KERNEL_STATE_KEYS = ["format", "directory", "clockOffsetMs", "signingKey", "certificates"] as const;

/** A new state holds only the kernel's part; each service adds its empty state when it registers. */
export function newState(parts: { tenantId?: string; signingKey: SigningKey; certificates: EmulatorCertificates }): PersistedState {
  return {
    format: "customer-key-emulator/1",
    directory: seedDirectory(parts.tenantId),
    clockOffsetMs: 0,
    signingKey: parts.signingKey,
    certificates: parts.certificates,
  };
}

/** Reads a state file; `undefined` when there is none. A file that is not a state file is an error. */
export function readStateFile(path: string): PersistedState | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let state: PersistedState;
  try {
    state = JSON.parse(text) as PersistedState;
  } catch {
    // JSON.parse's own message quotes the text, which holds secrets and key material.
    throw new Error(`${path} is not a customer-key emulator state file: it is not valid JSON.`);
  }
  if (state?.format !== "customer-key-emulator/1") {
    throw new Error(`${path} is not a customer-key emulator state file.`);
  }
  // Files of the first layout carry an always-empty `extensions` record; services now sit beside the kernel.
  if (isEmptyRecord(state["extensions"])) delete state["extensions"];
  return state;
}

let writes = 0;

/**
 * Writes the whole state to a temporary file, flushes it to disk and renames it over the old
 * one, then flushes the directory so the rename itself survives a power loss: a crash at any
 * point leaves either the old state or the new, never a torn file.
 */
export function writeStateFile(path: string, state: PersistedState): void {
  const directory = dirname(path);
  mkdirSync(directory, { recursive: true });
  // Unique per write, so two emulators of one process never share a temporary file.
  const temporary = `${path}.${process.pid}.${writes++}.tmp`;
  try {
    const fd = openSync(temporary, "w", 0o600);
    try {
      writeSync(fd, JSON.stringify(state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  syncDirectory(directory);
}

/** fsync of the directory entry; Windows cannot open a directory for it, and does not need to. */
function syncDirectory(directory: string): void {
  if (process.platform === "win32") return;
  const fd = openSync(directory, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function isEmptyRecord(value: unknown): boolean {
  return typeof value === "object" && value !== null && Object.keys(value).length === 0;
}
