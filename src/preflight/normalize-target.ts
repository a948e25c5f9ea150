/**
 * Turns what validate() is given (a ValidationTarget or a VaultPairSpec) into one shape, and
 * refuses input that cannot work before any request is sent.
 */
import { InvalidInputError, type CustomerKeyErrorCode } from "../errors.js";
import { isGuid } from "../rules/ids.js";
import { parseKeyId, type KeyIdParts } from "../azure/vault-and-key-ids.js";
import type { Workload } from "../rules/workloads.js";
import type { ValidationInput, ValidationVault } from "./types.js";

const WORKLOADS: readonly Workload[] = ["exchange", "sharePoint", "multiWorkload"];

export type Member = "primary" | "secondary";

export interface MemberTarget extends ValidationVault {
  member: Member;
  /** A key URI given for this member: the key checks look at that version. */
  keyUri?: KeyIdParts;
  /** Label for the report, e.g. `vault contoso-exo-a1 (primary)`. */
  label: string;
}

export interface NormalizedTarget {
  workload: Workload;
  members: [MemberTarget, MemberTarget];
  backupDirectory: string | undefined;
  allowPairedRegions: boolean;
  allowStandardSku: boolean;
}

function invalid(code: CustomerKeyErrorCode, field: string, message: string): InvalidInputError {
  return new InvalidInputError(code, `${message} Nothing was read.`, { field });
}

export function normalizeTarget(input: ValidationInput): NormalizedTarget {
  if (!input || typeof input !== "object") throw invalid("ERR_VALIDATION_TARGET_INVALID", "target", "The validation target must be an object ({ workload, primary, secondary }).");
  if (!WORKLOADS.includes(input.workload)) throw invalid("ERR_WORKLOAD_INVALID", "workload", `workload must be one of ${WORKLOADS.join(", ")} (got '${String(input.workload)}').`);
  const spec = input as Partial<import("../rules/vault-pair-spec.js").VaultPairSpec>;
  const target = input as Partial<import("./types.js").ValidationTarget>;
  const specKeyName = spec.key?.name;
  const keyUris = target.keyUris;
  if (keyUris !== undefined && (!Array.isArray(keyUris) || keyUris.length > 2 || keyUris.some((u) => typeof u !== "string"))) {
    throw invalid("ERR_KEY_ID_INVALID", "keyUris", "keyUris must list at most two key URIs, the primary's first.");
  }
  const members = (["primary", "secondary"] as const).map((member, index): MemberTarget => {
    const v = (input as { primary?: unknown; secondary?: unknown })[member] as Partial<ValidationVault> | undefined;
    if (!v || typeof v !== "object") throw invalid("ERR_VALIDATION_TARGET_INVALID", member, `${member} ({ subscriptionId, vaultName, resourceGroup?, keyName? }) is required.`);
    if (!isGuid(v.subscriptionId)) {
      throw invalid("ERR_SUBSCRIPTION_ID_INVALID", `${member}.subscriptionId`, `${member}.subscriptionId '${String(v.subscriptionId)}' is not a subscription id (a GUID).`);
    }
    if (typeof v.vaultName !== "string" || v.vaultName.length === 0 || v.vaultName.length > 64) {
      throw invalid("ERR_VAULT_NAME_INVALID", `${member}.vaultName`, `${member}.vaultName is required.`);
    }
    if (v.resourceGroup !== undefined && (typeof v.resourceGroup !== "string" || v.resourceGroup.length === 0)) {
      throw invalid("ERR_RESOURCE_GROUP_NAME_INVALID", `${member}.resourceGroup`, `${member}.resourceGroup must be a non-empty string when given.`);
    }
    let keyName = v.keyName ?? specKeyName;
    if (keyName !== undefined && (typeof keyName !== "string" || !/^[0-9A-Za-z-]{1,127}$/.test(keyName))) {
      throw invalid("ERR_KEY_NAME_INVALID", `${member}.keyName`, `${member}.keyName '${String(keyName)}' is not a valid key name (1–127 letters, digits and hyphens).`);
    }
    const uri = keyUris?.[index];
    let keyUri: KeyIdParts | undefined;
    if (uri !== undefined) {
      keyUri = parseKeyId(uri, `keyUris[${index}]`);
      if (keyUri.vaultName !== v.vaultName.toLowerCase()) {
        throw invalid("ERR_KEY_ID_INVALID", `keyUris[${index}]`, `keyUris[${index}] names vault '${keyUri.vaultName}', but ${member}.vaultName is '${v.vaultName}'.`);
      }
      if (keyName !== undefined && keyName.toLowerCase() !== keyUri.name.toLowerCase()) {
        throw invalid("ERR_KEY_ID_INVALID", `keyUris[${index}]`, `keyUris[${index}] names key '${keyUri.name}', but ${member}.keyName is '${keyName}'.`);
      }
      keyName = keyUri.name;
    }
    return {
      member,
      subscriptionId: v.subscriptionId,
      vaultName: v.vaultName,
      ...(v.resourceGroup ? { resourceGroup: v.resourceGroup } : {}),
      ...(keyName ? { keyName } : {}),
      ...(keyUri ? { keyUri } : {}),
      label: `vault ${v.vaultName} (${member})`,
    };
  }) as [MemberTarget, MemberTarget];
  if (target.backupDirectory !== undefined && (typeof target.backupDirectory !== "string" || target.backupDirectory === "")) {
    throw invalid("ERR_BACKUP_DIRECTORY_REQUIRED", "backupDirectory", "backupDirectory must be a directory path when given.");
  }
  return {
    workload: input.workload,
    members,
    backupDirectory: target.backupDirectory,
    allowPairedRegions: target.allowPairedRegions === true || spec.allowPairedRegions === true,
    allowStandardSku: target.allowStandardSku === true,
  };
}
