import { ServiceError } from "../kernel/http.js";
import { armErrors } from "./errors.js";
import type { AccessPolicyEntry, VaultProperties } from "./model.js";

/** Key Vault's full naming rule (Microsoft's naming-rules documentation), stricter than the swagger's pattern. */
export function isValidVaultName(name: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(name) && !name.includes("--");
}

export const invalidVaultNameMessage = (name: string) =>
  `The vault name '${name}' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens. Follow this link for more information: https://go.microsoft.com/fwlink/?linkid=2147742`;

export const vaultNameInUseMessage = (name: string) =>
  `The vault name '${name}' is already in use. Vault names are globally unique so it is possible that the name is already taken. If you are sure that the vault name was not taken then it is possible that a vault with the same name was recently deleted but not purged after being placed in a recoverable state. If the vault is in a recoverable state then the vault will need to be purged before reusing the name. For more information about VaultAlreadyExists, soft delete and purging a vault follow this link https://go.microsoft.com/fwlink/?linkid=2147740.`;

/** Codes and messages from public evidence (azure-error-evidence.md §9, §10); statuses marked where inferred. */
export const vaultErrors = {
  nameNotValid: (name: string) => new ServiceError(400, "VaultNameNotValid", invalidVaultNameMessage(name)),
  /** Code and message seen in logs; the 409 is inferred (no log printed the status). */
  alreadyExists: (name: string) => new ServiceError(409, "VaultAlreadyExists", vaultNameInUseMessage(name)),
  /** The name is held by a soft-deleted vault the caller's subscription can see. */
  deletedConflict: () =>
    new ServiceError(
      409,
      "ConflictError",
      "A vault with the same name already exists in deleted state. You need to either recover or purge existing key vault. Follow this link https://go.microsoft.com/fwlink/?linkid=2149745 for more information on soft delete.",
    ),
  /** Seen at create time; the same answer to a PATCH of an existing vault is inferred. */
  purgeProtectionOff: () =>
    armErrors.badRequest(`The property "enablePurgeProtection" cannot be set to false. Enabling the purge protection for a vault is an irreversible action.`),
  retentionRange: () =>
    armErrors.badRequest(`The property "softDeleteRetentionInDays" is invalid. Its value must be between 7 and 90 days.`),
  retentionChange: () =>
    armErrors.badRequest(`The property "softDeleteRetentionInDays" has been set already and it can't be modified.`),
};

const permissionKinds = ["keys", "secrets", "certificates", "storage"] as const;
const sameOptional = (a?: string, b?: string) => (a ?? "").toLowerCase() === (b ?? "").toLowerCase();

/** Two entries address the same principal (tenant + object + optional application), case-insensitively. */
export function samePrincipal(a: AccessPolicyEntry, b: AccessPolicyEntry): boolean {
  return sameOptional(a.tenantId, b.tenantId) && sameOptional(a.objectId, b.objectId) && sameOptional(a.applicationId, b.applicationId);
}

/** Validates and copies access policy entries from a request body. */
export function parseAccessPolicies(value: unknown, where = "properties.accessPolicies"): AccessPolicyEntry[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw armErrors.invalidRequestContent(`The value of '${where}' must be an array.`);
  if (value.length > 1024) throw armErrors.badRequest("A vault may not have more than 1024 access policies.");
  return value.map((raw, i) => {
    const entry = raw as Partial<AccessPolicyEntry> | null;
    if (!entry || typeof entry.tenantId !== "string" || typeof entry.objectId !== "string" || typeof entry.permissions !== "object" || entry.permissions === null) {
      throw armErrors.badRequest(`The access policy at '${where}[${i}]' must have 'tenantId', 'objectId' and 'permissions'.`);
    }
    const permissions: AccessPolicyEntry["permissions"] = {};
    for (const kind of permissionKinds) {
      const list = entry.permissions[kind];
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list) || list.some((p) => typeof p !== "string")) {
        throw armErrors.badRequest(`The permissions '${kind}' of '${where}[${i}]' must be an array of strings.`);
      }
      permissions[kind] = [...list];
    }
    return { tenantId: entry.tenantId, objectId: entry.objectId, ...(entry.applicationId ? { applicationId: entry.applicationId } : {}), permissions };
  });
}

