import { assignmentsFor, permits } from "./arm-roles.js";
import { armState } from "../arm/model.js";
import { ServiceError } from "../kernel/http.js";
import type { KvContext } from "../keyvault/request-context.js";
import { vaultResourceId } from "../keyvault/vault-lookup.js";

/**
 * What an operation needs: the access-policy key permission (`keys/{policy}` in the spec's
 * operation descriptions) and, on RBAC vaults, the data action. `alsoDataActions` also grant it
 * (public-key operations on asymmetric keys are allowed with `keys/read`, as Azure documents).
 */
export interface KeyPermission {
  policy: string;
  dataAction: string;
  alsoDataActions?: string[];
}

/** What an access check reads: the vault, the caller, the key name (RBAC scope) and the core (role assignments). */
export type KeyAccessContext = Pick<KvContext, "vault" | "caller" | "core" | "params">;

const da = (suffix: string) => `Microsoft.KeyVault/vaults/${suffix}`;
const p = (policy: string, dataAction: string, also?: string[]): KeyPermission => ({
  policy,
  dataAction: da(dataAction),
  ...(also ? { alsoDataActions: also.map(da) } : {}),
});

/** The permission of each operation (Azure's data actions of Microsoft.KeyVault, keys section). */
export const PERMISSIONS = {
  get: p("get", "keys/read"),
  list: p("list", "keys/read"),
  create: p("create", "keys/create/action"),
  import: p("import", "keys/import/action"),
  update: p("update", "keys/update/action"),
  delete: p("delete", "keys/delete"),
  recover: p("recover", "keys/recover/action"),
  purge: p("purge", "keys/purge/action"),
  backup: p("backup", "keys/backup/action"),
  restore: p("restore", "keys/restore/action"),
  rotate: p("rotate", "keys/rotate/action"),
  getRotationPolicy: p("getrotationpolicy", "keyrotationpolicies/read"),
  setRotationPolicy: p("setrotationpolicy", "keyrotationpolicies/write"),
  encrypt: p("encrypt", "keys/encrypt/action", ["keys/read"]),
  decrypt: p("decrypt", "keys/decrypt/action"),
  wrapKey: p("wrapKey", "keys/wrap/action", ["keys/read"]),
  unwrapKey: p("unwrapKey", "keys/unwrap/action"),
  sign: p("sign", "keys/sign/action"),
  verify: p("verify", "keys/verify/action", ["keys/read"]),
} satisfies Record<string, KeyPermission>;

function callerText(kv: KeyAccessContext): string {
  const iss = kv.caller.claims?.iss ?? `https://sts.windows.net/${kv.caller.tenantId}/`;
  return `appid=${kv.caller.appId};oid=${kv.caller.objectId};iss=${iss}`;
}

/**
 * Access-policy check: an entry of the caller's tenant for the caller (or one of its groups; a
 * compound entry also needs the app) with the permission. An object id is only unique within
 * its tenant, so an entry naming another tenant grants nothing.
 */
function policyAllows(kv: KeyAccessContext, permission: string): boolean {
  const principals = new Set([kv.caller.objectId.toLowerCase(), ...kv.caller.groupIds.map((g) => g.toLowerCase())]);
  const wanted = permission.toLowerCase();
  return kv.vault.properties.accessPolicies.some((entry) => {
    if (entry.tenantId.toLowerCase() !== kv.caller.tenantId.toLowerCase()) return false;
    if (!principals.has(entry.objectId.toLowerCase())) return false;
    if (entry.applicationId && entry.applicationId.toLowerCase() !== kv.caller.appId.toLowerCase()) return false;
    return (entry.permissions.keys ?? []).some((k) => k.toLowerCase() === wanted || k.toLowerCase() === "all");
  });
}

/**
 * Refuses the call unless the caller holds the permission: on access-policy vaults through an
 * access policy, on RBAC vaults only through role assignments at the vault or key scope (access
 * policies are ignored there), with the real 403 bodies (`AccessDenied`, `ForbiddenByRbac`).
 */
export function authorizeKeys(kv: KeyAccessContext, permission: KeyPermission): void {
  const vault = kv.vault;
  if (!vault.properties.enableRbacAuthorization) {
    if (policyAllows(kv, permission.policy)) return;
    throw new ServiceError(
      403,
      "Forbidden",
      `The user, group or application '${callerText(kv)}' does not have keys ${permission.policy} permission on key vault '${vault.name};location=${vault.location}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
      { innerCode: "AccessDenied" },
    );
  }
  const keyName = kv.params["name"];
  const scope = `${vaultResourceId(vault)}${keyName ? `/keys/${keyName}` : ""}`;
  const definitions = assignmentsFor(armState(kv.core), scope, kv.caller);
  const actions = [permission.dataAction, ...(permission.alsoDataActions ?? [])];
  if (actions.some((action) => permits(definitions, action, { data: true }))) return;
  throw new ServiceError(
    403,
    "Forbidden",
    "Caller is not authorized to perform action on resource.\r\n" +
      "If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n" +
      `Caller: ${callerText(kv)}\r\n` +
      `Action: '${permission.dataAction}'\r\n` +
      `Resource: '${scope.toLowerCase()}'\r\n` +
      "Assignment: (not found)\r\n" +
      "DenyAssignmentId: null\r\n" +
      "DecisionReason: null \r\n" +
      `Vault: ${vault.name};location=${vault.location}\r\n`,
    { innerCode: "ForbiddenByRbac" },
  );
}
