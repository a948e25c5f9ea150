/** What every check shares: its shape, titles, and the short-circuits for things that are missing. */
import type { Vault } from "@azure/arm-keyvault";
import type { KeyVaultKey } from "@azure/keyvault-keys";
import type { ValidationReader } from "../preflight-reads.js";
import type { MemberTarget, NormalizedTarget } from "../normalize-target.js";
import type { CheckId, CheckStatus } from "../types.js";

export interface Outcome {
  status: CheckStatus;
  evidence: string;
  remediation?: string;
}

/** One check to run: isolated, it either returns an outcome or throws (then it fails with the error as evidence). */
export interface CheckTask {
  id: CheckId;
  target: string;
  /** The member of the pair the check concerns (its vault, subscription and key); none for pair- and tenant-wide checks. */
  member?: MemberTarget;
  /** The subscription a subscription check concerns (member checks take the member's). */
  subscriptionId?: string;
  run(): Promise<Outcome>;
}

export interface CheckInputs {
  reader: ValidationReader;
  target: NormalizedTarget;
  tenantId: string;
}

export const TITLES: Record<CheckId, string> = {
  "subscription.distinct": "The two vaults are in two different subscriptions",
  "subscription.enabled": "Subscription is enabled, in this tenant",
  "subscription.doNotCancel": "Mandatory retention period (Do Not Cancel) is registered",
  "subscription.keyVaultProvider": "Microsoft.KeyVault resource provider is registered",
  "vault.name": "Vault exists under a valid name",
  "vault.sku": "Vault SKU is Premium (HSM-protected keys)",
  "vault.softDelete": "Soft delete is on, with 90 days retention",
  "vault.purgeProtection": "Purge protection is on",
  "vault.regions.distinct": "The vaults are in two different regions",
  "vault.regions.notPaired": "The vault regions are not an Azure region pair",
  "access.servicePrincipalExists": "The workload's service principal exists in the tenant",
  "access.servicePrincipal": "The workload's service principal can get, wrap and unwrap",
  "access.noAdminDelete": "No one but Microsoft can delete or purge keys",
  "key.type": "Key is RSA, 2048 to 4096 bits",
  "key.hsm": "Key is HSM-protected (RSA-HSM)",
  "key.enabled": "Key is enabled",
  "key.operations": "Key allows wrapKey and unwrapKey",
  "key.expiry": "Key has no expiry (or 9999-12-31)",
  "key.recoveryLevel": "Key recovery level is Recoverable+ProtectedSubscription",
  "backup.current": "A verified backup holds the key's current version",
  "policy.exchange.name": "Exchange DEP names follow the naming rules",
  "policy.exchange.limit": "At most 50 Exchange DEPs",
  "policy.keys.distinctVaults": "Each DEP's two keys are in two vaults of two subscriptions",
  "policy.keys.resolvable": "Each DEP key is live, enabled and unwrappable by the workload",
  "policy.exchange.assignment": "Every mailbox has a DEP",
  "policy.sharePoint.state": "SharePoint Online's Customer Key policy is registered",
  "policy.multiWorkload.assignment": "A multi-workload DEP is assigned to the tenant",
};

/** Thrown inside a check to end it with this outcome (e.g. skip: the vault it needs is missing). */
export class Blocked extends Error {
  readonly outcome: Outcome;
  constructor(outcome: Outcome) {
    super(outcome.evidence);
    this.outcome = outcome;
  }
}

/** The member's vault, or Blocked(skip) when it does not exist (`vault.name` reports that). */
export async function needVault(inputs: CheckInputs, m: MemberTarget): Promise<Vault> {
  const vault = await inputs.reader.vault(m);
  if (!vault) throw new Blocked({ status: "skip", evidence: `Vault ${m.vaultName} was not found, so this was not checked (see vault.name).` });
  return vault;
}

export function vaultUrlOf(vault: Vault, m: MemberTarget): string {
  const uri = vault.properties?.vaultUri;
  if (!uri) throw new Blocked({ status: "fail", evidence: `Vault ${m.vaultName} reports no vaultUri.` });
  return uri.replace(/\/+$/, "");
}

/** The member's key (the version of its key URI, or the current one); Blocked(skip) when no key is named. */
export async function needKeyName(m: MemberTarget): Promise<string> {
  if (!m.keyName) throw new Blocked({ status: "skip", evidence: "No key name or key URI was given for this vault, so its key was not checked." });
  return m.keyName;
}

/** The key, or undefined when it does not exist. */
export async function readKey(inputs: CheckInputs, m: MemberTarget): Promise<{ key: KeyVaultKey | undefined; name: string; vaultUrl: string }> {
  const name = await needKeyName(m);
  const vault = await needVault(inputs, m);
  const vaultUrl = vaultUrlOf(vault, m);
  return { key: await inputs.reader.key(vaultUrl, name, m.keyUri?.version), name, vaultUrl };
}

/** The key, or Blocked(skip) when it does not exist (`key.type` reports that). */
export async function needKey(inputs: CheckInputs, m: MemberTarget): Promise<KeyVaultKey> {
  const { key, name } = await readKey(inputs, m);
  if (!key) throw new Blocked({ status: "skip", evidence: `Key ${name} was not found in ${m.vaultName}, so this was not checked (see key.type).` });
  return key;
}

export const keyLabel = (m: MemberTarget) => `key ${m.vaultName}/${m.keyName ?? "?"}${m.keyUri?.version ? `/${m.keyUri.version}` : ""} (${m.member})`;

export const pass = (evidence: string): Outcome => ({ status: "pass", evidence });
