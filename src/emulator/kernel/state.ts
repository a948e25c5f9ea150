import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { EmulatorCertificates } from "./certs.js";
import { seedDirectory, type DirectoryState } from "./directory.js";
import type { SigningKey } from "./tokens.js";
import { emptyArmState, type ArmState } from "../arm/model.js";
import { emptyKeyVaultState, type KeyVaultState } from "../keyvault/model.js";

/** Everything the emulator knows. Plain JSON so it can live in a state file. */
export interface EmulatorState {
  format: "customer-key-emulator/1";
  directory: DirectoryState;
  arm: ArmState;
  keyVault: KeyVaultState;
  /** State of services added later (Exchange, SharePoint), keyed by service. */
  extensions: Record<string, unknown>;
  clockOffsetMs: number;
  signingKey: SigningKey;
  certificates: EmulatorCertificates;
}

export function newState(parts: { tenantId?: string; signingKey: SigningKey; certificates: EmulatorCertificates }): EmulatorState {
  return {
    format: "customer-key-emulator/1",
    directory: seedDirectory(parts.tenantId),
    arm: emptyArmState(),
    keyVault: emptyKeyVaultState(),
    extensions: {},
    clockOffsetMs: 0,
    signingKey: parts.signingKey,
    certificates: parts.certificates,
  };
}

/** Reads a state file; `undefined` when there is none. A file that is not a state file is an error. */
export function readStateFile(path: string): EmulatorState | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let state: EmulatorState;
  try {
    state = JSON.parse(text) as EmulatorState;
  } catch {
    // JSON.parse's own message quotes the text, which holds secrets and key material.
    throw new Error(`${path} is not a customer-key emulator state file: it is not valid JSON.`);
  }
  if (state?.format !== "customer-key-emulator/1") {
    throw new Error(`${path} is not a customer-key emulator state file.`);
  }
  return state;
}

let writes = 0;

/**
 * Writes the whole state to a temporary file, flushes it to disk and renames it over the old
 * one, then flushes the directory so the rename itself survives a power loss: a crash at any
 * point leaves either the old state or the new, never a torn file.
 */
export function writeStateFile(path: string, state: EmulatorState): void {
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
