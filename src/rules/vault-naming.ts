/**
 * Key Vault name rules: 3–24 characters, letters, digits and hyphens, starting with a letter,
 * ending with a letter or digit, no consecutive hyphens; globally unique, case-insensitive.
 * Sources: learn.microsoft.com azure-resource-manager/management/resource-name-rules
 * (Microsoft.KeyVault) and key-vault/general/about-keys-secrets-certificates (2026-06-12).
 */
import { InvalidInputError } from "../errors.js";
import type { Workload } from "./workloads.js";

/** The shortest vault name Azure accepts: 3 characters. */
export const VAULT_NAME_MIN_LENGTH = 3;
/** The longest vault name Azure accepts: 24 characters. */
export const VAULT_NAME_MAX_LENGTH = 24;

/** Every rule the name breaks, as sentences; empty when the name is valid. Never throws. */
export function vaultNameProblems(name: string): string[] {
  if (typeof name !== "string" || name.length === 0) return ["a vault name is required"];
  const problems: string[] = [];
  if (name.length < VAULT_NAME_MIN_LENGTH || name.length > VAULT_NAME_MAX_LENGTH) {
    problems.push(`must be ${VAULT_NAME_MIN_LENGTH}–${VAULT_NAME_MAX_LENGTH} characters long (it has ${name.length})`);
  }
  const bad = [...new Set(name.replace(/[A-Za-z0-9-]/g, ""))];
  if (bad.length > 0) problems.push(`may contain only letters, digits and hyphens (found ${bad.map((c) => JSON.stringify(c)).join(", ")})`);
  if (!/^[A-Za-z]/.test(name)) problems.push("must start with a letter");
  if (!/[A-Za-z0-9]$/.test(name)) problems.push("must end with a letter or a digit");
  if (name.includes("--")) problems.push("must not contain consecutive hyphens");
  return problems;
}

/** True when the name is a valid vault name (3–24 letters, digits, hyphens; starts with a letter; no double or trailing hyphen). */
export function isValidVaultName(name: string): boolean {
  return vaultNameProblems(name).length === 0;
}

/**
 * Throws InvalidInputError `ERR_VAULT_NAME_INVALID` (all name rules share this code; the message
 * lists each rule broken) naming `field`, e.g. `primary.vaultName`.
 */
export function validateVaultName(name: string, field = "vaultName"): void {
  const problems = vaultNameProblems(name);
  if (problems.length === 0) return;
  throw new InvalidInputError(
    "ERR_VAULT_NAME_INVALID",
    `${field} '${String(name)}' is not a valid Key Vault name: it ${problems.join("; it ")}. ` +
      "Use 3–24 letters, digits and single hyphens, starting with a letter and ending with a letter or digit.",
    { field },
  );
}

const workloadCodes: Record<Workload, string> = { exchange: "exo", sharePoint: "spo", multiWorkload: "m365" };

/** Options of `vaultPairs.suggestVaultNames`. */
export interface SuggestVaultNamesOptions {
  /** Organisation prefix, e.g. `Contoso`. Invalid characters are dropped and it is shortened to fit. */
  prefix: string;
  /** The workload the pair serves (adds `exo`, `spo` or `m365`). */
  workload: Workload;
  /** Short geography tag, e.g. `NA`, `EU`. */
  geo?: string;
}

/** Two vault names suggested for a pair. */
export interface VaultNameSuggestion {
  /** The primary vault's name. */
  primary: string;
  /** The secondary vault's name. */
  secondary: string;
}

/**
 * Two valid, matching names for a pair, e.g. `contoso-exo-na-a1` / `contoso-exo-na-b1`.
 * Microsoft's own example `Contoso-O365SP-NA-VaultA1` has 25 characters, one more than Azure
 * allows, so suggestions are shortened to at most 24 (the prefix gives way first).
 */
export function suggestVaultNames(options: SuggestVaultNamesOptions): VaultNameSuggestion {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/-{2,}/g, "-").replace(/^-+|-+$/g, "");
  const geo = options.geo ? clean(options.geo).slice(0, 6).replace(/-+$/, "") : "";
  const tail = [workloadCodes[options.workload], geo].filter(Boolean).join("-");
  let prefix = clean(options.prefix).replace(/^[^a-z]+/, "");
  if (!prefix) prefix = "ck";
  const fixed = tail.length + "-a1".length + 1;
  prefix = prefix.slice(0, Math.max(1, VAULT_NAME_MAX_LENGTH - fixed)).replace(/-+$/, "");
  const make = (letter: string) => `${prefix}-${tail}-${letter}1`;
  return { primary: make("a"), secondary: make("b") };
}

/** Key Vault's DNS suffix in the clouds whose Resource Manager host does not name it. */
const VAULT_SUFFIX_BY_ARM_HOST: Readonly<Record<string, string>> = {
  "management.azure.com": "vault.azure.net",
  "management.usgovcloudapi.net": "vault.usgovcloudapi.net",
  "management.chinacloudapi.cn": "vault.azure.cn",
};

/**
 * The URL a vault named `vaultName` gets in the cloud whose Resource Manager is `resourceManagerEndpoint`
 * (vault DNS names are global), for plans that name vaults not made yet. Another `management.<host>`
 * maps to `vault.<host>` (with its port); anything else to the public cloud's suffix.
 */
export function plannedVaultUrl(resourceManagerEndpoint: string, vaultName: string): string {
  const arm = new URL(resourceManagerEndpoint);
  const host = arm.hostname.toLowerCase();
  const suffix = VAULT_SUFFIX_BY_ARM_HOST[host] ?? (host.startsWith("management.") ? `vault.${host.slice("management.".length)}${arm.port ? `:${arm.port}` : ""}` : "vault.azure.net");
  return `https://${vaultName.toLowerCase()}.${suffix}`;
}
