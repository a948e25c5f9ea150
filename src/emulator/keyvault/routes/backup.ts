import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { EmulatorCore } from "../../kernel/core.js";
import { json } from "../../kernel/http.js";
import { bodyOf, kvRoute, type KvContext } from "../request-context.js";
import { kvErrors } from "../errors.js";
import { requireKey } from "./keys.js";
import { keyBundle, kidOf, latest } from "../shapes.js";
import { base64Kind } from "../key-material.js";
import { keyVaultState, type KeyRecord } from "../model.js";
import { PERMISSIONS } from "../../authz/key-permissions.js";
import { geographyOf } from "../vault-lookup.js";
import { pendingOn } from "../pending-window.js";

/** The real blobs start with this ASCII marker (then a JWE); the emulator's continue with AES-256-GCM. */
const PREFIX = Buffer.from("&AzureKeyVaultKeyBackupV1.microsoft.com", "ascii");
const FORMAT = "customer-key-emulator/key-backup/1";

interface BackupPayload {
  format: typeof FORMAT;
  subscriptionId: string;
  geography: string;
  key: KeyRecord;
}

/** The emulator-wide backup key, made once and kept in the state so blobs outlive a restart. */
function backupKey(core: EmulatorCore): Buffer {
  const state = keyVaultState(core);
  if (!state.backupKey) {
    state.backupKey = randomBytes(32).toString("base64");
    core.changed();
  }
  return Buffer.from(state.backupKey, "base64");
}

/** Seals every version (private material included) bound to the vault's subscription and geography. */
function seal(core: EmulatorCore, payload: BackupPayload): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", backupKey(core), iv);
  cipher.setAAD(PREFIX);
  const body = Buffer.concat([cipher.update(JSON.stringify(payload), "utf8"), cipher.final()]);
  return Buffer.concat([PREFIX, iv, cipher.getAuthTag(), body]);
}

/** Opens a blob; anything that is not an intact emulator blob is 400 `Malformed backup blob`. */
function open(core: EmulatorCore, blob: Buffer): BackupPayload {
  try {
    if (blob.length < PREFIX.length + 28 || !blob.subarray(0, PREFIX.length).equals(PREFIX)) throw new Error("prefix");
    const iv = blob.subarray(PREFIX.length, PREFIX.length + 12);
    const tag = blob.subarray(PREFIX.length + 12, PREFIX.length + 28);
    const decipher = createDecipheriv("aes-256-gcm", backupKey(core), iv);
    decipher.setAAD(PREFIX);
    decipher.setAuthTag(tag);
    const text = Buffer.concat([decipher.update(blob.subarray(PREFIX.length + 28)), decipher.final()]).toString("utf8");
    const payload = JSON.parse(text) as BackupPayload;
    if (payload.format !== FORMAT || !Array.isArray(payload.key?.versions) || payload.key.versions.length === 0) throw new Error("format");
    return payload;
  } catch {
    throw kvErrors.malformedBackup();
  }
}

function backupKeyOp(kv: KvContext) {
  const record = requireKey(kv, kv.params["name"]!);
  const blob = seal(kv.core, {
    format: FORMAT,
    subscriptionId: kv.vault.subscriptionId.toLowerCase(),
    geography: geographyOf(kv.vault.location),
    key: record,
  });
  return json({ value: blob.toString("base64url") });
}

/**
 * Restores all versions with their ids and times. Refused when the name is taken (live or
 * soft-deleted, or still being deleted or purged: 409 Conflict, recorded message) or when the
 * target vault is in another subscription or geography (`Cannot decrypt backup blob.`).
 */
async function restoreKey(kv: KvContext) {
  const body = await bodyOf(kv);
  const value = body["value"];
  if (typeof value !== "string" || value === "") throw kvErrors.badParameter("The 'value' parameter (the backup blob) is required.");
  const payload = open(kv.core, Buffer.from(value, base64Kind(value)));
  if (payload.subscriptionId !== kv.vault.subscriptionId.toLowerCase() || payload.geography !== geographyOf(kv.vault.location)) {
    // Message from public CLI output (evidence §3); status and code are inferred. The rule: same subscription and geography.
    throw kvErrors.badParameter("Cannot decrypt backup blob.");
  }
  const record = payload.key;
  const slot = record.name.toLowerCase();
  // A name still being deleted or purged is held too: a restore right after a purge is 409 for seconds (recorded).
  if (kv.keys.keys[slot] || kv.keys.deleted[slot] || pendingOn(kv.keys, record.name, kv.nowMs)) throw kvErrors.restoreConflict(kidOf(kv.origin, record.name, latest(record).version));
  kv.keys.keys[slot] = record;
  kv.core.changed();
  return json(keyBundle(kv.origin, kv.recovery, record));
}

export const backupRoutes = {
  restore: kvRoute({ method: "POST", path: "/keys/restore", operation: "RestoreKey", permission: PERMISSIONS.restore, handler: restoreKey }),
  backup: kvRoute({ method: "POST", path: "/keys/:name/backup", operation: "BackupKey", permission: PERMISSIONS.backup, readOnly: true, handler: backupKeyOp }),
};
