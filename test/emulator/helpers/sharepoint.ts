/** SharePoint REST calls to the emulator over real HTTPS, and a Customer Key vault pair set up through the real Key Vault SDK. */
import { MICROSOFT_365_APPS, type Emulator } from "../../../src/emulator/index.js";
import { rawRequest, type RawResponse } from "../../conformance/helpers/raw.js";
import { createTestVault, keyClient } from "./vaults.js";

/** A token for `{siteUrl}/.default` for a principal (what a SharePoint REST client asks for). */
export async function sharePointToken(emulator: Emulator, principal: string, siteUrl: string): Promise<string> {
  const token = await emulator.credentialFor(principal).getToken(`${new URL(siteUrl).origin}/.default`);
  if (!token) throw new Error(`No token for ${principal}.`);
  return token.token;
}

/** `POST {siteUrl}/_api/site/{method}` with a JSON body, `Accept: application/json;odata=…` (minimalmetadata by default). */
export function callSite(
  emulator: Emulator,
  siteUrl: string,
  method: string,
  options: { token: string; body?: unknown; odata?: "verbose" | "minimalmetadata" | "nometadata"; httpMethod?: string },
): Promise<RawResponse> {
  return rawRequest(emulator, {
    method: options.httpMethod ?? "POST",
    url: `${siteUrl.replace(/\/$/, "")}/_api/site/${method}`,
    token: options.token,
    ...(options.body !== undefined ? { body: options.body } : {}),
    headers: { accept: `application/json;odata=${options.odata ?? "minimalmetadata"}` },
  });
}

/** Two vaults in two subscriptions with a key each; SharePoint Online gets get/wrapKey/unwrapKey unless told otherwise. */
export async function customerKeyVaults(
  emulator: Emulator,
  prefix: string,
  options: { grantSharePoint?: { primary: string[]; secondary: string[] } } = {},
): Promise<{ primary: { vault: string; keyId: string; name: string; version: string }; secondary: { vault: string; keyId: string; name: string; version: string } }> {
  const sp = emulator.directory.findServicePrincipal(MICROSOFT_365_APPS.sharePointOnline.appId)!;
  const grants = options.grantSharePoint ?? { primary: ["get", "wrapKey", "unwrapKey"], secondary: ["get", "wrapKey", "unwrapKey"] };
  const make = async (vault: string, subscriptionId: string, keys: string[]) => {
    createTestVault(emulator, {
      name: vault,
      subscriptionId,
      sku: "premium",
      purgeProtection: true,
      accessPolicies: [{ objectId: emulator.admin.objectId, keys: ["all"] }, ...(keys.length ? [{ objectId: sp.objectId, keys }] : [])],
    });
    const key = await keyClient(emulator, vault).createRsaKey("spo-root", { keyOps: ["wrapKey", "unwrapKey"], hsm: true });
    return { vault, keyId: key.id!, name: key.name, version: key.properties.version! };
  };
  return {
    primary: await make(`${prefix}-a`, emulator.subscriptionIds[0]!, grants.primary),
    secondary: await make(`${prefix}-b`, emulator.subscriptionIds[1]!, grants.secondary),
  };
}

/** A new version of a key (a roll, as `Add-AzKeyVaultKey` with the same name makes). */
export async function newKeyVersion(emulator: Emulator, vault: string, name: string): Promise<{ keyId: string; version: string }> {
  const key = await keyClient(emulator, vault).createRsaKey(name, { keyOps: ["wrapKey", "unwrapKey"], hsm: true });
  return { keyId: key.id!, version: key.properties.version! };
}
