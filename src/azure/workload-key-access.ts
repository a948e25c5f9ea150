/**
 * What access a workload's service principal still has to the vaults of some key URIs: the vault's
 * access policy entry (access-policy vaults) or its role assignments at or above the vault (RBAC
 * vaults), read through Resource Manager. Used before a purge request, which needs none left.
 */
import type { ClientContext } from "../internal/context.js";
import { parsePolicyKeyUri } from "../rules/data-encryption-policy.js";
import { actionMatches, KNOWN_ROLE_DATA_ACTIONS } from "../rules/access-model.js";
import { roleGuid, vaultId, type VaultArm } from "./arm-vaults.js";
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

/**
 * Whether a service principal (by object id) can unwrap with keys of a vault: its access policy
 * entry holds `unwrapKey` (access-policy vaults), or a role assignment at or above the vault grants
 * the unwrap data action by a built-in role (RBAC vaults). Returns the evidence.
 */
export async function principalCanUnwrap(
  arm: VaultArm,
  located: { subscriptionId: string; resourceGroup: string; vaultName: string; vault: { properties?: { enableRbacAuthorization?: boolean; accessPolicies?: { objectId?: string; permissions?: { keys?: string[] } }[] } } },
  principalObjectId: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<{ ok: boolean; evidence: string }> {
  const id = principalObjectId.toLowerCase();
  // Read afresh: the located vault may be cached from before an access change.
  const coordinates = { subscriptionId: located.subscriptionId, resourceGroup: located.resourceGroup, vaultName: located.vaultName };
  const props = ((await arm.getVault(coordinates, options)) ?? located.vault).properties;
  if (props?.enableRbacAuthorization) {
    const mine = (await arm.listRoleAssignments(located.subscriptionId, vaultId(coordinates), options)).filter((a) => a.principalId?.toLowerCase() === id);
    const granting = mine.map((a) => KNOWN_ROLE_DATA_ACTIONS[roleGuid(a.roleDefinitionId)]).filter((r) => r?.dataActions.some((d) => actionMatches(d, "Microsoft.KeyVault/vaults/keys/unwrap/action")));
    return granting.length > 0
      ? { ok: true, evidence: `${located.vaultName}: role ${granting[0]!.roleName}` }
      : { ok: false, evidence: `${located.vaultName}: no role assignment granting unwrap (${mine.length} assignment(s) of the principal)` };
  }
  const entry = (props?.accessPolicies ?? []).find((e) => e.objectId?.toLowerCase() === id);
  const keys = (entry?.permissions?.keys ?? []).map((k) => k.toLowerCase());
  return keys.includes("unwrapkey") || keys.includes("all")
    ? { ok: true, evidence: `${located.vaultName}: access policy with unwrapKey` }
    : { ok: false, evidence: `${located.vaultName}: ${entry ? `access policy without unwrapKey (${keys.join(", ") || "none"})` : "no access policy for the principal"}` };
}
