/**
 * Checks a VaultPairSpec before any request is sent. Every rule has its own stable error code;
 * the first rule broken is thrown as InvalidInputError (its message lists all rules broken).
 */
import { InvalidInputError, type CustomerKeyErrorCode } from "../errors.js";
import { isGuid } from "./ids.js";
import { arePaired, isKnownRegion, normalizeRegion } from "./regions.js";
import { vaultNameProblems } from "./vault-naming.js";
import type { PermissionModel } from "./access-model.js";
import type { Workload } from "./workloads.js";

/** One vault of the pair: where it lives. */
export interface VaultLocation {
  /** The subscription (a GUID). */
  subscriptionId: string;
  /** The resource group; created when missing. */
  resourceGroup: string;
  /** ARM name (`westeurope`) or display name (`West Europe`). */
  location: string;
  /** The vault name (3–24 characters, globally unique). */
  vaultName: string;
}

/** What the pair's root key should look like (created by the keys module, not by vaultPairs). */
export interface RootKeySpec {
  /** The key name (1–127 letters, digits, hyphens). */
  name: string;
  /** RSA size in bits; 3072 or 4096 recommended. */
  size: 2048 | 3072 | 4096;
  /** `hsm` (premium vault) or `software`. */
  protection: "hsm" | "software";
}

/** The desired state of a Customer Key vault pair. */
export interface VaultPairSpec {
  /** The workload the pair serves. */
  workload: Workload;
  /** Access policies or Azure RBAC on both vaults. */
  permissionModel: PermissionModel;
  /** Key-vault administrators (UPN or object id): create/import/list/get/backup/restore, never delete. */
  administrators: string[];
  /** Principals that get the `Contributor` role on each vault (to manage its permissions). */
  contributors?: string[];
  /** The primary vault. */
  primary: VaultLocation;
  /** The secondary vault, in another subscription and region. */
  secondary: VaultLocation;
  /** The root key to create in both vaults (by the keys module). */
  key?: RootKeySpec;
  /** Tags set on both vaults. */
  tags?: Record<string, string>;
  /**
   * Microsoft advises two NON-paired regions ("a total of four regions of availability").
   * A paired pair is a spec error unless this is true, in which case the plan only warns.
   */
  allowPairedRegions?: boolean;
}

const UPN = /^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$/;
/** Resource group names: 1–90 of letters, digits, `_`, `-`, `.`, `(`, `)`, not ending in `.`. */
const RESOURCE_GROUP = /^[-\p{L}\p{N}_.()]{1,90}$/u;
const KEY_NAME = /^[0-9A-Za-z-]{1,127}$/;
const WORKLOADS: readonly Workload[] = ["exchange", "sharePoint", "multiWorkload"];
const KEY_SIZES = [2048, 3072, 4096];

/** One rule a spec breaks. */
export interface SpecIssue {
  /** The error code validateVaultPairSpec throws for it. */
  code: CustomerKeyErrorCode;
  /** The spec field at fault, e.g. `primary.vaultName`. */
  field: string;
  /** What is wrong and how to fix it. */
  message: string;
}

/** A principal as written in a spec: a UPN or an object id. */
export function isPrincipalReference(value: string): boolean {
  return typeof value === "string" && (isGuid(value) || UPN.test(value));
}

