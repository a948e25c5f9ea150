/**
 * The demo's sample configuration: the file `customer-key init` writes (sample-config.ts), filled in
 * with the emulated tenant's ids, all three vault pairs and every policy, so the demo onboards the
 * way an administrator does (`plan --config`, then `apply`). And the one edit the administrator
 * makes by hand mid-way: marking Microsoft's onboarding request as submitted.
 */
import { readFile, writeFile } from "node:fs/promises";
import { parseDocument } from "yaml";
import { SCHEMA_PATH } from "./sample-config.js";

export interface DemoConfigValues {
  tenantId: string;
  subscriptions: { primary: string; secondary: string };
  administrator: string;
  /** Relative to the configuration file. */
  mailboxFile: string;
  /** The Exchange policy's name. */
  exchangePolicy: string;
}

const pair = (short: string) => `    primary: { resourceGroup: rg-customer-key-a, location: westeurope, vaultName: contoso-${short}-eu-a1 }
    secondary: { resourceGroup: rg-customer-key-b, location: swedencentral, vaultName: contoso-${short}-eu-b1 }
    keyName: ${short}-root`;

export function demoConfigYaml(v: DemoConfigValues): string {
  return `# yaml-language-server: $schema=${SCHEMA_PATH}
# The customer-key demo's configuration: the sample \`customer-key init\` writes, filled in with the
# emulated tenant. \`customer-key plan --config <this file>\` shows what it needs, \`apply\` makes it.

$schema: ${SCHEMA_PATH}

tenantId: ${v.tenantId}

# Two subscriptions: each vault pair has one vault in each.
subscriptions:
  primary: ${v.subscriptions.primary}
  secondary: ${v.subscriptions.secondary}

# Key-vault administrators. None of them gets delete or purge.
administrators:
  - ${v.administrator}

permissionModel: accessPolicy

keys:
  size: 3072
  protection: hsm

# Every key version is backed up to each directory (relative to this file): online and offline.
backups:
  directories:
    - ./backups-online
    - ./backups-offline

# One vault pair per workload, in two regions that are not an Azure region pair.
vaultPairs:
  exchange:
${pair("exo")}
  sharePoint:
${pair("spo")}
  multiWorkload:
${pair("m365")}

policies:
  exchange:
    - name: ${v.exchangePolicy}
      description: EU mailboxes under our keys
      vaultPair: exchange
      # One address per line.
      mailboxes: { file: ${v.mailboxFile} }
  sharePoint:
    - vaultPair: sharePoint
  multiWorkload: { name: Tenant_default, vaultPair: multiWorkload, assign: true }

# Set to true once Microsoft has your onboarding request (the key URIs \`apply\` prints).
microsoft:
  onboardingRequestSubmitted: false
`;
}

/** Sets `microsoft.onboardingRequestSubmitted: true` in a YAML configuration, keeping its comments. */
export async function markOnboardingRequestSubmitted(file: string): Promise<void> {
  const document = parseDocument(await readFile(file, "utf8"));
  document.setIn(["microsoft", "onboardingRequestSubmitted"], true);
  await writeFile(file, document.toString());
}
