/**
 * The configuration file of every command (`--config`): the SDK's onboarding configuration
 * (`loadOnboardingConfig`: JSON or YAML, checked with its schema, errors with their path in the
 * file), seen here as the vault pairs to validate, back up and report on, and the backup directories.
 */
import { existsSync } from "node:fs";
import { loadOnboardingConfig, type OnboardingConfig, type ValidationTarget } from "../index.js";

export interface CliConfig {
  onboarding: OnboardingConfig;
  tenantId: string;
  /** Two or more backup directories (copies online and offline), absolute. */
  backupDirectories: string[];
  vaultPairs: ValidationTarget[];
}

export const CONFIG_FILES = ["customer-key.config.json", "customer-key.config.yaml", "customer-key.config.yml"];

/** The default configuration file: the first of CONFIG_FILES that exists (else the JSON name, for the error). */
export function defaultConfigFile(): string {
  return CONFIG_FILES.find((f) => existsSync(f)) ?? CONFIG_FILES[0]!;
}

export async function loadCliConfig(file: string = defaultConfigFile()): Promise<CliConfig> {
  const onboarding = await loadOnboardingConfig(file);
  const { primary, secondary } = onboarding.subscriptions;
  const vaultPairs: ValidationTarget[] = [];
  for (const workload of ["exchange", "sharePoint", "multiWorkload"] as const) {
    const pair = onboarding.vaultPairs[workload];
    if (!pair) continue;
    vaultPairs.push({
      workload,
      primary: { subscriptionId: primary, resourceGroup: pair.primary.resourceGroup, vaultName: pair.primary.vaultName, keyName: pair.keyName },
      secondary: { subscriptionId: secondary, resourceGroup: pair.secondary.resourceGroup, vaultName: pair.secondary.vaultName, keyName: pair.keyName },
      ...(pair.allowPairedRegions ? { allowPairedRegions: true } : {}),
    });
  }
  return { onboarding, tenantId: onboarding.tenantId, backupDirectories: onboarding.backups.directories, vaultPairs };
}

/** The root keys the configuration names: each vault of each pair. */
export function configuredKeys(config: CliConfig): { vault: { subscriptionId: string; resourceGroup?: string; vaultName: string }; keyName: string; workload: string }[] {
  return config.vaultPairs.flatMap((pair) =>
    [pair.primary, pair.secondary].map((v) => ({ vault: { subscriptionId: v.subscriptionId, ...(v.resourceGroup ? { resourceGroup: v.resourceGroup } : {}), vaultName: v.vaultName }, keyName: v.keyName!, workload: pair.workload })),
  );
}
