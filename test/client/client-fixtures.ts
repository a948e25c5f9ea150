/** Shared set-up of the client tests: a CustomerKeyClient wired to an emulator, and specs. */
import { randomBytes } from "node:crypto";
import type { Emulator } from "../../src/emulator/index.js";
import { CustomerKeyClient, type CustomerKeyClientOptions, type VaultPairSpec } from "../../src/index.js";

/** A client for a principal of the emulator (default: the seeded admin), fast polling and retries. */
export function clientFor(emulator: Emulator, principal = emulator.admin.userPrincipalName, extra: Partial<CustomerKeyClientOptions> = {}): CustomerKeyClient {
  return new CustomerKeyClient(emulator.credentialFor(principal), {
    tenantId: emulator.tenantId,
    endpoints: { resourceManager: emulator.endpoints.resourceManager, graph: emulator.endpoints.graph },
    ...emulator.clientOptions(),
    pollIntervalInMs: 20,
    retry: { retryDelayInMs: 10 },
    ...extra,
  });
}

/** A vault name not used before in this process (vault names are global). */
export function uniqueVaultName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

/** An Exchange pair spec over the emulator's two seeded subscriptions, westeurope + swedencentral. */
export function pairSpec(emulator: Emulator, overrides: Partial<VaultPairSpec> = {}): VaultPairSpec {
  const [a, b] = emulator.subscriptionIds;
  return {
    workload: "exchange",
    permissionModel: "accessPolicy",
    administrators: [emulator.admin.userPrincipalName],
    primary: { subscriptionId: a!, resourceGroup: "rg-ck-primary", location: "westeurope", vaultName: uniqueVaultName("ck-a") },
    secondary: { subscriptionId: b!, resourceGroup: "rg-ck-secondary", location: "swedencentral", vaultName: uniqueVaultName("ck-b") },
    ...overrides,
  };
}
