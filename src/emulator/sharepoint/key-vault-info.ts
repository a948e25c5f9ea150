import type { EmulatorCore } from "../kernel/core.js";
import { MICROSOFT_365_APPS } from "../kernel/directory.js";
import { checkKeyAccess, KeyVaultAccessError, parseKeyUri, unwrapKeyAs, wrapKeyAs } from "../keyvault/service-principal-crypto.js";
import { spErrors } from "./errors.js";
import type { KeySlotName, KeySlotRecord } from "./model.js";

/** A key named by an `SP.CustomerKeyVaultInfo` (research m365-endpoints §3.3), not yet checked. */
export interface KeyReference {
  /** The URI the status will report. */
  uri: string;
  /** The emulator's own URI of the version (what Key Vault is called with). */
  emulatorUri: string;
  vaultName: string;
  keyName: string;
  keyVersion: string;
}

/** A member of a JSON object by name, any case (OData property names; tolerant of client casing). */
export function member(object: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);

/** A Guid (with or without dashes or braces) or 32 hex characters, as 32 lower-case hex; undefined if neither. */
function keyVersionOf(value: unknown): string | undefined {
  const raw = text(value)?.replace(/[{}-]/g, "");
  return raw && /^[0-9a-f]{32}$/i.test(raw) ? raw.toLowerCase() : undefined;
}

/**
 * Reads an `SP.CustomerKeyVaultInfo`: either `Uri` (the cmdlet's BYOK_Uri set: a versioned key URI)
 * or `VaultName` + `KeyName` + `KeyVersion` (BYOK_MultipleParameters). `SubscriptionId` and
 * `ResourceGroupName` are accepted and ignored. SharePoint needs a key version (the cmdlet's
 * `KeyVersion` is mandatory), so a versionless URI is refused.
 */
export function readKeyVaultInfo(core: EmulatorCore, slot: KeySlotName, info: unknown): KeyReference {
  if (typeof info !== "object" || info === null || Array.isArray(info)) throw spErrors.invalidKey(slot, "expected an SP.CustomerKeyVaultInfo object.");
  const record = info as Record<string, unknown>;
  const uri = text(member(record, "Uri"));
  if (uri) {
    const parsed = parseKeyUri(uri);
    if (!parsed) throw spErrors.invalidKey(slot, `'${uri}' is not an Azure Key Vault key URI.`);
    if (!parsed.version) throw spErrors.keyVersionRequired(slot);
    const emulatorUri = `${core.endpoints.vaultUrl(parsed.vault)}/keys/${parsed.name}/${parsed.version}`;
    return { uri, emulatorUri, vaultName: parsed.vault, keyName: parsed.name, keyVersion: parsed.version };
  }
  const vaultName = text(member(record, "VaultName"))?.toLowerCase();
  const keyName = text(member(record, "KeyName"));
  if (!vaultName || !keyName) throw spErrors.invalidKey(slot, "give either Uri or VaultName and KeyName.");
  const rawVersion = member(record, "KeyVersion");
  const keyVersion = keyVersionOf(rawVersion);
  if (!keyVersion) {
    if (text(rawVersion) === undefined || /^0{8}-?0{4}-?0{4}-?0{4}-?0{12}$/.test(String(rawVersion))) throw spErrors.keyVersionRequired(slot);
    throw spErrors.invalidKey(slot, "KeyVersion is not a Guid.");
  }
  const emulatorUri = `${core.endpoints.vaultUrl(vaultName)}/keys/${keyName}/${keyVersion}`;
  if (!parseKeyUri(emulatorUri)) throw spErrors.invalidKey(slot, "VaultName or KeyName is not a valid Key Vault name.");
  return { uri: emulatorUri, emulatorUri, vaultName, keyName, keyVersion };
}

/** The object id of the SharePoint Online service principal in the tenant. */
function sharePointPrincipal(core: EmulatorCore): string {
  const sp = core.directory.findServicePrincipal(MICROSOFT_365_APPS.sharePointOnline.appId);
  if (!sp) throw spErrors.noServicePrincipal();
  return sp.objectId;
}

/** Turns Key Vault's refusal into the SharePoint error the caller sees; other errors pass. */
function asSharePointError(error: unknown, slot: KeySlotName, uri: string): never {
  if (error instanceof KeyVaultAccessError) throw spErrors.keyAccess(slot, uri, error.innerCode ?? error.code, error.message);
  throw error;
}

/**
 * Checks that SharePoint Online can use the key (get, wrapKey, unwrapKey, as Microsoft's set-up
 * asks) and wraps the tenant intermediate key with it, as the SharePoint Online principal.
 */
export function wrapTenantKey(core: EmulatorCore, slot: KeySlotName, ref: KeyReference, tenantKey: Buffer): KeySlotRecord {
  const principalObjectId = sharePointPrincipal(core);
  try {
    checkKeyAccess(core, { principalObjectId, keyUri: ref.emulatorUri, operations: ["get", "wrapKey", "unwrapKey"] });
    const { kid, wrapped } = wrapKeyAs(core, { principalObjectId, keyUri: ref.emulatorUri, plaintext: tenantKey });
    return { uri: ref.uri, vaultName: ref.vaultName, keyName: ref.keyName, keyVersion: ref.keyVersion, kid, wrappedTenantKey: wrapped.toString("base64url") };
  } catch (error) {
    asSharePointError(error, slot, ref.uri);
  }
}

/**
 * Unwraps the tenant intermediate key through the first registered key SharePoint can still use
 * (in the order given); the last refusal if none can.
 */
export function unwrapTenantKey(core: EmulatorCore, slots: readonly [KeySlotName, KeySlotRecord][]): Buffer {
  const principalObjectId = sharePointPrincipal(core);
  let last: unknown;
  for (const [slot, record] of slots) {
    try {
      return unwrapKeyAs(core, { principalObjectId, kid: record.kid, wrapped: Buffer.from(record.wrappedTenantKey, "base64url") });
    } catch (error) {
      last = error;
      try {
        asSharePointError(error, slot, record.uri);
      } catch (mapped) {
        last = mapped;
      }
    }
  }
  throw last;
}
