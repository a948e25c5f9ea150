/**
 * What access a workload's service principal still has to the vaults of some key URIs: the vault's
 * access policy entry (access-policy vaults) or its role assignments at or above the vault (RBAC
 * vaults), read through Resource Manager. Used before a purge request, which needs none left.
 */
import type { ClientContext } from "../internal/context.js";
import { parsePolicyKeyUri } from "../rules/data-encryption-policy.js";
import { vaultId, type VaultArm } from "./arm-vaults.js";
import type { GraphDirectory } from "./graph-directory.js";
import { locateVault } from "./vault-locator.js";

/** Each access that remains, as a sentence naming the vault and the permissions or role; empty when none. */
export async function remainingWorkloadAccess(
  context: ClientContext,
  arm: VaultArm,
  graph: GraphDirectory,
  appId: string,
  keyUris: readonly string[],
  options: { abortSignal?: AbortSignal } = {},
): Promise<string[]> {
  const principal = await graph.findServicePrincipalByAppId(appId, options);
  if (!principal) return [];
  const remaining: string[] = [];
  const vaultUrls = [...new Set(keyUris.map((u) => parsePolicyKeyUri(u)?.vaultUrl).filter((u): u is string => u !== undefined))];
  for (const url of vaultUrls) {
    const located = await locateVault(context, url, options);
    if (!located) {
      remaining.push(`vault ${url} could not be read (no visible subscription holds it), so its access cannot be shown to be gone`);
      continue;
    }
    const coordinates = { subscriptionId: located.subscriptionId, resourceGroup: located.resourceGroup, vaultName: located.vaultName };
    const vault = (await arm.getVault(coordinates, options)) ?? located.vault;
    const props = vault.properties;
    if (props?.enableRbacAuthorization) {
      const assignments = await arm.listRoleAssignments(located.subscriptionId, vaultId(coordinates), options);
      for (const a of assignments.filter((x) => x.principalId?.toLowerCase() === principal.objectId.toLowerCase())) {
        remaining.push(`vault ${located.vaultName}: role assignment ${a.roleDefinitionId?.split("/").at(-1)} at ${a.scope}`);
      }
    } else {
      for (const entry of props?.accessPolicies ?? []) {
        if (entry.objectId?.toLowerCase() !== principal.objectId.toLowerCase()) continue;
        const keys = entry.permissions?.keys ?? [];
        if (keys.length > 0) remaining.push(`vault ${located.vaultName}: access policy with key permissions ${keys.join(", ")}`);
      }
    }
  }
  return remaining;
}
