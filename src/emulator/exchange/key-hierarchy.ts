import { randomBytes } from "node:crypto";
import { LocalRootKey, open, rewrap, seal, type RootKey, type WrappedKey } from "../../envelope/index.js";
import type { EmulatorCore } from "../kernel/core.js";
import { MICROSOFT_365_APPS } from "../kernel/directory.js";
import { checkKeyAccess, KeyVaultAccessError, parseKeyUri, unwrapKeyAs, wrapKeyAs, SERVICE_WRAP_ALGORITHM } from "../keyvault/service-principal-crypto.js";
import type { DataEncryptionPolicyRecord } from "./model.js";

/**
 * The Customer Key hierarchy as Microsoft documents it, built on the envelope core: a DEP key
 * (the sealed body) is wrapped by both customer root keys — through the emulated Key Vault as the
 * workload's service principal — and by Microsoft's availability key; a mailbox key (the data key
 * of the mailbox's envelope) is wrapped by the DEP key. `rewrap` changes only the DEP key's
 * wrapping, so a refresh never touches mailbox keys.
 */

export type Workload = "exchange" | "dataAtRest";

const appIds: Record<Workload, string> = {
  exchange: MICROSOFT_365_APPS.exchangeOnline.appId,
  dataAtRest: MICROSOFT_365_APPS.dataAtRestEncryption.appId,
};

export const workloadDisplayName = (w: Workload) => (w === "exchange" ? MICROSOFT_365_APPS.exchangeOnline.displayName : MICROSOFT_365_APPS.dataAtRestEncryption.displayName);

/** The workload's service principal object id, or `undefined` when the tenant has none. */
export function workloadPrincipal(core: EmulatorCore, workload: Workload): string | undefined {
  return core.directory.findServicePrincipal(appIds[workload])?.objectId;
}

/** Port-independent, lower-case versionless id of a customer key: the envelope matches versions under it. */
export function rootKeyIdOf(keyUri: string): string | undefined {
  const parsed = parseKeyUri(keyUri);
  return parsed && `https://${parsed.vault}.vault.localhost/keys/${parsed.name.toLowerCase()}`;
}

/** A customer key used as the workload's service principal; records which key last unwrapped. */
class CustomerRootKey implements RootKey {
  constructor(
    private readonly core: EmulatorCore,
    private readonly principal: string,
    readonly id: string,
    private readonly used: (kid: string) => void = () => {},
  ) {}

  async wrapKey(dataKey: Uint8Array): Promise<WrappedKey> {
    const { kid, wrapped } = wrapKeyAs(this.core, { principalObjectId: this.principal, keyUri: this.id, plaintext: Buffer.from(dataKey) });
    const version = kid.slice(kid.lastIndexOf("/") + 1);
    return { keyId: `${this.id}/${version}`, algorithm: SERVICE_WRAP_ALGORITHM, encryptedKey: wrapped };
  }

  async unwrapKey(wrapped: WrappedKey): Promise<Uint8Array> {
    const key = unwrapKeyAs(this.core, { principalObjectId: this.principal, kid: wrapped.keyId, wrapped: Buffer.from(wrapped.encryptedKey) });
    this.used(wrapped.keyId);
    return key;
  }
}

const availabilityKeyOf = (policy: Pick<DataEncryptionPolicyRecord, "guid" | "availabilityKey">) =>
  LocalRootKey.fromJwk({ kty: "oct", k: policy.availabilityKey }, { id: `availability:${policy.guid}` });

const depRootKey = (policyGuid: string, depKey: Uint8Array) =>
  LocalRootKey.fromJwk({ kty: "oct", k: Buffer.from(depKey).toString("base64url") }, { id: `dep:${policyGuid}` });

function customerKeys(core: EmulatorCore, workload: Workload, keyUris: readonly string[], used?: (kid: string) => void): RootKey[] {
  const principal = workloadPrincipal(core, workload);
  if (!principal) throw new Error(`The ${workloadDisplayName(workload)} service principal is missing from the tenant.`);
  return keyUris.map((uri) => new CustomerRootKey(core, principal, rootKeyIdOf(uri)!, used));
}

