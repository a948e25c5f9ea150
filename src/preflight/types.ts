/** Public types of the preflight validation: its target, checks and report. */
import type { VaultPairSpec } from "../rules/vault-pair-spec.js";
import type { Workload } from "../rules/workloads.js";
import type { OperationOptions } from "../internal/operation.js";

/** Check ids are stable API: match on them. */
export const CHECK_IDS = [
  "subscription.distinct",
  "subscription.enabled",
  "subscription.doNotCancel",
  "subscription.keyVaultProvider",
  "vault.name",
  "vault.sku",
  "vault.softDelete",
  "vault.purgeProtection",
  "vault.regions.distinct",
  "vault.regions.notPaired",
  "access.servicePrincipalExists",
  "access.servicePrincipal",
  "access.noAdminDelete",
  "key.type",
  "key.hsm",
  "key.enabled",
  "key.operations",
  "key.expiry",
  "key.recoveryLevel",
  "backup.current",
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

/** `pass`: meets the rule; `fail`: does not, or could not be read; `warn`: accepted but advised against; `skip`: not applicable. */
export type CheckStatus = "pass" | "fail" | "warn" | "skip";

export interface PreflightCheck {
  id: CheckId;
  title: string;
  status: CheckStatus;
  /** What was checked, e.g. `vault contoso-exo-a1 (primary)`. */
  target: string;
  /** What was seen. Never holds secrets or key material. */
  evidence: string;
  /** How to fix it: the SDK call and the equivalent Az PowerShell command. Empty when nothing is to be done. */
  remediation: string;
}

/** One vault of the pair, as far as validation needs it. */
export interface ValidationVault {
  subscriptionId: string;
  /** Optional: without it the vault is looked up by name in the subscription. */
  resourceGroup?: string;
  vaultName: string;
  /** The root key; without it (and without a key URI) the key checks are skipped. */
  keyName?: string;
}

export interface ValidationTarget {
  workload: Workload;
  primary: ValidationVault;
  secondary: ValidationVault;
  /** Where the key backups are (the directory with manifest.json); enables `backup.current`. */
  backupDirectory?: string;
  /**
   * Key URIs of existing policies, primary first: the key checks then look at exactly these
   * versions. Each URI must name the vault (and key, if given) of its member.
   */
  keyUris?: readonly string[];
  /** Accept a paired region pair with a warning instead of a failure. */
  allowPairedRegions?: boolean;
  /** Accept Standard vaults and software keys (test tenants) with a warning instead of a failure. */
  allowSoftwareKeys?: boolean;
}

export interface ValidateOptions extends OperationOptions {
  /** Called after each check finishes, with the check and how many of the total are done. */
  onProgress?: (progress: { done: number; total: number; check: PreflightCheck }) => void;
}

/**
 * What `validate` accepts: a target, or the spec a vault pair was planned from (its `key.name`
 * names the key in both vaults), optionally with the target's backup directory and key URIs.
 */
export type ValidationInput = ValidationTarget | (VaultPairSpec & Pick<ValidationTarget, "backupDirectory" | "keyUris" | "allowSoftwareKeys">);

export interface PreflightReportJson {
  ok: boolean;
  generatedAt: string;
  workload: Workload;
  summary: Record<CheckStatus, number>;
  checks: PreflightCheck[];
}
