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
  // Microsoft 365 policy checks (validate(target, { microsoft365: true })).
  "policy.exchange.name",
  "policy.exchange.limit",
  "policy.keys.distinctVaults",
  "policy.keys.resolvable",
  "policy.exchange.assignment",
  "policy.sharePoint.state",
  "policy.multiWorkload.assignment",
] as const;

/** The id of a preflight check, one of `CHECK_IDS`. */
export type CheckId = (typeof CHECK_IDS)[number];

/** `pass`: meets the rule; `fail`: does not, or could not be read; `warn`: accepted but advised against; `skip`: not applicable. */
export type CheckStatus = "pass" | "fail" | "warn" | "skip";

/** One check of the preflight report. */
export interface PreflightCheck {
  /** The check, e.g. `vault.purgeProtection`. */
  id: CheckId;
  /** What the check checks, for people. */
  title: string;
  /** `pass`, `fail` or `warn`. */
  status: CheckStatus;
  /** What was checked, for people, e.g. `vault contoso-exo-a1 (primary)`; tools read the fields below. */
  target: string;
  /** The member of the pair the check concerns; absent for pair-wide and tenant-wide checks (and a subscription holding both vaults). */
  member?: "primary" | "secondary";
  /** The subscription (a GUID) the check concerns; absent for pair-wide and tenant-wide checks. */
  subscriptionId?: string;
  /** The vault the check concerns (vault, access, key and backup checks). */
  vaultName?: string;
  /** The vault's URI (`properties.vaultUri`, no trailing slash), when the check read the vault. */
  vaultUri?: string;
  /** The key the check concerns (key and backup checks), when one was named. */
  keyName?: string;
  /** What was seen. Never holds secrets or key material. */
  evidence: string;
  /** How to fix it: the SDK call and the equivalent Az PowerShell command. Empty when nothing is to be done. */
  remediation: string;
}

/** One vault of the pair, as far as validation needs it. */
export interface ValidationVault {
  /** The vault's subscription (a GUID). */
  subscriptionId: string;
  /** Optional: without it the vault is looked up by name in the subscription. */
  resourceGroup?: string;
  /** The vault name. */
  vaultName: string;
  /** The root key; without it (and without a key URI) the key checks are skipped. */
  keyName?: string;
}

/** What `client.validate` checks: the workload and its two vaults. */
export interface ValidationTarget {
  /** The workload the pair serves. */
  workload: Workload;
  /** The primary vault. */
  primary: ValidationVault;
  /** The secondary vault. */
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
  /**
   * Accept a Standard vault (test tenants: it cannot hold HSM-protected keys) with a warning
   * instead of a failure in `vault.sku`. Default false.
   */
  allowStandardSku?: boolean;
  /**
   * Formerly: accept Standard vaults and software keys. Ignored now: a software-protected RSA key
   * is a warning (`key.hsm`) without any option, and a Standard vault needs `allowStandardSku`.
   * @deprecated Use `allowStandardSku` for a Standard vault; software keys need no option.
   */
  allowSoftwareKeys?: boolean;
}

/** Options of `client.validate`. */
export interface ValidateOptions extends OperationOptions {
  /** Called after each check finishes, with the check and how many of the total are done. */
  onProgress?: (progress: { done: number; total: number; check: PreflightCheck }) => void;
  /**
   * Also run the Microsoft 365 policy checks (`policy.*`: the tenant's data encryption policies,
   * their keys, the assignments and SharePoint Online's policy per geo), read through the client's transports; default false,
   * so reports of the vault pair alone stay as they were.
   */
  microsoft365?: boolean;
}

/**
 * What `validate` accepts: a target, or the spec a vault pair was planned from (its `key.name`
 * names the key in both vaults), optionally with the target's backup directory and key URIs.
 */
export type ValidationInput = ValidationTarget | (VaultPairSpec & Pick<ValidationTarget, "backupDirectory" | "keyUris" | "allowStandardSku" | "allowSoftwareKeys">);

/** The preflight report as JSON (`report.toJSON()`). */
export interface PreflightReportJson {
  /** True when no check failed. */
  ok: boolean;
  /** ISO 8601 time the report was made. */
  generatedAt: string;
  /** The workload checked. */
  workload: Workload;
  /** How many checks have each status. */
  summary: Record<CheckStatus, number>;
  /** Every check, in `CHECK_IDS` order, primary before secondary. */
  checks: PreflightCheck[];
  /** What the report's picture shows, when validate collected it. */
  topology?: PreflightTopology;
}

/** A subscription in the report's topology. */
export interface TopologySubscription {
  /** The subscription id (a GUID). */
  subscriptionId: string;
  /** Its display name, when validate could read it. */
  displayName?: string;
  /** Its state (`Enabled`, `Warned`, ...), when validate could read it. */
  state?: string;
}

/** A key in the report's topology: its name and the versions validate saw (the one checked, and those policies name). */
export interface TopologyKey {
  /** The key name. */
  name: string;
  /** Version ids (32 hex digits), the checked one first. */
  versions: string[];
}

/** A vault of the pair in the report's topology. */
export interface TopologyVault {
  /** Which member of the pair. */
  member: "primary" | "secondary";
  /** The vault's subscription (a GUID). */
  subscriptionId: string;
  /** The vault name. */
  vaultName: string;
  /** The Azure region (`location`), when validate could read the vault. */
  location?: string;
  /** The vault URI (no trailing slash), when validate could read the vault. */
  vaultUri?: string;
  /** The root keys validate read in it. */
  keys: TopologyKey[];
}

/** A Microsoft 365 data encryption policy in the report's topology (`validate(target, { microsoft365: true })`). */
export interface TopologyPolicy {
  /** `exchange` (a mailbox DEP), `multiWorkload`, or `sharePoint` (one per geo). */
  kind: "exchange" | "multiWorkload" | "sharePoint";
  /** The policy name; for SharePoint, `SharePoint <geo>` (its policies have no name). */
  name: string;
  /** Its key URIs, primary first. */
  keyUris: string[];
  /** Exchange: how many mailboxes have this policy (from the Get-Mailbox read of `policy.exchange.assignment`). */
  mailboxCount?: number;
  /** Multi-workload: whether it is the tenant's assigned policy. */
  assigned?: boolean;
  /** SharePoint: the geo (empty for a single-geo tenant). */
  geo?: string;
  /** SharePoint: the policy state (`Registered`, `Registering`, ...). */
  state?: string;
  /** SharePoint: percent of the geo's sites done in the registration or roll (100 when Registered). */
  progressPercent?: number;
  /** SharePoint: the geo's site collections (Graph `sites/getAllSites`, read by `policy.sharePoint.state`); absent when they could not be counted. */
  siteCount?: number;
}

/**
 * What the report's picture shows: tenant, subscriptions, the pair's vaults with their regions and
 * key versions, and (with `microsoft365: true`) the policies with their assignment counts. Collected
 * from the reads validate made anyway: no extra request, no secret (names, ids and URIs only).
 */
export interface PreflightTopology {
  /** The Entra tenant id. */
  tenantId: string;
  /** The pair's subscriptions (one or two). */
  subscriptions: TopologySubscription[];
  /** The pair's two vaults, primary first. */
  vaults: TopologyVault[];
  /** The tenant's data encryption policies; absent unless the Microsoft 365 checks ran. */
  policies?: TopologyPolicy[];
}

/** Options of `report.toHtml()`. */
export interface PreflightHtmlOptions {
  /** The page title and heading; default `Customer Key preflight: <workload>`. */
  title?: string;
  /** The time shown as generated; default the report's `generatedAt`. */
  generatedAt?: Date | string;
}