/**
 * Checks that the workload can use each key as Customer Key needs (get, wrapKey, unwrapKey);
 * returns the first refusal with the key it concerns.
 */
export function firstKeyRefusal(core: EmulatorCore, workload: Workload, keyUris: readonly string[]): { keyUri: string; error: KeyVaultAccessError } | undefined {
  const principal = workloadPrincipal(core, workload)!;
  for (const keyUri of keyUris) {
    try {
      checkKeyAccess(core, { principalObjectId: principal, keyUri, operations: ["get", "wrapKey", "unwrapKey"] });
    } catch (error) {
      if (error instanceof KeyVaultAccessError) return { keyUri, error };
      throw error;
    }
  }
  return undefined;
}

/** Makes a DEP key and seals it under both customer keys and a new availability key. */
export async function createPolicyKey(core: EmulatorCore, workload: Workload, guid: string, keyUris: readonly string[]): Promise<{ envelope: string; availabilityKey: string }> {
  const availabilityKey = randomBytes(32).toString("base64url");
  const depKey = randomBytes(32);
  try {
    const sealed = await seal(depKey, {
      rootKeys: [...customerKeys(core, workload, keyUris), availabilityKeyOf({ guid, availabilityKey })],
      context: { policy: guid },
    });
    return { envelope: Buffer.from(sealed).toString("base64"), availabilityKey };
  } finally {
    depKey.fill(0);
  }
}

/** Rewraps the DEP key under the current versions of `keyUris` (and the availability key); the DEP key itself is unchanged. */
export async function rewrapPolicyKey(core: EmulatorCore, workload: Workload, policy: DataEncryptionPolicyRecord, keyUris: readonly string[]): Promise<string> {
  const availability = availabilityKeyOf(policy);
  const result = await rewrap(Buffer.from(policy.envelope, "base64"), {
    unwrapWith: [...customerKeys(core, workload, policy.azureKeyIds), availability],
    wrapWith: [...customerKeys(core, workload, keyUris), availability],
    context: { policy: policy.guid },
  });
  return Buffer.from(result).toString("base64");
}

/** How a DEP key was recovered: the versioned customer key id, or `availability`. */
export interface UnwrappedPolicyKey {
  key: Uint8Array;
  via: string;
}

/**
 * Recovers the DEP key: one customer key chosen at random, then the other; a system operation
 * (`system: true`) falls back to the availability key when neither vault answers.
 */
export async function unwrapPolicyKey(core: EmulatorCore, workload: Workload, policy: DataEncryptionPolicyRecord, options: { system: boolean }): Promise<UnwrappedPolicyKey> {
  let via = "";
  const envelope = Buffer.from(policy.envelope, "base64");
  const context = { policy: policy.guid };
  try {
    const key = await open(envelope, { rootKeys: customerKeys(core, workload, policy.azureKeyIds, (kid) => (via = kid)), order: "random", context });
    return { key, via };
  } catch (error) {
    if (!options.system) throw error;
    return { key: await open(envelope, { rootKeys: [availabilityKeyOf(policy)], context }), via: "availability" };
  }
}

/** Seals a mailbox's content under a new mailbox key wrapped by the DEP key. */
export async function sealMailbox(policyGuid: string, depKey: Uint8Array, mailboxGuid: string, content: string): Promise<string> {
  const sealed = await seal(Buffer.from(content, "utf8"), { rootKeys: [depRootKey(policyGuid, depKey)], minRootKeys: 1, context: { mailbox: mailboxGuid } });
  return Buffer.from(sealed).toString("base64");
}

/** Opens a mailbox's content with the DEP key. */
export async function openMailbox(policyGuid: string, depKey: Uint8Array, mailboxGuid: string, sealed: string): Promise<string> {
  const plain = await open(Buffer.from(sealed, "base64"), { rootKeys: [depRootKey(policyGuid, depKey)], context: { mailbox: mailboxGuid } });
  return Buffer.from(plain).toString("utf8");
}
