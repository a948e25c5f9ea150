import type { Caller } from "../kernel/auth.js";
import type { EmulatorCore } from "../kernel/core.js";
import { ServiceError } from "../kernel/http.js";
import { authorizeKeys, PERMISSIONS, type KeyPermission } from "../authz/key-permissions.js";
import { kvErrors } from "./errors.js";
import { checkUsable, type CryptoOp } from "./routes/key-operations.js";
import { requireVersion } from "./routes/keys.js";
import { rsaDecrypt, rsaEncrypt } from "./rsa-crypto.js";
import { kidOf } from "./shapes.js";
import { findVault, keysOf } from "./vault-lookup.js";

/**
 * Key Vault crypto on behalf of a Microsoft 365 service principal (Exchange Online, SharePoint
 * Online, M365DataAtRestEncryption), for the emulated Microsoft 365 services: no HTTP round trip,
 * but the same checks the HTTP path makes for that caller, in the same order (vault, down, tenant,
 * access policy or RBAC, key, key state), through the keys service's own code.
 */

/** The algorithm Microsoft 365 wraps with, as the real services do (RSA-OAEP-256). */
export const SERVICE_WRAP_ALGORITHM = "RSA-OAEP-256";

/** A refusal of Key Vault, with the status, code and message the real vault would answer. */
export class KeyVaultAccessError extends Error {
  /** HTTP status the vault would answer (403, 404, 503, …). */
  readonly status: number;
  /** Key Vault's `error.code` (`Forbidden`, `KeyNotFound`, `VaultNotFound`, `ServiceUnavailable`, …). */
  readonly code: string;
  /** Key Vault's `error.innererror.code` (`AccessDenied`, `ForbiddenByRbac`, `KeyDisabled`, …), when it sends one. */
  readonly innerCode: string | undefined;
  /** The key the call was about, as given. */
  readonly keyUri: string;

  constructor(error: ServiceError, keyUri: string) {
    super(error.message);
    this.name = "KeyVaultAccessError";
    this.status = error.status;
    this.code = error.code;
    this.innerCode = error.extra.innerCode;
    this.keyUri = keyUri;
  }
}

/** A key URI split into vault, key name and version (`undefined`: the current version). */
export interface ParsedKeyUri {
  vault: string;
  name: string;
  version: string | undefined;
}

/** Parses `https://{vault}.vault.localhost[:port]/keys/{name}[/{version}]` (or `.vault.azure.net`); `undefined` when it is not one. */
export function parseKeyUri(keyUri: string): ParsedKeyUri | undefined {
  let url: URL;
  try {
    url = new URL(keyUri);
  } catch {
    return undefined;
  }
  const host = /^([0-9a-z-]{3,24})\.vault\.(localhost|azure\.net)$/i.exec(url.hostname);
  const path = /^\/keys\/([0-9a-zA-Z-]{1,127})(?:\/([0-9a-fA-F]{32}))?\/?$/.exec(url.pathname);
  if (url.protocol !== "https:" || !host || !path) return undefined;
  return { vault: host[1]!.toLowerCase(), name: path[1]!, version: path[2]?.toLowerCase() };
}

function fail(error: unknown, keyUri: string): never {
  if (error instanceof ServiceError) throw new KeyVaultAccessError(error, keyUri);
  throw error;
}

/** The caller Key Vault would see in a token of that service principal. */
function callerOf(core: EmulatorCore, principalObjectId: string): Caller {
  const sp = core.directory.findServicePrincipal(principalObjectId);
  if (!sp || sp.objectId !== principalObjectId.toLowerCase()) {
    throw new ServiceError(401, "Unauthorized", `AKV10021: No service principal with object id ${principalObjectId} in the tenant.`);
  }
  if (!sp.accountEnabled) throw new ServiceError(401, "Unauthorized", "AKV10021: The service principal is disabled.");
  return { objectId: sp.objectId, appId: sp.appId, kind: "servicePrincipal", tenantId: core.tenantId, groupIds: core.directory.groupsOf(sp.objectId) };
}

/** Operations a Microsoft 365 service checks for: `get` and the crypto operations. */
export type ServiceKeyOperation = "get" | CryptoOp;

/** Opens the key version for `operations`, making every check the HTTP path makes. */
function open(core: EmulatorCore, principalObjectId: string, keyUri: string, operations: readonly ServiceKeyOperation[], version?: string) {
  const parsed = parseKeyUri(keyUri);
  if (!parsed) throw kvErrors.badParameter(`'${keyUri}' is not a Key Vault key identifier.`);
  const vault = findVault(core, parsed.vault);
  if (!vault) throw kvErrors.vaultNotFound(parsed.vault);
  if (core.faults.isVaultDown(vault.name)) throw new ServiceError(503, "ServiceUnavailable", `The vault '${vault.name}' is unavailable.`);
  const caller = callerOf(core, principalObjectId);
  if (vault.properties.tenantId.toLowerCase() !== caller.tenantId.toLowerCase()) {
    throw new ServiceError(401, "Unauthorized", `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${vault.properties.tenantId}/, found https://sts.windows.net/${caller.tenantId}/.`);
  }
  const access = { vault, caller, core, params: { name: parsed.name } };
  for (const op of operations) authorizeKeys(access, PERMISSIONS[op] as KeyPermission);
  const keys = keysOf(core, vault.name);
  const found = requireVersion({ keys }, parsed.name, version ?? parsed.version);
  const now = { now: core.clock.nowSeconds() };
  for (const op of operations) if (op !== "get") checkUsable(now, found.version, op);
  return { ...found, kid: kidOf(core.endpoints.vaultUrl(vault.name), found.record.name, found.version.version) };
}

/**
 * Checks that the principal could run `operations` (e.g. `get`, `wrapKey`, `unwrapKey`) on the
 * key now; throws {@link KeyVaultAccessError} as the vault would refuse. Returns the current kid.
 */
export function checkKeyAccess(core: EmulatorCore, options: { principalObjectId: string; keyUri: string; operations: readonly ServiceKeyOperation[] }): { kid: string } {
  try {
    return { kid: open(core, options.principalObjectId, options.keyUri, options.operations).kid };
  } catch (error) {
    fail(error, options.keyUri);
  }
}

/** Wraps `plaintext` under the key (a versionless URI: its current version) as the principal, RSA-OAEP-256. */
export function wrapKeyAs(core: EmulatorCore, options: { principalObjectId: string; keyUri: string; plaintext: Buffer }): { kid: string; wrapped: Buffer } {
  try {
    const { kid, version } = open(core, options.principalObjectId, options.keyUri, ["wrapKey"]);
    return { kid, wrapped: rsaEncrypt(version.privateJwk, SERVICE_WRAP_ALGORITHM, options.plaintext) };
  } catch (error) {
    fail(error, options.keyUri);
  }
}

/** Unwraps `wrapped` with the key version `kid` names, as the principal. */
export function unwrapKeyAs(core: EmulatorCore, options: { principalObjectId: string; kid: string; wrapped: Buffer }): Buffer {
  try {
    const { version } = open(core, options.principalObjectId, options.kid, ["unwrapKey"]);
    return rsaDecrypt(version.privateJwk, SERVICE_WRAP_ALGORITHM, options.wrapped);
  } catch (error) {
    fail(error, options.kid);
  }
}
