import { randomUUID } from "node:crypto";
import type { EmulatorCore } from "../kernel/core.js";
import { parseKeyUri } from "../keyvault/service-principal-crypto.js";
import { exoErrors } from "./errors.js";
import { createPolicyKey, firstKeyRefusal, rewrapPolicyKey, workloadDisplayName, workloadPrincipal, type Workload } from "./key-hierarchy.js";
import { exchangeState, type DataEncryptionPolicyRecord } from "./model.js";
import { policyDn } from "./shapes.js";

/** The rules both kinds of DEP follow (research m365-endpoints §2.4); every error text here is INVENTED. */

export const MAX_MAILBOX_POLICIES = 50;

export type PolicyKind = "mailbox" | "m365";
export const workloadOf = (kind: PolicyKind): Workload => (kind === "mailbox" ? "exchange" : "dataAtRest");

export function policiesOf(core: EmulatorCore, kind: PolicyKind): Record<string, DataEncryptionPolicyRecord> {
  const state = exchangeState(core);
  return kind === "mailbox" ? state.policies : state.m365Policies;
}

/** A DEP by Name (case-insensitive), DN or GUID. */
export function findPolicy(core: EmulatorCore, kind: PolicyKind, identity: string): DataEncryptionPolicyRecord | undefined {
  const id = identity.trim().toLowerCase().replace(/^\{|\}$/g, "");
  const all = Object.values(policiesOf(core, kind));
  return all.find((p) => p.guid === id) ?? all.find((p) => p.name.toLowerCase() === id) ?? all.find((p) => policyDn(p, core.directory.defaultDomain, kind).toLowerCase() === id);
}

export function requirePolicy(core: EmulatorCore, kind: PolicyKind, identity: string): DataEncryptionPolicyRecord {
  const found = findPolicy(core, kind, identity);
  if (!found) throw exoErrors.objectNotFound(identity);
  return found;
}

/** Exactly two key URIs, each a Key Vault key id, in two different vaults. */
export function checkKeyUris(uris: readonly string[]): void {
  if (uris.length !== 2) {
    throw exoErrors.invalidArgument("ExA7C3E1", `AzureKeyIDs must contain exactly two Azure Key Vault key URIs; ${uris.length} were given.`);
  }
  const parsed = uris.map((uri) => {
    const p = parseKeyUri(uri);
    if (!p) throw exoErrors.invalidArgument("ExA7C3E2", `'${uri}' is not a valid Azure Key Vault key URI.`);
    return p;
  });
  if (parsed[0]!.vault === parsed[1]!.vault) {
    throw exoErrors.invalidArgument("ExA7C3E3", `The two Azure Key Vault keys must be in two different key vaults; both are in '${parsed[0]!.vault}'.`);
  }
}

/** Each key reachable by the workload's principal with get, wrapKey and unwrapKey, or the service's refusal naming the key. */
export function checkKeysReachable(core: EmulatorCore, kind: PolicyKind, uris: readonly string[]): void {
  const workload = workloadOf(kind);
  if (!workloadPrincipal(core, workload)) {
    throw exoErrors.invalidOperation("ExA7C3E4", `The service principal '${workloadDisplayName(workload)}' doesn't exist in the tenant, so it can't access the Azure Key Vault keys.`);
  }
  const refusal = firstKeyRefusal(core, workload, uris);
  if (refusal) {
    throw exoErrors.invalidOperation(
      "ExA7C3E5",
      `The Azure Key Vault key '${refusal.keyUri}' can't be accessed by '${workloadDisplayName(workload)}'. Key Vault returned ${refusal.error.status} ${refusal.error.code}${refusal.error.innerCode ? ` (${refusal.error.innerCode})` : ""}: ${refusal.error.message}`,
    );
  }
}

export async function createPolicy(core: EmulatorCore, kind: PolicyKind, input: { name: string; keyUris: string[]; description?: string; enabled?: boolean }): Promise<DataEncryptionPolicyRecord> {
  const all = policiesOf(core, kind);
  if (input.name.trim() === "" || input.name.length > 64) throw exoErrors.invalidArgument("ExA7C3E6", "The Name must be 1 to 64 characters long.");
  const existing = findPolicy(core, kind, input.name);
  if (existing) throw exoErrors.alreadyExists(policyDn(existing, core.directory.defaultDomain, kind));
  if (kind === "mailbox" && Object.keys(all).length >= MAX_MAILBOX_POLICIES) {
    throw exoErrors.invalidOperation("ExA7C3E7", `The maximum number of data encryption policies (${MAX_MAILBOX_POLICIES}) has been reached for this organization.`);
  }
  checkKeyUris(input.keyUris);
  checkKeysReachable(core, kind, input.keyUris);
  const guid = randomUUID();
  const key = await createPolicyKey(core, workloadOf(kind), guid, input.keyUris);
  const now = core.clock.now().toISOString();
  const policy: DataEncryptionPolicyRecord = {
    guid,
    name: input.name,
    description: input.description ?? "",
    enabled: input.enabled ?? true,
    azureKeyIds: [...input.keyUris],
    ...key,
    state: "PendingActivation",
    whenCreated: now,
    whenChanged: now,
  };
  all[guid] = policy;
  core.changed();
  return policy;
}

/** `-Refresh`: rewraps the DEP key under the newest key versions (mailbox keys untouched). */
export async function refreshPolicy(core: EmulatorCore, kind: PolicyKind, policy: DataEncryptionPolicyRecord): Promise<void> {
  checkKeysReachable(core, kind, policy.azureKeyIds);
  policy.envelope = await rewrapPolicyKey(core, workloadOf(kind), policy, policy.azureKeyIds);
  touch(core, policy);
}

/** `-Replace -AzureKeyIDs`: rewraps the same DEP key under two other keys. */
export async function replacePolicyKeys(core: EmulatorCore, kind: PolicyKind, policy: DataEncryptionPolicyRecord, keyUris: string[]): Promise<void> {
  checkKeyUris(keyUris);
  checkKeysReachable(core, kind, keyUris);
  policy.envelope = await rewrapPolicyKey(core, workloadOf(kind), policy, keyUris);
  policy.azureKeyIds = [...keyUris];
  touch(core, policy);
}

export function touch(core: EmulatorCore, policy: DataEncryptionPolicyRecord): void {
  policy.whenChanged = core.clock.now().toISOString();
  core.changed();
}

/** A DEP that can no longer be assigned: purge requested or disabled. */
export function refuseUnassignable(policy: DataEncryptionPolicyRecord): void {
  if (policy.purge) {
    throw exoErrors.invalidOperation("ExA7C3E8", `The data encryption policy '${policy.name}' can't be assigned because a permanent data purge has been requested for it.`);
  }
  if (!policy.enabled) throw exoErrors.invalidOperation("ExA7C3E9", `The data encryption policy '${policy.name}' is disabled and can't be assigned.`);
}
