/**
 * The demo's read-only "customer-key-reporter" application: what status and the preflight reports
 * run as. Graph's sites/getAllSites (the site count) answers only an application holding the
 * Sites.Read.All application permission, never a signed-in administrator, so the reports need an
 * application; it gets only the reads they make, as the emulator enforces them.
 */
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { BUILT_IN_ROLES, type Emulator } from "../emulator/index.js";
import { CustomerKeyClient, type CustomerKeyClientOptions } from "../index.js";
import type { CliConfig } from "./cli-config.js";

export interface DemoReporter {
  /** A client signed in as the application (client credentials). */
  client: CustomerKeyClient;
  appId: string;
  objectId: string;
  /** What it was given, one line each, for the demo's note. */
  rights: string[];
}

/**
 * Registers the reporter in the emulated tenant (its directory part is the emulator's: in Entra an
 * administrator creates the app and consents Sites.Read.All once) and gives it read rights on the
 * configured vaults through ARM as the seeded administrator would (`az role assignment create
 * --role Reader`, `az keyvault set-policy --key-permissions get list`). Idempotent by display name.
 */
export async function registerDemoReporter(emulator: Emulator, config: CliConfig, abortSignal?: AbortSignal, retry?: CustomerKeyClientOptions["retry"]): Promise<DemoReporter> {
  const name = "customer-key-reporter";
  const sp = emulator.directory.servicePrincipals.find((p) => p.displayName === name) ?? emulator.directory.createServicePrincipal({ displayName: name });
  emulator.directory.grantApplicationPermission(sp.objectId, "Sites.Read.All");
  // Global Reader: the reads of the Exchange and SharePoint admin APIs, none of their changes.
  emulator.directory.assignDirectoryRole(sp.objectId, "Global Reader");
  const vaults = config.vaultPairs.flatMap((pair) => [pair.primary, pair.secondary]);
  const subscriptions = [...new Set(vaults.map((v) => v.subscriptionId))];
  for (const subscriptionId of subscriptions) emulator.assignRole({ scope: `/subscriptions/${subscriptionId}`, roleId: BUILT_IN_ROLES.reader.id, principalId: sp.objectId });
  const credential = emulator.credential();
  for (const subscriptionId of subscriptions) {
    const arm = new KeyVaultManagementClient(credential, subscriptionId, { endpoint: emulator.endpoints.resourceManager, credentials: { scopes: ["https://management.azure.com/.default"] }, ...emulator.clientOptions(), ...(retry ? { retryOptions: retry } : {}) });
    for (const vault of vaults.filter((v) => v.subscriptionId === subscriptionId)) {
      await arm.vaults.updateAccessPolicy(
        vault.resourceGroup!,
        vault.vaultName,
        "add",
        { properties: { accessPolicies: [{ tenantId: emulator.tenantId, objectId: sp.objectId, permissions: { keys: ["get", "list"] } }] } },
        abortSignal ? { abortSignal } : {},
      );
    }
  }
  const client = new CustomerKeyClient(emulator.credentialFor(sp.appId), { ...emulator.customerKeyClientOptions(), pollIntervalInMs: 10, ...(retry ? { retry } : {}) });
  return {
    client,
    appId: sp.appId,
    objectId: sp.objectId,
    rights: [
      `Reader on the ${subscriptions.length} subscriptions`,
      `keys get and list on the ${vaults.length} vaults`,
      "the Global Reader directory role",
      "Graph's Sites.Read.All application permission",
    ],
  };
}
