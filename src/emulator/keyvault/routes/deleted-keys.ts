import { json } from "../../kernel/http.js";
import { kvRoute, type KvContext } from "../request-context.js";
import { kvErrors } from "../errors.js";
import { requireKey } from "./keys.js";
import { deletedKeyBundle, deletedKeyItem, keyBundle } from "../shapes.js";
import type { DeletedKeyRecord } from "../model.js";
import { page } from "../paging.js";
import { PERMISSIONS } from "../../authz/key-permissions.js";
import { beginPending, pendingOn } from "../pending-window.js";

/**
 * Deletes every version. With soft delete the key moves to the deleted keys until
 * `scheduledPurgeDate` (deletedDate + recoverableDays × 86400 on the emulator clock); without,
 * it is gone at once and the answer has no recoveryId. Like the real service it answers at once
 * and finishes within the pending window (see pending-window.ts): until then the deleted key is
 * not found and its name cannot be re-created.
 */
function deleteKey(kv: KvContext) {
  const name = kv.params["name"]!;
  const record = requireKey(kv, name);
  const slot = name.toLowerCase();
  delete kv.keys.keys[slot];
  const deleted: DeletedKeyRecord = { key: record, deletedDate: kv.now, scheduledPurgeDate: kv.now + kv.recovery.days * 86_400 };
  if (kv.recovery.softDelete) kv.keys.deleted[slot] = deleted;
  beginPending(kv.core, kv.keys, name, "deleting");
  kv.core.changed();
  return json(deletedKeyBundle(kv.origin, kv.recovery, deleted));
}

function requireSoftDelete(kv: KvContext): void {
  if (!kv.recovery.softDelete) throw kvErrors.softDeleteDisabled();
}

/** The deleted key of that name once its delete is done; 404 before (what the delete poller waits out). */
function requireDeleted(kv: KvContext, name: string): DeletedKeyRecord {
  const deleted = kv.keys.deleted[name.toLowerCase()];
  if (!deleted || pendingOn(kv.keys, name, kv.nowMs) === "deleting") throw kvErrors.deletedKeyNotFound(name);
  return deleted;
}

/** Recover and purge wait for the delete to finish (inferred: the real answer inside the window was never recorded). */
function refuseWhileDeleting(kv: KvContext, name: string): void {
  if (kv.keys.deleted[name.toLowerCase()] && pendingOn(kv.keys, name, kv.nowMs) === "deleting") throw kvErrors.stillBeingDeleted(name);
}

function getDeletedKey(kv: KvContext) {
  requireSoftDelete(kv);
  return json(deletedKeyBundle(kv.origin, kv.recovery, requireDeleted(kv, kv.params["name"]!)));
}

function listDeletedKeys(kv: KvContext) {
  requireSoftDelete(kv);
  const deleted = Object.values(kv.keys.deleted).filter((d) => pendingOn(kv.keys, d.key.name, kv.nowMs) !== "deleting").sort((a, b) => a.key.name.toLowerCase().localeCompare(b.key.name.toLowerCase()));
  return json(page(kv, deleted.map((d) => deletedKeyItem(kv.origin, kv.recovery, d))));
}

/**
 * Recover answers the KeyBundle of the latest version; a name that is not deleted is 404 with the
 * generic message (recorded). The key is readable again once the pending window has passed.
 */
function recoverDeletedKey(kv: KvContext) {
  requireSoftDelete(kv);
  const name = kv.params["name"]!;
  refuseWhileDeleting(kv, name);
  const deleted = kv.keys.deleted[name.toLowerCase()];
  if (!deleted) throw kvErrors.keyNotFound(name);
  delete kv.keys.deleted[name.toLowerCase()];
  kv.keys.keys[name.toLowerCase()] = deleted.key;
  beginPending(kv.core, kv.keys, name, "recovering");
  kv.core.changed();
  return json(keyBundle(kv.origin, kv.recovery, deleted.key));
}

/**
 * Purge: 204 without body; refused (403) while the vault has purge protection. The name stays
 * reserved for the pending window (a restore in it is 409 Conflict, recorded).
 */
function purgeDeletedKey(kv: KvContext) {
  requireSoftDelete(kv);
  const name = kv.params["name"]!;
  refuseWhileDeleting(kv, name);
  requireDeleted(kv, name);
  if (kv.recovery.purgeProtection) throw kvErrors.purgeProtected(kv.vault.name, kv.vault.location);
  delete kv.keys.deleted[name.toLowerCase()];
  beginPending(kv.core, kv.keys, name, "purging");
  kv.core.changed();
  return { status: 204 };
}

export const deletedRoutes = {
  delete: kvRoute({ method: "DELETE", path: "/keys/:name", operation: "DeleteKey", permission: PERMISSIONS.delete, handler: deleteKey }),
  list: kvRoute({ method: "GET", path: "/deletedkeys", operation: "GetDeletedKeys", permission: PERMISSIONS.list, handler: listDeletedKeys }),
  recover: kvRoute({ method: "POST", path: "/deletedkeys/:name/recover", operation: "RecoverDeletedKey", permission: PERMISSIONS.recover, handler: recoverDeletedKey }),
  get: kvRoute({ method: "GET", path: "/deletedkeys/:name", operation: "GetDeletedKey", permission: PERMISSIONS.get, handler: getDeletedKey }),
  purge: kvRoute({ method: "DELETE", path: "/deletedkeys/:name", operation: "PurgeDeletedKey", permission: PERMISSIONS.purge, handler: purgeDeletedKey }),
};
