/** Set-up shared by the keys, backups, validation and root-key tests: a context and a ready vault pair. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { ResourceManagementClient } from "@azure/arm-resources";
import { KeyClient } from "@azure/keyvault-keys";
import type { Emulator } from "../../src/emulator/index.js";
import type { BackupsClient } from "../../src/backups/backups-client.js";
import { wireModules, type ClientModules } from "../../src/client.js";
import { ClientContext, type CustomerKeyClientOptions } from "../../src/internal/context.js";
import type { KeysClient } from "../../src/keys/keys-client.js";
import type { ValidateOptions, ValidationInput } from "../../src/preflight/types.js";
import type { PreflightReport } from "../../src/preflight/report.js";
import type { VaultPairSpec } from "../../src/rules/vault-pair-spec.js";
import { clientFor, pairSpec } from "./client-fixtures.js";

export function contextFor(emulator: Emulator, principal = emulator.admin.userPrincipalName, extra: Partial<CustomerKeyClientOptions> = {}): ClientContext {
  return new ClientContext(emulator.credentialFor(principal), {
    tenantId: emulator.tenantId,
    endpoints: { resourceManager: emulator.endpoints.resourceManager, graph: emulator.endpoints.graph },
    ...emulator.clientOptions(),
    pollIntervalInMs: 20,
    retry: { retryDelayInMs: 10, maxRetries: 2 },
    ...extra,
  });
}

export interface Modules {
  context: ClientContext;
  keys: KeysClient;
  backups: BackupsClient;
}

const wired = new WeakMap<ClientContext, ClientModules>();

/** The preflight report on a context, wired as the facade wires it (one set of shared readers per context). */
export function validate(context: ClientContext, target: ValidationInput, options?: ValidateOptions): Promise<PreflightReport> {
  let modules = wired.get(context);
  if (!modules) wired.set(context, (modules = wireModules(context)));
  return modules.validate(target, options);
}

export function modulesFor(emulator: Emulator, principal?: string, extra?: Partial<CustomerKeyClientOptions>): Modules {
  const context = contextFor(emulator, principal, extra);
  const modules = wireModules(context);
  wired.set(context, modules);
  return { context, keys: modules.keys, backups: modules.backups };
}

/** Plans and applies an Exchange vault pair (premium, soft delete 90, purge protection, SP access). */
export async function createPair(emulator: Emulator, overrides: Partial<VaultPairSpec> = {}): Promise<VaultPairSpec> {
  const client = clientFor(emulator);
  const spec = pairSpec(emulator, overrides);
  const plan = await client.vaultPairs.plan(spec);
  if (plan.problems.length > 0) throw new Error(`plan problems: ${JSON.stringify(plan.problems)}`);
  await client.vaultPairs.beginApply(plan);
  return spec;
}

export const vaultRefOf = (member: VaultPairSpec["primary"]) => ({ subscriptionId: member.subscriptionId, resourceGroup: member.resourceGroup, vaultName: member.vaultName });

export function tempDir(prefix = "ck-backups-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

function armClients(emulator: Emulator, subscriptionId: string) {
  const credential = emulator.credentialFor(emulator.admin.userPrincipalName);
  const kvm = new KeyVaultManagementClient(credential, subscriptionId, {
    endpoint: emulator.endpoints.resourceManager,
    credentials: { scopes: ["https://management.azure.com/.default"] },
    ...emulator.clientOptions(),
  });
  const resources = new ResourceManagementClient(credential, subscriptionId, {
    endpoint: emulator.endpoints.resourceManager,
    credentialScopes: ["https://management.azure.com/.default"],
    ...emulator.clientOptions(),
  });
  return { kvm, resources };
}

/** Adds key permissions for a principal through ARM (Vaults_UpdateAccessPolicy, kind add). */
export async function grantKeyPermissions(emulator: Emulator, member: { subscriptionId: string; resourceGroup: string; vaultName: string }, objectId: string, keys: string[]): Promise<void> {
  const { kvm } = armClients(emulator, member.subscriptionId);
  await kvm.vaults.updateAccessPolicy(member.resourceGroup, member.vaultName, "add", {
    properties: { accessPolicies: [{ tenantId: emulator.tenantId, objectId, permissions: { keys: keys as never } }] },
  });
}

/** A vault made with the real ARM client, outside any pair; the admin gets every key permission. */
export async function createVault(
  emulator: Emulator,
  options: { subscriptionId: string; resourceGroup: string; location: string; name: string; purgeProtection?: boolean; sku?: "premium" | "standard" },
) {
  const { kvm, resources } = armClients(emulator, options.subscriptionId);
  await resources.resourceGroups.createOrUpdate(options.resourceGroup, { location: options.location });
  const vault = await kvm.vaults.createOrUpdate(options.resourceGroup, options.name, {
    location: options.location,
    properties: {
      tenantId: emulator.tenantId,
      sku: { family: "A", name: options.sku ?? "premium" },
      enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
      ...(options.purgeProtection === false ? {} : { enablePurgeProtection: true }),
      accessPolicies: [
        {
          tenantId: emulator.tenantId,
          objectId: emulator.admin.objectId,
          permissions: { keys: ["all"] as never },
        },
      ],
    },
  }, { updateIntervalInMs: 20 } as never);
  return { vaultUrl: vault.properties?.vaultUri?.replace(/\/+$/, "") ?? emulator.endpoints.vaultUrl(options.name), ref: { subscriptionId: options.subscriptionId, resourceGroup: options.resourceGroup, vaultName: options.name } };
}

/** A plain KeyClient of the admin, for breaking things the SDK never does (delete, purge, expiry). */
export function rawKeyClient(emulator: Emulator, vaultUrl: string, principal = emulator.admin.userPrincipalName): KeyClient {
  return new KeyClient(vaultUrl, emulator.credentialFor(principal), emulator.clientOptions());
}

