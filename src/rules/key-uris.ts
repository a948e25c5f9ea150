/**
 * The key URIs Microsoft 365 policies take (Exchange and multi-workload DEPs, SharePoint's
 * registration): shape and pairing rules, pure. Shared by every policy module, so the same URI is
 * accepted or refused the same way everywhere. The live checks (the key exists, is enabled, meets
 * the key rules; the vaults are in two subscriptions) are reads, in azure/key-uri-reads.ts.
 */
import { InvalidInputError } from "../errors.js";

/** A key URI split into what the services name: vault, key and (when versioned) version. */
export interface ParsedKeyUri {
  /** `https://{vault}.vault.azure.net` (lower case, no trailing slash; a port is kept). */
  vaultUrl: string;
  /** The vault name: the first label of the host, lower case. */
  vaultName: string;
  /** The key name. */
  keyName: string;
  /** The version, 32 lower-case hex digits; undefined for a versionless URI. */
  version: string | undefined;
  /** `{vaultUrl}/keys/{keyName}`. */
  versionlessId: string;
}

const KEY_NAME = /^[0-9A-Za-z-]{1,127}$/;
const VERSION = /^[0-9a-fA-F]{32}$/;

/** Parses a versioned or versionless Key Vault key URI; InvalidInputError `ERR_KEY_ID_INVALID` otherwise. */
export function parseKeyUri(uri: unknown, field: string): ParsedKeyUri {
  const fail = (why: string) =>
    new InvalidInputError("ERR_KEY_ID_INVALID", `${field} '${String(uri).slice(0, 200)}' is not a Key Vault key URI (https://<vault>.vault.azure.net/keys/<name>[/<32-hex version>]): ${why}.`, { field });
  if (typeof uri !== "string") throw fail("not a string");
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw fail("not a URL");
  }
  if (url.protocol !== "https:") throw fail("not https");
  if (url.username || url.password || url.search || url.hash) throw fail("it has credentials, a query or a fragment");
  const segments = url.pathname.split("/").filter(Boolean);
  if (segments[0]?.toLowerCase() !== "keys" || segments.length < 2 || segments.length > 3) throw fail("the path is not /keys/<name>[/<version>]");
  const keyName = decodeURIComponent(segments[1]!);
  if (!KEY_NAME.test(keyName)) throw fail("the key name is not 1–127 letters, digits and hyphens");
  const version = segments[2];
  if (version !== undefined && !VERSION.test(version)) throw fail("the version is not 32 hex digits");
  const vaultUrl = url.origin.toLowerCase();
  return { vaultUrl, vaultName: url.hostname.split(".")[0]!.toLowerCase(), keyName, version: version?.toLowerCase(), versionlessId: `${vaultUrl}/keys/${keyName}` };
}

/**
 * Parses the two key URIs of a policy and checks what needs no read: both valid, in two
 * different vaults (Microsoft requires two vaults, in two subscriptions, for availability).
 */
export function parseKeyUriPair(primary: unknown, secondary: unknown, fields: readonly [string, string] = ["primaryKeyUri", "secondaryKeyUri"]): [ParsedKeyUri, ParsedKeyUri] {
  const a = parseKeyUri(primary, fields[0]);
  const b = parseKeyUri(secondary, fields[1]);
  if (a.vaultName === b.vaultName) {
    throw new InvalidInputError(
      "ERR_KEY_URIS_SAME_VAULT",
      `${fields[0]} and ${fields[1]} are both in vault '${a.vaultName}': Customer Key needs its two keys in two different vaults, in two different subscriptions.`,
      { field: fields[1] },
    );
  }
  return [a, b];
}

/** The versioned key URI of a parsed URI and a version. */
export function versionedKeyUri(parsed: ParsedKeyUri, version: string): string {
  return `${parsed.versionlessId}/${version.toLowerCase()}`;
}

/** True when two key URIs name the same key (vault and name), whatever their versions. */
export function sameKey(a: ParsedKeyUri, b: ParsedKeyUri): boolean {
  return a.vaultName === b.vaultName && a.keyName.toLowerCase() === b.keyName.toLowerCase();
}

/** Parses a key URI a service reported, or undefined when it is empty or not a key URI. */
export function tryParseKeyUri(uri: string | null | undefined): ParsedKeyUri | undefined {
  if (!uri) return undefined;
  try {
    return parseKeyUri(uri, "uri");
  } catch {
    return undefined;
  }
}
