/** Real Azure SDK management clients wired to an emulator, as the SDK itself will wire them. */
import type { TokenCredential } from "@azure/core-auth";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { FeatureClient } from "@azure/arm-features";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { ResourceManagementClient } from "@azure/arm-resources";
import type { Emulator } from "../../../src/emulator/index.js";

const scope = "https://management.azure.com/.default";

export function armClients(emulator: Emulator, credential: TokenCredential, subscriptionId: string) {
  const endpoint = emulator.endpoints.resourceManager;
  const classic = { endpoint, credentialScopes: [scope], ...emulator.clientOptions() };
  return {
    resources: new ResourceManagementClient(credential, subscriptionId, classic),
    features: new FeatureClient(credential, subscriptionId, classic),
    authorization: new AuthorizationManagementClient(credential, subscriptionId, classic),
    keyVault: new KeyVaultManagementClient(credential, subscriptionId, { endpoint, credentials: { scopes: [scope] }, ...emulator.clientOptions() }),
  };
}

/** Vault properties for a new vault in the emulated tenant. */
export function vaultParameters(emulator: Emulator, overrides: Record<string, unknown> = {}, location = "westeurope") {
  return {
    location,
    properties: {
      tenantId: emulator.tenantId,
      sku: { family: "A" as const, name: "premium" as const },
      accessPolicies: [],
      enablePurgeProtection: true,
      ...overrides,
    },
  };
}
