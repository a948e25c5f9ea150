/** The sample configuration `customer-key init` writes: the onboarding configuration, commented (YAML). */

/** Where the published JSON Schema is once customer-key is installed (editors complete the file from it). */
export const SCHEMA_PATH = "./node_modules/customer-key/schema/customer-key.config.schema.json";

export const SAMPLE_CONFIG_YAML = `# yaml-language-server: $schema=${SCHEMA_PATH}
# customer-key onboarding configuration. Check it with \`customer-key plan\`, run it with
# \`customer-key apply\`; \`validate\`, \`status\`, \`backup\` and \`roll\` read it too.
# Replace every 00000000-… id with yours (Entra admin centre → Overview → Tenant ID;
# \`az account list -o table\` for the subscriptions).

$schema: ${SCHEMA_PATH}

# The Entra tenant (directory) id of your Microsoft 365 tenant, a GUID.
tenantId: 00000000-0000-0000-0000-000000000000

# Two subscriptions: each vault pair has one vault in each (Microsoft requires two).
subscriptions:
  primary: 00000000-0000-0000-0000-000000000001
  secondary: 00000000-0000-0000-0000-000000000002

# Key-vault administrators (UPN or object id). None of them gets delete or purge.
administrators:
  - admin@contoso.onmicrosoft.com

# accessPolicy or rbac.
permissionModel: accessPolicy

# Root keys: RSA 2048, 3072 or 4096 bits, HSM-protected (premium vaults).
keys:
  size: 3072
  protection: hsm

# Every key version is backed up to each directory: keep one copy online and one offline.
backups:
  directories:
    - ./backups
    - /mnt/offline/customer-key-backups

# One vault pair per workload, in two regions that are not an Azure region pair.
# Vault names: 3-24 letters, digits and single hyphens, unique in Azure.
vaultPairs:
  exchange:
    primary: { resourceGroup: rg-customer-key-a, location: westeurope, vaultName: contoso-exo-eu-a1 }
    secondary: { resourceGroup: rg-customer-key-b, location: swedencentral, vaultName: contoso-exo-eu-b1 }
    keyName: exo-root
  sharePoint:
    primary: { resourceGroup: rg-customer-key-a, location: westeurope, vaultName: contoso-spo-eu-a1 }
    secondary: { resourceGroup: rg-customer-key-b, location: swedencentral, vaultName: contoso-spo-eu-b1 }
    keyName: spo-root

policies:
  # Exchange mailbox data encryption policies (at most 50; names without spaces).
  exchange:
    - name: EU_mailboxes
      description: EU mailboxes under our keys
      vaultPair: exchange
      # { list: [a@contoso.com, …] }, { file: mailboxes.txt } (one per line), or:
      mailboxes: { allWithoutPolicy: true }
      # A listed mailbox with another policy is refused; reassignFrom: [Old_policy] moves it.
  # SharePoint Online, OneDrive and Teams files: one policy per geo (no geo: the default geo).
  sharePoint:
    - vaultPair: sharePoint
  # The multi-workload policy (Teams, Viva, Purview …), assigned to the tenant.
  # multiWorkload: { name: Tenant_default, vaultPair: multiWorkload, assign: true }

# Set to true once Microsoft has your onboarding request (New-CustomerKeyOnboardingRequest
# with the key URIs that \`apply\` prints); policies wait for it.
microsoft:
  onboardingRequestSubmitted: false
`;
