import type { TokenCredential } from "@azure/core-auth";
import { CryptographyClient, KeyClient } from "@azure/keyvault-keys";
import type { Emulator } from "../../../src/emulator/index.js";
import type { AccessPolicyEntry, VaultRecord } from "../../../src/emulator/arm/model.js";

export interface TestVaultOptions {
  name: string;
  subscriptionId?: string;
  resourceGroup?: string;
  location?: string;
  sku?: "standard" | "premium";
  /** Soft-delete retention in days; 0 turns soft delete off. Default 90. */
  retentionDays?: number;
  purgeProtection?: boolean;
  rbac?: boolean;
  /** Object ids (or `{objectId, keys}`) granted key permissions; default: the admin with `all`. */
  accessPolicies?: Array<{ objectId: string; keys: string[]; applicationId?: string }>;
}

const ALL_KEY_PERMISSIONS = ["all"];

/**
 * Writes a vault record straight into the emulator's ARM state, as the ARM service would after
 * `Vaults_CreateOrUpdate`: keys tests do not depend on the ARM plane.
 */
export function createTestVault(emulator: Emulator, options: TestVaultOptions): VaultRecord {
  const subscriptionId = options.subscriptionId ?? emulator.subscriptionIds[0]!;
  const retention = options.retentionDays ?? 90;
  const now = emulator.clock.now().toISOString();
  const policies: AccessPolicyEntry[] = (options.accessPolicies ?? [{ objectId: emulator.admin.objectId, keys: ALL_KEY_PERMISSIONS }]).map((p) => ({
    tenantId: emulator.tenantId,
    objectId: p.objectId,
    ...(p.applicationId ? { applicationId: p.applicationId } : {}),
    permissions: { keys: p.keys },
  }));
  const record: VaultRecord = {
    name: options.name,
    subscriptionId,
    resourceGroup: options.resourceGroup ?? "rg-keys",
    location: options.location ?? "westeurope",
    tags: {},
    properties: {
      tenantId: emulator.tenantId,
      sku: { family: "A", name: options.sku ?? "standard" },
      accessPolicies: policies,
      vaultUri: `${emulator.endpoints.vaultUrl(options.name)}/`,
      enabledForDeployment: false,
      enabledForDiskEncryption: false,
      enabledForTemplateDeployment: false,
      enableSoftDelete: retention > 0,
      softDeleteRetentionInDays: retention > 0 ? retention : 90,
      ...(options.purgeProtection ? { enablePurgeProtection: true } : {}),
      enableRbacAuthorization: options.rbac ?? false,
      provisioningState: "Succeeded",
      publicNetworkAccess: "Enabled",
    },
    createdAt: now,
    createdBy: emulator.admin.userPrincipalName,
    lastModifiedAt: now,
    lastModifiedBy: emulator.admin.userPrincipalName,
  };
  emulator.withLiveState((s) => (s.arm.vaults[options.name.toLowerCase()] = record));
  return record;
}

/** Adds (or extends) an access policy on a test vault. */
export function grantKeys(emulator: Emulator, vaultName: string, objectId: string, keys: string[]): void {
  const vault = emulator.withLiveState((s) => s.arm.vaults[vaultName.toLowerCase()]!);
  const entry = vault.properties.accessPolicies.find((p) => p.objectId === objectId && !p.applicationId);
  if (entry) entry.permissions.keys = [...new Set([...(entry.permissions.keys ?? []), ...keys])];
  else vault.properties.accessPolicies.push({ tenantId: emulator.tenantId, objectId, permissions: { keys } });
  emulator.withLiveState(() => undefined);
}

/** A KeyClient on a vault of the emulator, with no challenge-verification switch: the emulator's challenge passes as is. */
export function keyClient(emulator: Emulator, vaultName: string, credential?: TokenCredential): KeyClient {
  return new KeyClient(emulator.endpoints.vaultUrl(vaultName), credential ?? emulator.credentialFor(emulator.admin.userPrincipalName), {
    ...emulator.clientOptions(),
    retryOptions: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
  });
}

/** A CryptographyClient for a key id (remote for anything the SDK does not do locally). */
export function cryptoClient(emulator: Emulator, keyId: string, credential?: TokenCredential): CryptographyClient {
  return new CryptographyClient(keyId, credential ?? emulator.credentialFor(emulator.admin.userPrincipalName), {
    ...emulator.clientOptions(),
    retryOptions: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
  });
}