/** All rules the spec breaks; empty when it is valid. Never throws, sends nothing. */
export function vaultPairSpecIssues(spec: VaultPairSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const add = (code: CustomerKeyErrorCode, field: string, message: string) => issues.push({ code, field, message });
  if (!spec || typeof spec !== "object") {
    add("ERR_SPEC_INVALID", "spec", "The vault pair spec must be an object.");
    return issues;
  }
  unknownFieldIssues(spec, SPEC_FIELDS, "", add);
  if (!WORKLOADS.includes(spec.workload)) add("ERR_WORKLOAD_INVALID", "workload", `workload must be one of ${WORKLOADS.join(", ")} (got '${String(spec.workload)}').`);
  if (spec.permissionModel !== "accessPolicy" && spec.permissionModel !== "rbac") {
    add("ERR_PERMISSION_MODEL_INVALID", "permissionModel", `permissionModel must be 'accessPolicy' or 'rbac' (got '${String(spec.permissionModel)}').`);
  }
  for (const which of ["primary", "secondary"] as const) {
    const v = spec[which] as VaultLocation | undefined;
    if (!v || typeof v !== "object") {
      add("ERR_SPEC_INVALID", which, `${which} ({ subscriptionId, resourceGroup, location, vaultName }) is required.`);
      continue;
    }
    unknownFieldIssues(v, LOCATION_FIELDS, `${which}.`, add);
    if (!isGuid(v.subscriptionId)) {
      add("ERR_SUBSCRIPTION_ID_INVALID", `${which}.subscriptionId`, `${which}.subscriptionId '${String(v.subscriptionId)}' is not a subscription id (a GUID).`);
    }
    if (typeof v.resourceGroup !== "string" || !RESOURCE_GROUP.test(v.resourceGroup) || v.resourceGroup.endsWith(".")) {
      add("ERR_RESOURCE_GROUP_NAME_INVALID", `${which}.resourceGroup`, `${which}.resourceGroup '${String(v.resourceGroup)}' is not a valid resource group name (1–90 letters, digits, '_', '-', '.', '(', ')'; not ending in '.').`);
    }
    const nameProblems = vaultNameProblems(v.vaultName);
    if (nameProblems.length > 0) {
      add("ERR_VAULT_NAME_INVALID", `${which}.vaultName`, `${which}.vaultName '${String(v.vaultName)}' is not a valid Key Vault name: it ${nameProblems.join("; it ")}.`);
    }
    if (typeof v.location !== "string" || !isKnownRegion(v.location)) {
      add("ERR_REGION_UNKNOWN", `${which}.location`, `${which}.location '${String(v.location)}' is not a known Azure region (use an ARM name such as 'westeurope' or a display name such as 'West Europe').`);
    }
  }
  const p = spec.primary as VaultLocation | undefined;
  const s = spec.secondary as VaultLocation | undefined;
  if (p && s && typeof p === "object" && typeof s === "object") {
    if (typeof p.vaultName === "string" && typeof s.vaultName === "string" && p.vaultName.toLowerCase() === s.vaultName.toLowerCase()) {
      add("ERR_VAULT_NAMES_DUPLICATE", "secondary.vaultName", `Both vaults are named '${p.vaultName}'; vault names are global, so the pair needs two different names.`);
    }
    if (typeof p.subscriptionId === "string" && typeof s.subscriptionId === "string" && p.subscriptionId.toLowerCase() === s.subscriptionId.toLowerCase()) {
      add("ERR_SUBSCRIPTIONS_NOT_DISTINCT", "secondary.subscriptionId", "Both vaults are in the same subscription; Customer Key needs each vault of a pair in its own subscription.");
    }
    if (isKnownRegion(String(p.location)) && isKnownRegion(String(s.location))) {
      if (normalizeRegion(p.location) === normalizeRegion(s.location)) {
        add("ERR_REGIONS_SAME", "secondary.location", `Both vaults are in ${normalizeRegion(p.location)}; put them in two different regions.`);
      } else if (arePaired(p.location, s.location) && spec.allowPairedRegions !== true) {
        add("ERR_REGIONS_PAIRED", "secondary.location", `${normalizeRegion(p.location)} and ${normalizeRegion(s.location)} are an Azure region pair; Microsoft advises two non-paired regions (four regions of availability). Choose another region, or set allowPairedRegions: true to accept it with a warning.`);
      }
    }
  }
  if (!Array.isArray(spec.administrators) || spec.administrators.length === 0) {
    add("ERR_ADMINISTRATORS_REQUIRED", "administrators", "administrators must list at least one key-vault administrator (UPN or object id).");
  } else {
    principalIssues(spec.administrators, "administrators", add);
  }
  if (spec.contributors !== undefined) {
    if (!Array.isArray(spec.contributors)) add("ERR_PRINCIPAL_INVALID", "contributors", "contributors must be an array of UPNs or object ids.");
    else principalIssues(spec.contributors, "contributors", add);
  }
  if (spec.key !== undefined) {
    const k = spec.key;
    if (k && typeof k === "object") unknownFieldIssues(k, KEY_FIELDS, "key.", add);
    if (typeof k?.name !== "string" || !KEY_NAME.test(k.name)) add("ERR_KEY_NAME_INVALID", "key.name", `key.name '${String(k?.name)}' must be 1–127 letters, digits and hyphens.`);
    if (!KEY_SIZES.includes(k?.size as number)) add("ERR_KEY_SIZE_INVALID", "key.size", `key.size must be 2048, 3072 or 4096 (got ${String(k?.size)}).`);
    if (k?.protection !== "hsm" && k?.protection !== "software") add("ERR_KEY_PROTECTION_INVALID", "key.protection", `key.protection must be 'hsm' or 'software' (got '${String(k?.protection)}').`);
  }
  if (spec.tags !== undefined && (typeof spec.tags !== "object" || spec.tags === null || Object.values(spec.tags).some((t) => typeof t !== "string"))) {
    add("ERR_TAGS_INVALID", "tags", "tags must be an object of string values.");
  }
  return issues;
}

const SPEC_FIELDS = ["workload", "permissionModel", "administrators", "contributors", "primary", "secondary", "key", "tags", "allowPairedRegions"];
const LOCATION_FIELDS = ["subscriptionId", "resourceGroup", "location", "vaultName"];
const KEY_FIELDS = ["name", "size", "protection"];

/**
 * Fields the spec does not know: a typo (`allowPairedRegion`) would otherwise be ignored in silence
 * and the pair planned other than the caller meant.
 */
function unknownFieldIssues(value: object, known: readonly string[], prefix: string, add: (code: CustomerKeyErrorCode, field: string, message: string) => void): void {
  for (const field of Object.keys(value)) {
    if (known.includes(field)) continue;
    const near = known.find((k) => k.toLowerCase().startsWith(field.toLowerCase().slice(0, 5)) || field.toLowerCase().startsWith(k.toLowerCase()));
    add("ERR_SPEC_INVALID", `${prefix}${field}`, `${prefix}${field} is not a field of a vault pair spec${near ? ` (did you mean ${prefix}${near}?)` : ""}; the fields are ${known.map((k) => prefix + k).join(", ")}.`);
  }
}

function principalIssues(list: unknown[], field: string, add: (code: CustomerKeyErrorCode, field: string, message: string) => void): void {
  list.forEach((entry, i) => {
    if (typeof entry !== "string" || !isPrincipalReference(entry)) {
      add("ERR_PRINCIPAL_INVALID", `${field}[${i}]`, `${field}[${i}] '${String(entry)}' is neither a user principal name (name@domain) nor an object id (GUID).`);
    }
  });
}

/** Throws the first issue as InvalidInputError (code and field of that rule); sends nothing. */
export function validateVaultPairSpec(spec: VaultPairSpec): void {
  const issues = vaultPairSpecIssues(spec);
  const first = issues[0];
  if (!first) return;
  const more = issues.length > 1 ? ` Also: ${issues.slice(1).map((i) => i.message).join(" ")}` : "";
  throw new InvalidInputError(first.code, `${first.message}${more}`, { field: first.field });
}
