/**
 * The reads behind a DEP's key rules: each vault located through Resource Manager (the two must be
 * in two subscriptions), each key read from its vault (live, enabled, meeting the key rules).
 * Shared by the Exchange and multi-workload policies.
 */
import { PreconditionFailedError } from "../errors.js";
import { getKeyOrUndefined } from "../azure/key-vault-reads.js";
import { locateVault, type LocatedVault } from "../azure/vault-locator.js";
import type { ClientContext } from "../internal/context.js";
import type { OperationOptions } from "../internal/operation.js";
import { policyKeyProblems, type PolicyKeyUri } from "../rules/data-encryption-policy.js";
import { toRootKeyInfo } from "../rules/key-rules.js";

/** Checks both keys of a policy; throws a PreconditionFailedError naming the key and what is wrong. */
export async function checkPolicyKeys(context: ClientContext, keys: readonly [PolicyKeyUri, PolicyKeyUri], options: OperationOptions): Promise<[LocatedVault, LocatedVault]> {
  const signal = options.abortSignal ? { abortSignal: options.abortSignal } : {};
  const located: LocatedVault[] = [];
  for (const key of keys) {
    const vault = await locateVault(context, key.vaultUrl, signal);
    if (!vault) {
      throw new PreconditionFailedError("ERR_POLICY_KEY_UNUSABLE", `No subscription you can read holds the vault ${key.vaultUrl} of key '${key.uri}': check the URI, or grant yourself Reader on the vault's subscription.`);
    }
    located.push(vault);
  }
  const [a, b] = located as [LocatedVault, LocatedVault];
  if (a.subscriptionId === b.subscriptionId) {
    throw new PreconditionFailedError(
      "ERR_POLICY_SUBSCRIPTIONS_NOT_DISTINCT",
      `Both vaults (${a.vaultName}, ${b.vaultName}) are in subscription ${a.subscriptionId}; Customer Key needs the two vaults in two different subscriptions.`,
    );
  }
  for (const key of keys) {
    const found = await getKeyOrUndefined(context, key.vaultUrl, key.name, { ...signal, ...(key.version ? { version: key.version } : {}) });
    if (!found) throw new PreconditionFailedError("ERR_POLICY_KEY_UNUSABLE", `Key '${key.uri}' does not exist (or is deleted) in ${key.vaultUrl}.`);
    const problems = policyKeyProblems(toRootKeyInfo(found));
    if (problems.length > 0) throw new PreconditionFailedError("ERR_POLICY_KEY_UNUSABLE", `Key '${key.uri}' cannot back a data encryption policy: ${problems.join("; ")}.`);
  }
  return [a, b];
}
