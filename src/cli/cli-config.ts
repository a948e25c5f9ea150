/**
 * The CLI's configuration file (`--config`, default ./customer-key.config.json) until the SDK's
 * onboarding configuration replaces it: the vault pairs to validate, back up and report on, and
 * where backups go. Checked before any request; every error names its path in the file.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { ValidationTarget } from "../index.js";
import { CliError } from "./cli-error.js";

export interface CliConfig {
  /** One or more backup directories (copies online and offline). */
  backupDirectories: string[];
  vaultPairs: ValidationTarget[];
}

export const DEFAULT_CONFIG_FILE = "customer-key.config.json";
const WORKLOADS = ["exchange", "sharePoint", "multiWorkload"];

export function loadCliConfig(file: string = DEFAULT_CONFIG_FILE): CliConfig {
  const invalid = (where: string, message: string, fix: string) => new CliError("ERR_CLI_CONFIG_INVALID", `${file}: ${where}: ${message}`, fix);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    throw invalid("(file)", missing ? "not found" : "not valid JSON", missing ? "Write one with `customer-key init`, or pass --config <file>." : "Fix the JSON syntax.");
  }
  const config = raw as Partial<CliConfig>;
  if (typeof raw !== "object" || raw === null || !Array.isArray(config.vaultPairs)) {
    throw invalid("vaultPairs", "missing or not a list", "Add \"vaultPairs\": [{ \"workload\": …, \"primary\": …, \"secondary\": … }] (see `customer-key init`).");
  }
  const known = new Set(["$schema", "backupDirectories", "vaultPairs"]);
  for (const key of Object.keys(raw)) if (!known.has(key)) throw invalid(key, "unknown field", `Remove it; the fields are ${[...known].join(", ")}.`);
  const dirs = config.backupDirectories ?? [];
  if (!Array.isArray(dirs) || dirs.some((d) => typeof d !== "string" || !d)) throw invalid("backupDirectories", "must be a list of directory paths", "Write e.g. [\"./backups\", \"/mnt/offline/backups\"].");
  config.vaultPairs.forEach((pair, i) => {
    const at = `vaultPairs[${i}]`;
    if (!WORKLOADS.includes(pair?.workload)) throw invalid(`${at}.workload`, `must be one of ${WORKLOADS.join(", ")}`, "Name the workload the pair serves.");
    for (const member of ["primary", "secondary"] as const) {
      const vault = pair[member];
      if (typeof vault?.subscriptionId !== "string" || typeof vault?.vaultName !== "string") {
        throw invalid(`${at}.${member}`, "needs subscriptionId and vaultName (and keyName for the key checks)", "Fill them in from the vault's resource id.");
      }
    }
  });
  const base = path.dirname(path.resolve(file));
  return { backupDirectories: dirs.map((d) => path.resolve(base, d)), vaultPairs: config.vaultPairs };
}

/** Versionless key URIs the configuration names, looked up by the caller (`client.keys.getKeyUri`). */
export function configuredKeys(config: CliConfig): { vault: { subscriptionId: string; resourceGroup?: string; vaultName: string }; keyName: string; workload: string }[] {
  return config.vaultPairs.flatMap((pair) =>
    [pair.primary, pair.secondary].filter((v) => v.keyName).map((v) => ({ vault: { subscriptionId: v.subscriptionId, ...(v.resourceGroup ? { resourceGroup: v.resourceGroup } : {}), vaultName: v.vaultName }, keyName: v.keyName!, workload: pair.workload })),
  );
}