/**
 * Applies the requested soft-delete and purge-protection flags and retention to a vault's
 * properties, refusing what Key Vault refuses: purge protection `false` at all (400 BadRequest,
 * evidence §10), retention outside 7..90 or changed after creation. Soft delete is always on.
 */
export function applyProtectionFlags(
  target: VaultProperties,
  requested: Record<string, unknown>,
  existing: VaultProperties | undefined,
): void {
  const softDelete = requested["enableSoftDelete"];
  if (softDelete !== undefined && softDelete !== null) {
    if (typeof softDelete !== "boolean") throw armErrors.invalidRequestContent("'enableSoftDelete' must be a boolean.");
    // Inferred from a Key Vault team member's word (evidence §10): "you can pass false, but service
    // will change it to true". No error body for it was ever seen, so false is accepted and ignored.
    // (A vault without soft delete, as old vaults are, can still be seeded: `emulator.seed.vault`.)
    target.enableSoftDelete = true;
  }
  const purgeProtection = requested["enablePurgeProtection"];
  if (purgeProtection !== undefined && purgeProtection !== null) {
    if (typeof purgeProtection !== "boolean") throw armErrors.invalidRequestContent("'enablePurgeProtection' must be a boolean.");
    // "The property does not accept false as its value", on create as after.
    if (!purgeProtection) throw vaultErrors.purgeProtectionOff();
    target.enablePurgeProtection = true;
  }
  const retention = requested["softDeleteRetentionInDays"];
  if (retention !== undefined && retention !== null) {
    if (typeof retention !== "number" || !Number.isInteger(retention) || retention < 7 || retention > 90) throw vaultErrors.retentionRange();
    if (existing && existing.softDeleteRetentionInDays !== retention) throw vaultErrors.retentionChange();
    target.softDeleteRetentionInDays = retention;
  }
  if (target.enablePurgeProtection && !target.enableSoftDelete) {
    throw armErrors.badRequest(`The property "enablePurgeProtection" can only be set when "enableSoftDelete" is true.`);
  }
}

/** Copies the plain boolean and string settings a PUT or PATCH may change. */
export function applySimpleSettings(target: VaultProperties, requested: Record<string, unknown>): void {
  for (const key of ["enabledForDeployment", "enabledForDiskEncryption", "enabledForTemplateDeployment", "enableRbacAuthorization"] as const) {
    const value = requested[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== "boolean") throw armErrors.invalidRequestContent(`'${key}' must be a boolean.`);
    target[key] = value;
  }
  const pna = requested["publicNetworkAccess"];
  if (typeof pna === "string") {
    if (!/^(enabled|disabled)$/i.test(pna)) throw armErrors.badRequest(`The value '${pna}' of 'publicNetworkAccess' is invalid; use 'Enabled' or 'Disabled'.`);
    target.publicNetworkAccess = pna[0]!.toUpperCase() + pna.slice(1).toLowerCase();
  }
  if (requested["networkAcls"] !== undefined && requested["networkAcls"] !== null) target.networkAcls = requested["networkAcls"];
}

/** `sku` must be `{family: "A", name: "standard" | "premium"}` (family defaults to A). */
export function parseSku(value: unknown): VaultProperties["sku"] {
  const sku = value as { family?: unknown; name?: unknown } | undefined;
  if (!sku || typeof sku !== "object") throw armErrors.badRequest("The property 'sku' is required.");
  const name = typeof sku.name === "string" ? sku.name.toLowerCase() : "";
  if (name !== "standard" && name !== "premium") {
    throw armErrors.badRequest(`The value '${String(sku.name)}' of 'sku.name' is invalid. Allowed values are 'standard' and 'premium'.`);
  }
  if (sku.family !== undefined && sku.family !== "A") throw armErrors.badRequest(`The value '${String(sku.family)}' of 'sku.family' is invalid. The only allowed value is 'A'.`);
  return { family: "A", name };
}
