/**
 * The rules of a data encryption policy (DEP), shared by the Exchange and multi-workload policies
 * and by validate() (research m365-endpoints §2, §4): the name, the 50-policy limit, exactly two
 * key URIs in two different vaults, and what a root key must be to back a DEP. Pure.
 */
import { InvalidInputError } from "../errors.js";
import { isAcceptedExpiry, KEY_SIZES, REQUIRED_RECOVERY_LEVEL, type RootKeyInfo } from "./key-rules.js";

/** Mailbox DEPs a tenant may hold (Microsoft: "up to 50 active DEPs"). */
export const EXCHANGE_POLICY_LIMIT = 50;
/** Longest policy name Exchange accepts (an AD common name). */
export const POLICY_NAME_MAX_LENGTH = 64;

/** The parts of a key URI a DEP is given: `https://{vault}.vault.azure.net/keys/{name}[/{version}]`. */
export interface PolicyKeyUri {
  /** The URI as given. */
  uri: string;
  /** `https://host` lower-cased. */
  vaultUrl: string;
  /** Key name. */
  name: string;
  /** 32 hex characters, or undefined for a versionless URI. */
  version: string | undefined;
}

/** Why a DEP name cannot be used; empty when it can. Spaces are refused unless `allowSpaces`. */
export function policyNameProblems(name: unknown, options: { allowSpaces?: boolean } = {}): string[] {
  if (typeof name !== "string" || name.length === 0) return ["the name is required"];
  const problems: string[] = [];
  if (name.length > POLICY_NAME_MAX_LENGTH) problems.push(`at most ${POLICY_NAME_MAX_LENGTH} characters (got ${name.length})`);
  if (name.trim() !== name) problems.push("no leading or trailing spaces");
  if (/\s/.test(name.trim()) && !options.allowSpaces) problems.push("no spaces (Microsoft's manage page forbids them; pass allowSpacesInName: true to allow them)");
  // Characters an AD common name or the cmdlet's identity parser cannot take.
  if (/[\\/,;"<>#+=*?|\u0000-\u001f]/.test(name)) problems.push('none of \\ / , ; " < > # + = * ? | or control characters');
  return problems;
}

/** Throws ERR_POLICY_NAME_INVALID for a name policyNameProblems refuses. */
export function validatePolicyName(name: unknown, options: { allowSpaces?: boolean } = {}, field = "name"): asserts name is string {
  const problems = policyNameProblems(name, options);
  if (problems.length > 0) {
    throw new InvalidInputError("ERR_POLICY_NAME_INVALID", `${field} '${String(name).slice(0, 80)}' is not a valid data encryption policy name: ${problems.join("; ")}.`, { field });
  }
}

const KEY_URI = /^https:\/\/([^/?#]+)\/keys\/([0-9A-Za-z-]{1,127})(?:\/([0-9a-fA-F]{32}))?\/?$/;

/** Parses a versioned or versionless Key Vault key id; undefined when it is not one. */
export function parsePolicyKeyUri(uri: unknown): PolicyKeyUri | undefined {
  if (typeof uri !== "string") return undefined;
  const match = KEY_URI.exec(uri.trim());
  if (!match) return undefined;
  return { uri, vaultUrl: `https://${match[1]!.toLowerCase()}`, name: match[2]!, version: match[3]?.toLowerCase() };
}

/**
 * Checks the shape of a DEP's key URIs: exactly two, each a key id, in two different vaults.
 * Throws ERR_POLICY_KEY_URIS_INVALID; returns the parsed pair.
 */
export function validatePolicyKeyUris(keyUris: unknown, field = "keyUris"): [PolicyKeyUri, PolicyKeyUri] {
  if (!Array.isArray(keyUris) || keyUris.length !== 2) {
    throw new InvalidInputError("ERR_POLICY_KEY_URIS_INVALID", `${field} must be exactly two key URIs [primary, secondary], one in each vault of the pair; got ${Array.isArray(keyUris) ? keyUris.length : typeof keyUris}.`, { field });
  }
  const parsed = keyUris.map((uri, i) => {
    const p = parsePolicyKeyUri(uri);
    if (!p) throw new InvalidInputError("ERR_POLICY_KEY_URIS_INVALID", `${field}[${i}] '${String(uri).slice(0, 200)}' is not a Key Vault key id (https://<vault>.vault.azure.net/keys/<name>[/<version>]).`, { field: `${field}[${i}]` });
    return p;
  }) as [PolicyKeyUri, PolicyKeyUri];
  if (parsed[0].vaultUrl === parsed[1].vaultUrl) {
    throw new InvalidInputError("ERR_POLICY_KEY_URIS_INVALID", `${field}: both keys are in ${parsed[0].vaultUrl}; a policy needs one key in each of two vaults (in two subscriptions).`, { field });
  }
  return parsed;
}

/** Why a key version cannot back a DEP (the key rules of the vault modules); empty when it can. */
export function policyKeyProblems(info: RootKeyInfo): string[] {
  const problems: string[] = [];
  if (!info.enabled) problems.push("the key version is disabled");
  if (!/^RSA(-HSM)?$/.test(info.keyType)) problems.push(`key type ${info.keyType} (RSA or RSA-HSM needed)`);
  if (info.keySize !== undefined && !(KEY_SIZES as readonly number[]).includes(info.keySize)) problems.push(`${info.keySize}-bit key (2048, 3072 or 4096 needed)`);
  for (const op of ["wrapKey", "unwrapKey"]) if (!info.keyOperations.includes(op)) problems.push(`operation ${op} not permitted`);
  if (!isAcceptedExpiry(info.expiresOn)) problems.push(`expires ${info.expiresOn?.toISOString()} (no expiry or 9999-12-31 needed)`);
  if (info.notBefore && info.notBefore.getTime() > Date.now()) problems.push(`not usable before ${info.notBefore.toISOString()}`);
  if (info.recoveryLevel !== undefined && info.recoveryLevel !== REQUIRED_RECOVERY_LEVEL) problems.push(`recovery level ${info.recoveryLevel} (${REQUIRED_RECOVERY_LEVEL} needed)`);
  return problems;
}
