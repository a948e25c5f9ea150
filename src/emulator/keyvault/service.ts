import { EMULATOR_HOSTS } from "../endpoints.js";
import type { EmulatorCore } from "../kernel/core.js";
import { errorBody, ServiceError, type EmulatorRequest, type Reply } from "../kernel/http.js";
import { defineService } from "../kernel/service-definition.js";
import { publicHalf, REDACTED_TEXT } from "../kernel/snapshot.js";
import { emptyKeyVaultState, KEY_VAULT_STATE_KEY, type KeyVaultState } from "./model.js";
import { backupRoutes } from "./routes/backup.js";
import { vaultHeaders, vaultNameOf } from "./request-context.js";
import { deletedRoutes } from "./routes/deleted-keys.js";
import { kvErrors } from "./errors.js";
import { keyRoutes } from "./routes/keys.js";
import { operationRoutes } from "./routes/key-operations.js";
import { rotationRoutes } from "./routes/rotation.js";
import { findVault } from "./vault-lookup.js";

/** The resource the challenge advertises: `{vault}.vault.localhost` ends with `.vault.localhost`, so the SDK's check passes. */
export const KEY_VAULT_RESOURCE = `https://${EMULATOR_HOSTS.vaultSuffix}`;

function wwwAuthenticate(core: EmulatorCore, tenantId: string): string {
  return `Bearer authorization="${core.endpoints.authorityHost}/${tenantId}", resource="${KEY_VAULT_RESOURCE}"`;
}

/**
 * The 401 a tokenless request gets before its body is read (contract §5.1). An unknown vault
 * is 404 VaultNotFound instead: the real host would not resolve, which the emulator cannot imitate.
 */
function challenge(req: EmulatorRequest, core: EmulatorCore): Reply {
  const name = vaultNameOf(core, req);
  const vault = findVault(core, name);
  if (!vault) return errorReply(kvErrors.vaultNotFound(name), req, core);
  return {
    status: 401,
    headers: { ...vaultHeaders(vault), "www-authenticate": wwwAuthenticate(core, vault.properties.tenantId) },
    body: { error: { code: "Unauthorized", message: "AKV10000: Request is missing a Bearer or PoP token." } },
  };
}

/** 401s from token checks in Key Vault's words (`AKV100xx`), with the challenge header again. */
function unauthorized(error: ServiceError): ServiceError {
  if (error.code === "Unauthorized") return error;
  const audience = /invalid audience '([^']*)'/i.exec(error.message)?.[1];
  const message = audience !== undefined ? `AKV10022: Invalid audience. Expected ${KEY_VAULT_RESOURCE}, found: ${audience}.` : `AKV10021: ${error.message}`;
  return new ServiceError(401, "Unauthorized", message);
}

function errorReply(error: ServiceError, req: EmulatorRequest, core: EmulatorCore): Reply {
  const vault = findVault(core, vaultNameOf(core, req));
  const e = error.status === 401 ? unauthorized(error) : error;
  const headers: Record<string, string> = { ...vaultHeaders(vault), ...error.extra.headers };
  if (e.status === 401) headers["www-authenticate"] = wwwAuthenticate(core, vault?.properties.tenantId ?? core.tenantId);
  return { status: e.status, body: errorBody(e), headers };
}

/** Specific paths before the generic `/keys/:name/:version?` ones: the router takes the first match. */
const routes = [
  backupRoutes.restore,
  keyRoutes.create,
  backupRoutes.backup,
  rotationRoutes.rotate,
  rotationRoutes.getPolicy,
  rotationRoutes.setPolicy,
  keyRoutes.versions,
  keyRoutes.list,
  keyRoutes.import,
  deletedRoutes.delete,
  ...operationRoutes,
  keyRoutes.get,
  keyRoutes.update,
  deletedRoutes.list,
  deletedRoutes.recover,
  deletedRoutes.get,
  deletedRoutes.purge,
];

/** Private key halves and the backup key leave a snapshot; the state file keeps them. */
function redact(state: KeyVaultState): void {
  for (const vault of Object.values(state.vaults)) {
    const records = [...Object.values(vault.keys), ...Object.values(vault.deleted).map((d) => d.key)];
    for (const version of records.flatMap((r) => r.versions)) {
      const jwk = version.privateJwk;
      // EC keeps its public point; a symmetric key keeps nothing but its type.
      version.privateJwk = jwk.kty === "EC" ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } : jwk.kty === "oct" ? { kty: jwk.kty } : publicHalf(jwk);
    }
  }
  if (state.backupKey) state.backupKey = REDACTED_TEXT;
}

/** The Key Vault keys data plane at `https://{vault}.vault.localhost:{port}`. */
export const keyVaultService = defineService({
  name: "keyvault",
  hosts: [`{vault}.${EMULATOR_HOSTS.vaultSuffix}`],
  audiences: () => ["https://vault.localhost", "https://vault.azure.net"],
  state: { key: KEY_VAULT_STATE_KEY, empty: emptyKeyVaultState, redact },
  routes,
  challenge,
  errorReply,
});
